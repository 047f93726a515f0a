import { describe, isKeyword, tokenize, type Token } from '../../tracking/search/lexer.js';
import { FilterBudget, checkFilterLength, checkOrderByCount } from '../../tracking/search/limits.js';
import { syntaxError } from '../../tracking/search/syntax-error.js';
import { invalid } from '../../errors.js';

// The filter language of registry searches: MLflow's (`name LIKE '%churn%'`, `tags.team = 'risk'`,
// `run_id IN ('…')`) plus AND, OR and parentheses, tokenized by the tracking search lexer so quoting
// and error positions work the same everywhere.

export type RegistryTarget = 'models' | 'versions';

export interface RegistryComparison {
  kind: 'comparison';
  /** An attribute (`name`, `run_id`, `version_number`, …), a tag, or an alias the model (or version) holds. */
  field: { kind: 'attribute'; name: string; type: 'string' | 'number' } | { kind: 'tag'; key: string } | { kind: 'alias' };
  op: string;
  value: string | number | Array<string | number>;
}

export interface RegistryLogical {
  kind: 'and' | 'or';
  children: RegistryFilter[];
}

export type RegistryFilter = RegistryComparison | RegistryLogical;

type AttributeSpec = { column: string; type: 'string' | 'number' };

/** Attribute names per target, MLflow's spellings first, and the column each compares. */
export const REGISTRY_ATTRIBUTES: Record<RegistryTarget, Record<string, AttributeSpec>> = {
  models: {
    name: { column: 'm.name', type: 'string' },
    creation_timestamp: { column: 'm.creation_time', type: 'number' },
    last_updated_timestamp: { column: 'm.last_updated_time', type: 'number' },
  },
  versions: {
    name: { column: 'm.name', type: 'string' },
    version_number: { column: 'v.version', type: 'number' },
    run_id: { column: 'v.run_id', type: 'string' },
    source_path: { column: 'v.source', type: 'string' },
    status: { column: 'v.status', type: 'string' },
    current_stage: { column: 'v.current_stage', type: 'string' },
    format: { column: 'v.format', type: 'string' },
    creation_timestamp: { column: 'v.creation_time', type: 'number' },
    last_updated_timestamp: { column: 'v.last_updated_time', type: 'number' },
  },
};

const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
// `alias = 'champion'` asks whether any alias matches; a negation of that is not what a reader expects.
const ALIAS_OPS = ['=', 'LIKE', 'ILIKE', 'IN'];
const NUMBER_OPS = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'];

class Cursor {
  private i = 0;
  /** What the filter holds so far, against SEARCH_LIMITS (the same bounds as tracking searches). */
  readonly budget = new FilterBudget((at, message) => this.fail(at, message));
  constructor(readonly source: string, private readonly tokens: Token[]) {}
  peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  fail(at: Token | number, message: string) {
    return syntaxError('filter', this.source, typeof at === 'number' ? at : at.start, message);
  }
}

/**
 * Parses a registry search filter; blank means no filter.
 *
 * @example
 * ```ts
 * parseRegistryFilter("name LIKE 'churn%' and tags.team = 'risk'", 'models');
 * ```
 */
export function parseRegistryFilter(filter: string | undefined, target: RegistryTarget): RegistryFilter | null {
  if (filter === undefined || filter.trim() === '') return null;
  const c = new Cursor(filter, tokenize(filter, 'filter'));
  const node = parseLogical(c, target, 'or');
  if (c.peek().type !== 'end') throw c.fail(c.peek(), `expected AND, OR or the end of the filter but found ${describe(c.peek())}`);
  return node;
}

function parseLogical(c: Cursor, target: RegistryTarget, kind: 'and' | 'or'): RegistryFilter {
  const operand = () => (kind === 'or' ? parseLogical(c, target, 'and') : parsePrimary(c, target));
  const children = [operand()];
  while (isKeyword(c.peek(), kind.toUpperCase())) {
    c.next();
    children.push(operand());
  }
  return children.length === 1 ? children[0]! : { kind, children };
}

function parsePrimary(c: Cursor, target: RegistryTarget): RegistryFilter {
  if (c.peek().type !== '(') return parseComparison(c, target);
  const open = c.next();
  c.budget.open(open.start);
  const node = parseLogical(c, target, 'or');
  c.budget.close();
  if (c.peek().type !== ')') throw c.fail(c.peek(), `expected ')' to close the '(' at position ${open.start + 1} but found ${describe(c.peek())}`);
  c.next();
  return node;
}

function parseComparison(c: Cursor, target: RegistryTarget): RegistryComparison {
  c.budget.term(c.peek().start);
  const key = c.next();
  let field: RegistryComparison['field'];
  if (key.type === 'word' && /^(tags?)\./i.test(key.text)) {
    let tag = key.text.slice(key.text.indexOf('.') + 1);
    if (tag === '') {
      const quoted = c.peek();
      if (quoted.start !== key.end || (quoted.type !== 'backtick' && quoted.quote !== '"')) throw c.fail(key.end, 'expected a tag key after the dot; quote keys with spaces in backticks');
      tag = c.next().value;
    }
    field = { kind: 'tag', key: tag };
  } else if (key.type === 'word' && /^(alias|aliases)$/i.test(key.text)) {
    field = { kind: 'alias' };
  } else if (key.type === 'word' || key.type === 'backtick') {
    const name = (key.type === 'word' ? key.text.replace(/^attributes?\./i, '') : key.value).toLowerCase();
    const alias = name === 'version' ? 'version_number' : name;
    const spec = REGISTRY_ATTRIBUTES[target][alias];
    if (!spec) throw c.fail(key, `unknown key '${key.text}'; use tags.<key>, alias or one of ${Object.keys(REGISTRY_ATTRIBUTES[target]).join(', ')}`);
    field = { kind: 'attribute', name: alias, type: spec.type };
  } else {
    throw c.fail(key, `expected a key such as name or tags.team but found ${describe(key)}`);
  }
  const opToken = c.next();
  let op: string;
  if (opToken.type === 'operator') op = opToken.text;
  else if (isKeyword(opToken, 'NOT') && isKeyword(c.peek(), 'IN')) {
    c.next();
    op = 'NOT IN';
  } else if (opToken.type === 'word' && ['LIKE', 'ILIKE', 'IN'].includes(opToken.text.toUpperCase())) op = opToken.text.toUpperCase();
  else throw c.fail(opToken, `expected an operator after '${key.text}' but found ${describe(opToken)}`);
  const type = field.kind === 'attribute' ? field.type : 'string';
  const allowed = field.kind === 'alias' ? ALIAS_OPS : type === 'number' ? NUMBER_OPS : STRING_OPS;
  if (!allowed.includes(op)) throw c.fail(opToken, `'${key.text}' cannot be compared with ${op}; use ${allowed.join(', ')}`);
  if (op === 'IN' || op === 'NOT IN') return { kind: 'comparison', field, op, value: readList(c, type) };
  const value = c.next();
  if (type === 'number' && value.type !== 'number') throw c.fail(value, `'${key.text}' is numeric: compare it with a number`);
  if (type === 'string' && value.type !== 'string') throw c.fail(value, `'${key.text}' is a string: quote the value, as in ${key.text} ${op} 'value'`);
  return { kind: 'comparison', field, op, value: type === 'number' ? Number(value.text) : value.value };
}

function readList(c: Cursor, type: 'string' | 'number'): Array<string | number> {
  const open = c.next();
  if (open.type !== '(') throw c.fail(open, `expected a list such as ('a', 'b') but found ${describe(open)}`);
  const values: Array<string | number> = [];
  for (;;) {
    const item = c.next();
    if (item.type !== (type === 'number' ? 'number' : 'string')) throw c.fail(item, `expected a ${type === 'number' ? 'number' : 'quoted string'} in the list but found ${describe(item)}`);
    c.budget.listValue(item.start);
    values.push(type === 'number' ? Number(item.text) : item.value);
    const sep = c.next();
    if (sep.type === ')') return values;
    if (sep.type !== ',') throw c.fail(sep, `expected ',' or ')' in the list but found ${describe(sep)}`);
  }
}

/** `name`, `name DESC`, `last_updated_timestamp ASC`: the order terms of a registry search. */
export function parseRegistryOrder(orderBy: string[] | undefined, target: RegistryTarget): Array<{ column: string; ascending: boolean }> {
  checkOrderByCount(orderBy, (message) => invalid(message, { field: 'order_by' }));
  return (orderBy ?? []).map((term) => {
    checkFilterLength(term, 'order_by clause');
    const m = /^\s*`?([A-Za-z_.]+)`?\s*(?:\s(ASC|DESC))?\s*$/i.exec(term);
    const name = m?.[1]?.toLowerCase().replace(/^attributes?\./, '');
    // MLflow accepts `timestamp` for the last update and `version` for the version number.
    const canonical = name === 'version' ? 'version_number' : name === 'timestamp' ? 'last_updated_timestamp' : name;
    const spec = canonical ? REGISTRY_ATTRIBUTES[target][canonical] : undefined;
    if (!m || !spec) {
      throw syntaxError('order_by clause', term, 0, `order by one of ${Object.keys(REGISTRY_ATTRIBUTES[target]).filter((k) => !['run_id', 'source_path'].includes(k)).join(', ')}, optionally followed by ASC or DESC`);
    }
    return { column: spec.column, ascending: (m[2] ?? 'ASC').toUpperCase() === 'ASC' };
  });
}
