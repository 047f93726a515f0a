import { describe, expect, it } from 'vitest';
import { errorOffset, firstLine, suggest, wordAt } from './filter-help.js';

const keys = { metrics: ['auc', 'val loss'], params: ['lr', 'alpha'], tags: ['team'] };

describe('filter help', () => {
  it('turns the server\'s 1-based character position into an offset', () => {
    const message = "Invalid filter at position 13: expected an operator\n  metrics.auc ~ 3\n              ^";
    expect(errorOffset(message, 'metrics.auc ~ 3')).toBe(12);
    // Characters outside the BMP count once in the position but twice in UTF-16.
    expect(errorOffset('Invalid filter at position 3: x', '😀a?')).toBe(3);
    expect(errorOffset('no position here', 'x')).toBeNull();
    expect(errorOffset('Invalid filter at position 99: x', 'short')).toBeNull();
    expect(firstLine(message)).toBe('Invalid filter at position 13: expected an operator');
  });

  it('finds the word under the cursor', () => {
    expect(wordAt('metrics.auc > 0.7 and par', 25)).toEqual({ start: 22, word: 'par' });
    expect(wordAt('(met', 4)).toEqual({ start: 1, word: 'met' });
  });

  it('suggests metric, param, tag and attribute names, quoting keys that need it', () => {
    expect(suggest('met', keys).map((s) => s.insert)).toEqual(['metrics.auc', 'metrics.`val loss`']);
    expect(suggest('a', keys).map((s) => s.insert)).toEqual(['attributes.status', 'attributes.run_name', 'attributes.user_id', 'attributes.start_time', 'attributes.end_time', 'attributes.run_id', 'metrics.auc', 'params.alpha']);
    expect(suggest('', keys)).toEqual([]);
    expect(suggest('metrics.auc', keys)).toEqual([]);
  });
});
