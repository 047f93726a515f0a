import { CairnError } from '../../errors.js';

const MAX_EXCERPT = 100;

/**
 * An INVALID_ARGUMENT error pointing at `index` (a UTF-16 offset) of `source`: the message gives the
 * 1-based character position and repeats the text with a caret under the offending character.
 */
export function syntaxError(what: 'filter' | 'order_by clause', source: string, index: number, message: string): CairnError {
  const chars = [...source.replace(/\s/g, ' ')];
  const position = [...source.slice(0, index)].length + 1;
  // A long filter is shown as a window around the error so the caret stays readable.
  let from = 0;
  let to = chars.length;
  if (chars.length > MAX_EXCERPT) {
    from = Math.max(0, position - 1 - MAX_EXCERPT / 2);
    to = Math.min(chars.length, from + MAX_EXCERPT);
  }
  const prefix = from > 0 ? '…' : '';
  const excerpt = prefix + chars.slice(from, to).join('') + (to < chars.length ? '…' : '');
  const caret = ' '.repeat(prefix.length + position - 1 - from) + '^';
  return new CairnError('INVALID_ARGUMENT', `Invalid ${what} at position ${position}: ${message}\n  ${excerpt}\n  ${caret}`, {
    details: { position },
  });
}
