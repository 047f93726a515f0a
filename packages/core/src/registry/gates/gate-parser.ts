import { describeToken, gateSyntaxError, tokenizeGate, type GateToken } from './gate-lexer.js';

// Grammar of a gate condition (keywords case-insensitive):
//   condition := or
//   or        := and (OR and)*
//   and       := not (AND not)*
//   not       := NOT not | comparison
//   comparison:= sum (('=' | '!=' | '<' | '<=' | '>' | '>=') sum)?
//   sum       := product (('+' | '-') product)*
//   product   := unary (('*' | '/') unary)*
//   unary     := '-' unary | number | string | TRUE | FALSE | ref | '(' or ')'
//   ref       := [subject '.'] ('metrics' | 'params' | 'tags' | 'version_tags') '.' key
// A subject is `candidate` (the default), `current` (the holder of the gated alias) or any alias.
// Types are checked here: metrics are numbers, params and tags strings, and the whole is a boolean.

export type Entity = 'metrics' | 'params' | 'tags' | 'version_tags';
export type ValueType = 'number' | 'string' | 'boolean';

export type GateExpr =
  | { kind: 'literal'; value: number | string | boolean; type: ValueType }
  | { kind: 'ref'; subject: string; entity: Entity; key: string; text: string; type: ValueType }
  | { kind: 'neg'; operand: GateExpr; type: 'number' }
  | { kind: 'arith'; op: '+' | '-' | '*' | '/'; left: GateExpr; right: GateExpr; type: 'number' }
  | { kind: 'compare'; op: '=' | '!=' | '<' | '<=' | '>' | '>='; left: GateExpr; right: GateExpr; type: 'boolean' }
  | { kind: 'and' | 'or'; children: GateExpr[]; type: 'boolean' }
  | { kind: 'not'; operand: GateExpr; type: 'boolean' };

const ENTITIES: Record<string, Entity> = { metrics: 'metrics', metric: 'metrics', params: 'params', param: 'params', tags: 'tags', tag: 'tags', version_tags: 'version_tags' };
const KEYWORDS = ['and', 'or', 'not', 'true', 'false'];

class Parser {
  private i = 0;
  private readonly tokens: GateToken[];
  constructor(readonly source: string) {
    this.tokens = tokenizeGate(source);
  }
  peek(): GateToken {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
  next(): GateToken {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  isWord(word: string): boolean {
    const t = this.peek();
    return t.type === 'word' && t.text.toLowerCase() === word;
  }
  fail(at: GateToken | number, message: string) {
    return gateSyntaxError(this.source, typeof at === 'number' ? at : at.start, message);
  }
  expect(at: GateToken, expr: GateExpr, type: ValueType, what: string): GateExpr {
    if (expr.type !== type) throw this.fail(at, `${what} must be a ${type}, but this is a ${expr.type}`);
    return expr;
  }
}

/**
 * Parses and type-checks one gate condition. Errors are INVALID_ARGUMENT naming the position.
 *
 * @example
 * ```ts
 * parseGateCondition('metrics.auc >= champion.metrics.auc + 0.005');
 * parseGateCondition("tags.validation = 'passed' and metrics.latency_ms < 50");
 * ```
 */
export function parseGateCondition(source: string): GateExpr {
  if (typeof source !== 'string' || source.trim() === '') throw gateSyntaxError(String(source ?? ''), 0, 'the condition is empty');
  const p = new Parser(source);
  const first = p.peek();
  const expr = parseOr(p);
  if (p.peek().type !== 'end') {
    const t = p.peek();
    throw p.fail(t, t.type === ')' ? "this ')' has no matching '('" : `expected AND, OR, an operator or the end of the condition but found ${describeToken(t)}`);
  }
  return p.expect(first, expr, 'boolean', 'a condition');
}

function parseOr(p: Parser): GateExpr {
  return parseLogical(p, 'or', () => parseLogical(p, 'and', () => parseNot(p)));
}

function parseLogical(p: Parser, kind: 'and' | 'or', operand: () => GateExpr): GateExpr {
  const startToken = p.peek();
  const first = operand();
  if (!p.isWord(kind)) return first;
  const children = [p.expect(startToken, first, 'boolean', `each side of ${kind.toUpperCase()}`)];
  while (p.isWord(kind)) {
    p.next();
    const at = p.peek();
    children.push(p.expect(at, operand(), 'boolean', `each side of ${kind.toUpperCase()}`));
  }
  return { kind, children, type: 'boolean' };
}

function parseNot(p: Parser): GateExpr {
  if (!p.isWord('not')) return parseComparison(p);
  p.next();
  const at = p.peek();
  return { kind: 'not', operand: p.expect(at, parseNot(p), 'boolean', 'what NOT negates'), type: 'boolean' };
}

function parseComparison(p: Parser): GateExpr {
  const leftToken = p.peek();
  const left = parseSum(p);
  const opToken = p.peek();
  if (opToken.type !== 'op' || ['+', '-', '*', '/'].includes(opToken.text)) return left;
  p.next();
  const op = ({ '==': '=', '<>': '!=' } as Record<string, string>)[opToken.text] ?? opToken.text;
  const rightToken = p.peek();
  const right = parseSum(p);
  if (left.type === 'boolean') throw p.fail(leftToken, 'a comparison compares numbers or strings, not conditions; use AND or OR');
  if (right.type !== left.type) throw p.fail(rightToken, `'${opToken.text}' compares a ${left.type} on its left with a ${right.type} on its right; both sides must be ${left.type}s`);
  if (left.type === 'string' && op !== '=' && op !== '!=') throw p.fail(opToken, `strings compare only with = and !=, not '${opToken.text}'`);
  return { kind: 'compare', op: op as '=', left, right, type: 'boolean' };
}

function parseSum(p: Parser): GateExpr {
  return parseArith(p, ['+', '-'], () => parseArith(p, ['*', '/'], () => parseUnary(p)));
}

function parseArith(p: Parser, ops: string[], operand: () => GateExpr): GateExpr {
  const leftToken = p.peek();
  let left = operand();
  while (p.peek().type === 'op' && ops.includes(p.peek().text)) {
    const op = p.next();
    const rightToken = p.peek();
    const right = operand();
    p.expect(leftToken, left, 'number', `the left side of '${op.text}'`);
    p.expect(rightToken, right, 'number', `the right side of '${op.text}'`);
    left = { kind: 'arith', op: op.text as '+', left, right, type: 'number' };
  }
  return left;
}

function parseUnary(p: Parser): GateExpr {
  const t = p.peek();
  if (t.type === 'op' && t.text === '-') {
    p.next();
    const at = p.peek();
    return { kind: 'neg', operand: p.expect(at, parseUnary(p), 'number', "what '-' negates"), type: 'number' };
  }
  if (t.type === '(') {
    p.next();
    const inner = parseOr(p);
    if (p.peek().type !== ')') throw p.fail(p.peek(), `expected ')' to close the '(' at position ${t.start + 1} but found ${describeToken(p.peek())}`);
    p.next();
    return inner;
  }
  if (t.type === 'number') return { kind: 'literal', value: Number(p.next().text), type: 'number' };
  if (t.type === 'string') return { kind: 'literal', value: p.next().value, type: 'string' };
  if (p.isWord('true') || p.isWord('false')) return { kind: 'literal', value: p.next().text.toLowerCase() === 'true', type: 'boolean' };
  if (t.type === 'word' && !KEYWORDS.includes(t.text.toLowerCase())) return parseRef(p);
  throw p.fail(t, `expected a number, a quoted string or a key such as metrics.auc but found ${describeToken(t)}`);
}

function parseRef(p: Parser): GateExpr {
  const word = p.next();
  const parts = word.text.split('.');
  let subject = 'candidate';
  if (!ENTITIES[parts[0]!.toLowerCase()]) {
    subject = parts.shift()!;
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(subject)) throw p.fail(word, `'${subject}' is not an alias`);
  }
  const entityName = parts.shift()?.toLowerCase() ?? '';
  const entity = ENTITIES[entityName];
  if (!entity) throw p.fail(word, `unknown key '${word.text}'; keys are metrics.<key>, params.<key>, tags.<key> or version_tags.<key>, optionally after an alias (champion.metrics.auc)`);
  let key = parts.join('.');
  let end = word.end;
  if (key === '') {
    const quoted = p.peek();
    if (quoted.type !== 'backtick' || quoted.start !== word.end || !word.text.endsWith('.')) {
      throw p.fail(word.end, `expected a key after '${word.text}'; quote keys with spaces or symbols in backticks: ${word.text.replace(/\.?$/, '.')}\`val-auc\``);
    }
    key = p.next().value;
    end = quoted.end;
  }
  if (key === '') throw p.fail(word, 'the key is empty');
  const type: ValueType = entity === 'metrics' ? 'number' : 'string';
  return { kind: 'ref', subject: subject.toLowerCase() === 'candidate' ? 'candidate' : subject, entity, key, text: p.source.slice(word.start, end), type };
}

/** Every reference in a condition, in order of appearance. */
export function refsOf(expr: GateExpr): Array<Extract<GateExpr, { kind: 'ref' }>> {
  switch (expr.kind) {
    case 'ref': return [expr];
    case 'literal': return [];
    case 'neg':
    case 'not': return refsOf(expr.operand);
    case 'arith':
    case 'compare': return [...refsOf(expr.left), ...refsOf(expr.right)];
    default: return expr.children.flatMap(refsOf);
  }
}
