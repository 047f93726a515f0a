import { CairnError } from '../../errors.js';

const MAX_EXCERPT = 100;
// UTF-16 units either side of the error that may hold the excerpt's code points (two units each at most).
const WINDOW_UNITS = 2 * MAX_EXCERPT + 2;

/** Code points in `s` from `start` to `end` (UTF-16 offsets), counted without building an array. */
function codePointCount(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    // A low surrogate after a high one is the second half of one code point.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > start && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++;
  }
  return n;
}

// Moves a UTF-16 offset off the second half of a surrogate pair.
const snap = (s: string, i: number) => (i > 0 && i < s.length && /[\udc00-\udfff]/.test(s[i]!) && /[\ud800-\udbff]/.test(s[i - 1]!) ? i - 1 : i);

/**
 * An INVALID_ARGUMENT error pointing at `index` (a UTF-16 offset) of `source`: the message gives the
 * 1-based character position and repeats the text with a caret under the offending character. Only
 * a window around the error is copied, so a huge source costs no more than a count of its characters.
 */
export function syntaxError(what: 'filter' | 'order_by clause', source: string, index: number, message: string): CairnError {
  const position = codePointCount(source, 0, index) + 1;
  const total = position - 1 + codePointCount(source, index, source.length);
  // A long filter is shown as a window around the error so the caret stays readable.
  let from = 0;
  let to = total;
  if (total > MAX_EXCERPT) {
    from = Math.max(0, position - 1 - MAX_EXCERPT / 2);
    to = Math.min(total, from + MAX_EXCERPT);
  }
  // The window's code points, taken from a slice of the source that surely holds them.
  const sliceStart = snap(source, Math.max(0, index - WINDOW_UNITS));
  const sliceFrom = position - 1 - codePointCount(source, sliceStart, index);
  const chars = [...source.slice(sliceStart, Math.min(source.length, index + WINDOW_UNITS)).replace(/\s/g, ' ')];
  const prefix = from > 0 ? '…' : '';
  const excerpt = prefix + chars.slice(from - sliceFrom, to - sliceFrom).join('') + (to < total ? '…' : '');
  const caret = ' '.repeat(prefix.length + position - 1 - from) + '^';
  return new CairnError('INVALID_ARGUMENT', `Invalid ${what} at position ${position}: ${message}\n  ${excerpt}\n  ${caret}`, {
    details: { position },
  });
}
