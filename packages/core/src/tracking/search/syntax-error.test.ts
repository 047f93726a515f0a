import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntaxError } from './syntax-error.js';

// The message as it was built before only a window of the source was copied: every code point of the
// source in an array. Kept as the reference the windowed version must match.
function reference(source: string, index: number): string {
  const chars = [...source.replace(/\s/g, ' ')];
  const position = [...source.slice(0, index)].length + 1;
  let from = 0;
  let to = chars.length;
  if (chars.length > 100) {
    from = Math.max(0, position - 1 - 50);
    to = Math.min(chars.length, from + 100);
  }
  const prefix = from > 0 ? '…' : '';
  const excerpt = prefix + chars.slice(from, to).join('') + (to < chars.length ? '…' : '');
  return `Invalid filter at position ${position}: m\n  ${excerpt}\n  ${' '.repeat(prefix.length + position - 1 - from)}^`;
}

describe('syntaxError', () => {
  it('points at the same character as a copy of the whole source would, for any text and offset', () => {
    const text = fc.array(fc.constantFrom('a', ' ', '\n', 'é', '😀', '中', "'", '\t'), { maxLength: 600 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.nat(), (source, n) => {
        // Offsets start a code point, as the lexer's do.
        const starts = [...source].reduce<number[]>((acc, ch) => [...acc, acc.at(-1)! + ch.length], [0]);
        const index = starts[n % starts.length]!;
        expect(syntaxError('filter', source, index, 'm').message).toBe(reference(source, index));
      }),
      { numRuns: 500 },
    );
  });

  it('copies only a window of a huge source', () => {
    const half = 'x = 1 AND '.repeat(500_000);
    const source = `${half}?${half}`;
    const e = syntaxError('filter', source, half.length, 'unexpected');
    expect(e.details).toEqual({ position: half.length + 1 });
    const [, excerpt, caret] = e.message.split('\n') as [string, string, string];
    expect(excerpt).toHaveLength(2 + 1 + 100 + 1);
    expect(excerpt[caret.length - 1]).toBe('?');
  });
});
