import { checkFilterLength } from './limits.js';
import { syntaxError } from './syntax-error.js';

// Splits a filter or order_by clause into tokens. Keywords (AND, OR, IN, NOT, LIKE, ILIKE, ASC, DESC)
// stay words here; the parser recognises them case-insensitively where it expects one.

export type TokenType = 'word' | 'backtick' | 'string' | 'number' | 'operator' | '(' | ')' | ',' | 'end';

export interface Token {
  type: TokenType;
  /** The token as written. */
  text: string;
  /** Unquoted text for strings and backtick identifiers; the text otherwise. */
  value: string;
  /** `'` or `"` for strings. */
  quote?: string;
  /** UTF-16 offsets into the source. */
  start: number;
  end: number;
}

// An unquoted word: an entity, a key (`metrics.eval/loss`, `tags.mlflow.parentRunId`) or a keyword.
const WORD = /[\p{L}_][\p{L}\p{N}\p{M}_.\-/:]*/uy;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
// Letters glued to a number (`1abc`, `2e`) make it no number at all.
const NUMBER_TAIL = /^[\p{L}\p{N}_.]+/u;
// What follows a backtick-quoted entity (`` `metrics`.acc ``): the dot and an unquoted key, if any.
const QUOTED_ENTITY_TAIL = /\.[\p{L}\p{N}\p{M}_.\-/:]*/uy;
const OPERATOR = /!=|>=|<=|=|>|</y;
const SPACE = /\s+/y;

export function tokenize(source: string, what: 'filter' | 'order_by clause'): Token[] {
  checkFilterLength(source, what);
  // No stored name, key or value holds a NUL (PostgreSQL text cannot), so a filter with one could
  // match nothing on SQLite and fail on PostgreSQL; it is refused the same way on both.
  const nul = source.indexOf('\u0000');
  if (nul >= 0) throw syntaxError(what, source, nul, 'a NUL character cannot appear here, nor in any stored name, key or value; remove it');
  const tokens: Token[] = [];
  let i = 0;
  const match = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(source);
    return m ? m[0] : null;
  };
  const push = (type: TokenType, text: string, value = text, quote?: string) => {
    tokens.push({ type, text, value, start: i, end: i + text.length, ...(quote ? { quote } : {}) });
    i += text.length;
  };

  while (i < source.length) {
    const ch = source[i] as string;
    let m: string | null;
    if ((m = match(SPACE))) {
      i += m.length;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      push(ch, ch);
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const text = readQuoted(source, i, what);
      push(ch === '`' ? 'backtick' : 'string', text, text.slice(1, -1).replaceAll(ch + ch, ch), ch === '`' ? undefined : ch);
    } else if (ch === '.' && tokens.at(-1)?.type === 'backtick' && tokens.at(-1)?.end === i && (m = match(QUOTED_ENTITY_TAIL))) {
      push('word', m);
    } else if ((m = match(NUMBER))) {
      const glued = NUMBER_TAIL.exec(source.slice(i + m.length));
      if (glued) throw syntaxError(what, source, i, `'${m}${glued[0]}' is not a number; quote it if it is a string`);
      push('number', m);
    } else if ((m = match(WORD))) {
      push('word', m);
    } else if ((m = match(OPERATOR))) {
      push('operator', m);
    } else {
      const bad = String.fromCodePoint(source.codePointAt(i) as number);
      throw syntaxError(what, source, i, `unexpected character '${bad}'`);
    }
  }
  tokens.push({ type: 'end', text: '', value: '', start: source.length, end: source.length });
  return tokens;
}

// Quotes inside a quoted string or identifier are written twice, as in SQL: 'it''s', `my``key`.
function readQuoted(source: string, start: number, what: 'filter' | 'order_by clause'): string {
  const quote = source[start] as string;
  let j = start + 1;
  for (;;) {
    const next = source.indexOf(quote, j);
    if (next < 0) {
      const kind = quote === '`' ? 'backtick-quoted key' : 'string';
      throw syntaxError(what, source, start, `unterminated ${kind}: add the closing ${quote}`);
    }
    if (source[next + 1] === quote) {
      j = next + 2;
      continue;
    }
    return source.slice(start, next + 1);
  }
}

/** How a token reads in an error message. */
export function describe(token: Token): string {
  return token.type === 'end' ? 'the end of the input' : `'${token.text}'`;
}

export function isKeyword(token: Token, keyword: string): boolean {
  return token.type === 'word' && token.text.toUpperCase() === keyword;
}
