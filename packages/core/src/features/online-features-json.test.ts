import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderOnlineFeaturesJson, timestampJson, valueJson, valueTexts } from './online-features-json.js';

const scalar = fc.oneof(fc.double(), fc.integer(), fc.string({ unit: 'binary' }), fc.boolean(), fc.constant(null));
const name = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.string({ unit: 'binary', maxLength: 6 }));

describe('online answers as JSON text', () => {
  it('finds each stored value\'s JSON text as JSON.stringify writes it, in any key order, missing names null', () => {
    fc.assert(fc.property(fc.dictionary(name, scalar), fc.array(name, { maxLength: 6 }), (values, extra) => {
      const names = [...new Set([...Object.keys(values), ...extra])];
      const texts = valueTexts(JSON.stringify(values), names);
      expect(texts).toEqual(names.map((n) => (Object.hasOwn(values, n) ? JSON.stringify(values[n]) ?? 'null' : 'null')));
      expect(valueTexts(JSON.stringify(values), [...names].reverse())).toEqual([...texts].reverse());
    }));
  });

  it('falls back to parsing for anything but a flat object without whitespace', () => {
    expect(valueTexts('{ "a": 1, "b": [1, 2] }', ['b', 'a'])).toEqual(['[1,2]', '1']);
  });

  it('writes values, timestamps and whole answers exactly as JSON.stringify', () => {
    fc.assert(fc.property(fc.array(fc.oneof(scalar, fc.constant(undefined), fc.date({ noInvalidDate: true }))), (values) => {
      expect(`[${values.map(valueJson).join(',')}]`).toBe(JSON.stringify(values));
    }));
    expect(timestampJson('0')).toBe(JSON.stringify(new Date(0)));
    expect(timestampJson('null')).toBe('null');
    const views = [{ statuses: ['PRESENT' as const, 'NOT_FOUND' as const], eventTimestamps: [5, null] }];
    const got = renderOnlineFeaturesJson(['a', 'b"c', 'd'], [{ values: ['1.5', 'null'], view: 0 }, { values: ['"x"', 'null'], view: 0 }, { values: ['2', 'true'], view: null }], views, 2);
    expect(got.toString()).toBe(JSON.stringify({
      featureNames: ['a', 'b"c', 'd'],
      results: [
        { values: [1.5, null], ...views[0] }, { values: ['x', null], ...views[0] },
        { values: [2, true], statuses: ['PRESENT', 'PRESENT'], eventTimestamps: [null, null] },
      ],
    }));
  });
});
