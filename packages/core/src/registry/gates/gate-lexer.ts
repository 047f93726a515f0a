import { CairnError } from '../../errors.js';

// Tokens of a gate condition. Unlike search filters, conditions do arithmetic, so '-' and '/' are
// operators here and keys holding them are quoted in backticks: metrics.`val-auc`.

export type GateTokenType = 'word' | 'backtick' | 'string' | 'number' | 'op' | '(' | ')' | 'end';

export interface GateToken {
  type: GateTokenType;
  text: string;
  /** Unquoted value of strings and backtick keys. */
  value: string;
  /** UTF-16 offsets into the source. */
  start: number;
  end: number;
}

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const OPERATOR = />=|<=|!=|<>|==|=|>|<|\+|-|\*|\//y;
const SPACE = /\s+/y;

/**
 * An INVALID_ARGUMENT error naming the 1-based character position in a gate condition, with the
 * condition repeated and a caret under the offending character.
 */
export function gateSyntaxError(source: string, index: number, message: string): CairnError {
  const position = [...source.slice(0, index)].length + 1;
  const shown = source.replace(/\s/g, ' ');
  return new CairnError('INVALID_ARGUMENT', `Invalid gate condition at position ${position}: ${message}\n  ${shown}\n  ${' '.repeat(position - 1)}^`, {
    details: { position },
  });
}

export function tokenizeGate(source: string): GateToken[] {
  const tokens: GateToken[] = [];
  let i = 0;
  const match = (re: RegExp): string | null => {
    re.lastIndex = i;
    return re.exec(source)?.[0] ?? null;
  };
  const push = (type: GateTokenType, text: string, value = text) => {
    tokens.push({ type, text, value, start: i, end: i + text.length });
    i += text.length;
  };
  while (i < source.length) {
    const ch = source[i]!;
    let m: string | null;
    if ((m = match(SPACE))) i += m.length;
    else if (ch === '(' || ch === ')') push(ch, ch);
    else if (ch === "'" || ch === '"' || ch === '`') {
      const text = readQuoted(source, i);
      push(ch === '`' ? 'backtick' : 'string', text, text.slice(1, -1).replaceAll(ch + ch, ch));
    } else if ((m = match(NUMBER))) {
      if (/[A-Za-z_]/.test(source[i + m.length] ?? '')) throw gateSyntaxError(source, i, `'${m}${source[i + m.length]}' is not a number`);
      push('number', m);
    } else if ((m = match(WORD))) push('word', m);
    else if ((m = match(OPERATOR))) push('op', m);
    else throw gateSyntaxError(source, i, `unexpected character '${String.fromCodePoint(source.codePointAt(i)!)}'`);
  }
  tokens.push({ type: 'end', text: '', value: '', start: source.length, end: source.length });
  return tokens;
}

function readQuoted(source: string, start: number): string {
  const quote = source[start]!;
  let j = start + 1;
  for (;;) {
    const next = source.indexOf(quote, j);
    if (next < 0) throw gateSyntaxError(source, start, `unterminated ${quote === '`' ? 'backtick-quoted key' : 'string'}: add the closing ${quote}`);
    if (source[next + 1] === quote) {
      j = next + 2;
      continue;
    }
    return source.slice(start, next + 1);
  }
}

export function describeToken(t: GateToken): string {
  return t.type === 'end' ? 'the end of the condition' : `'${t.text}'`;
}
