import type { Comparison, FilterNode, LogicalNode, NumericOperator, SearchTarget, StringOperator } from './ast.js';
import { datasetField, filterAttribute, type FieldSpec } from './fields.js';
import { describe, isKeyword, type Token } from './lexer.js';
import { TokenCursor, type KeyRef } from './token-cursor.js';

// MLflow's filter grammar, plus OR and parentheses:
//   filter     := conjunction (OR conjunction)*
//   conjunction:= primary (AND primary)*
//   primary    := '(' filter ')' | key operator value
// Keywords are case-insensitive. Metrics and time attributes compare with numbers; params, tags, string
// attributes and dataset fields with quoted strings or, for IN / NOT IN, a list of them.

const NUMERIC_OPERATORS = ['=', '!=', '>', '>=', '<', '<='] as const;
const STRING_OPERATORS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;

/**
 * Parses a search filter; an empty or blank filter is no filter (`null`).
 *
 * @example
 * ```ts
 * parseFilter("metrics.acc > 0.9 and (params.model = 'cnn' or tags.`team name` ILIKE 'vision%')", 'runs');
 * ```
 */
export function parseFilter(filter: string | undefined, target: SearchTarget): FilterNode | null {
  if (filter === undefined || filter.trim() === '') return null;
  const cursor = new TokenCursor(filter, 'filter', target);
  const node = parseDisjunction(cursor);
  const rest = cursor.peek();
  if (rest.type === ')') throw cursor.fail(rest, "this ')' has no matching '('");
  if (rest.type !== 'end') throw cursor.unexpected('AND, OR or the end of the filter');
  return node;
}

function parseDisjunction(cursor: TokenCursor): FilterNode {
  return parseLogical(cursor, 'or', () => parseLogical(cursor, 'and', () => parsePrimary(cursor)));
}

function parseLogical(cursor: TokenCursor, kind: LogicalNode['kind'], operand: () => FilterNode): FilterNode {
  const children = [operand()];
  while (isKeyword(cursor.peek(), kind.toUpperCase())) {
    cursor.next();
    children.push(operand());
  }
  if (children.length === 1) return children[0] as FilterNode;
  // `a AND (b AND c)` is `a AND b AND c`: flattening keeps the tree shallow for the SQL compiler.
  return { kind, children: children.flatMap((c) => (c.kind === kind ? c.children : [c])) };
}

function parsePrimary(cursor: TokenCursor): FilterNode {
  const open = cursor.peek();
  if (open.type !== '(') return parseComparison(cursor);
  cursor.budget.open(open.start);
  cursor.next();
  const node = parseDisjunction(cursor);
  cursor.budget.close();
  if (cursor.peek().type !== ')') {
    const position = [...cursor.source.slice(0, open.start)].length + 1;
    throw cursor.unexpected(`AND, OR or ')' to close the '(' at position ${position}`);
  }
  cursor.next();
  return node;
}

function parseComparison(cursor: TokenCursor): Comparison {
  cursor.budget.term(cursor.peek().start);
  const key = cursor.readKey();
  const spec = fieldOf(cursor, key);
  const opToken = cursor.peek();
  const op = readOperator(cursor, key);
  const base = { kind: 'comparison' as const, entity: key.entity, key: spec.name };
  if (spec.type === 'number') {
    if (!isNumericOperator(op)) throw wrongOperator(cursor, opToken, key, 'numeric', NUMERIC_OPERATORS);
    const value = readValue(cursor, opToken);
    if (value.type !== 'number') {
      throw cursor.fail(value, `'${key.text}' is numeric: compare it with a number, not the string ${value.text}`);
    }
    return { ...base, valueType: 'number', op, value: Number(value.text) };
  }
  if (op === 'IN' || op === 'NOT IN') return { ...base, valueType: 'list', op, value: readList(cursor, op) };
  if (!isStringOperator(op)) throw wrongOperator(cursor, opToken, key, 'a string', STRING_OPERATORS);
  const value = readValue(cursor, opToken);
  if (value.type !== 'string') {
    throw cursor.fail(value, `'${key.text}' is a string: quote the value, as in ${key.text} ${opToken.text} '${value.text}'`);
  }
  return { ...base, valueType: 'string', op, value: value.value };
}

const isNumericOperator = (op: string): op is NumericOperator => (NUMERIC_OPERATORS as readonly string[]).includes(op);
const isStringOperator = (op: string): op is StringOperator => (STRING_OPERATORS as readonly string[]).includes(op);

function wrongOperator(cursor: TokenCursor, at: Token, key: KeyRef, kind: string, allowed: readonly string[]) {
  return cursor.fail(at, `'${key.text}' is ${kind} and cannot be compared with ${at.text.toUpperCase()}; use ${allowed.join(', ')}`);
}

function readValue(cursor: TokenCursor, opToken: Token): Token {
  const value = cursor.peek();
  if (value.type !== 'number' && value.type !== 'string') throw cursor.unexpected(`a value after '${opToken.text}'`);
  return cursor.next();
}

function fieldOf(cursor: TokenCursor, key: KeyRef): FieldSpec {
  let spec: FieldSpec | string;
  if (key.entity === 'attribute') spec = filterAttribute(cursor.target, key.key);
  else if (key.entity === 'dataset') spec = datasetField(key.key);
  else spec = { name: key.key, type: key.entity === 'metric' ? 'number' : 'string', nullable: false };
  if (typeof spec === 'string') throw cursor.fail(key.start, spec);
  return spec;
}

function readOperator(cursor: TokenCursor, key: KeyRef): NumericOperator | StringOperator | 'IN' | 'NOT IN' {
  const token = cursor.peek();
  if (token.type === 'operator') {
    cursor.next();
    return token.text as NumericOperator;
  }
  for (const word of ['LIKE', 'ILIKE', 'IN'] as const) {
    if (isKeyword(token, word)) {
      cursor.next();
      return word;
    }
  }
  if (isKeyword(token, 'NOT')) {
    cursor.next();
    if (!isKeyword(cursor.peek(), 'IN')) throw cursor.unexpected("IN after NOT (NOT LIKE is not supported)");
    cursor.next();
    return 'NOT IN';
  }
  throw cursor.fail(token, `expected an operator after '${key.text}' but found ${describe(token)}`);
}

function readList(cursor: TokenCursor, op: string): string[] {
  if (cursor.peek().type !== '(') throw cursor.unexpected(`a list of quoted strings after ${op}, such as ('a', 'b')`);
  cursor.next();
  if (cursor.peek().type === ')') throw cursor.fail(cursor.peek(), `the ${op} list is empty; give at least one value`);
  const values: string[] = [];
  for (;;) {
    const item: Token = cursor.peek();
    if (item.type !== 'string') throw cursor.unexpected(`a quoted string in the ${op} list`);
    cursor.budget.listValue(item.start);
    cursor.next();
    values.push(item.value);
    const sep = cursor.next();
    if (sep.type === ')') return values;
    if (sep.type !== ',') throw cursor.fail(sep, `expected ',' or ')' in the ${op} list but found ${describe(sep)}`);
  }
}
