import { describe, expect, it } from 'vitest';
import { CairnError } from '../../errors.js';
import type { FilterNode } from './ast.js';
import { parseOrderBy } from './order-by.js';
import { SEARCH_LIMITS } from './limits.js';
import { parseFilter } from './parser.js';
import { parseRegistryFilter, parseRegistryOrder } from '../../registry/search/registry-filter.js';

const cmp = (entity: string, key: string, op: string, value: unknown, valueType = typeof value === 'number' ? 'number' : Array.isArray(value) ? 'list' : 'string') =>
  ({ kind: 'comparison', entity, key, op, value, valueType }) as FilterNode;

function errorOf(run: () => unknown): CairnError {
  try {
    run();
  } catch (e) {
    if (e instanceof CairnError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('parseFilter', () => {
  it('reads no filter from an empty or blank string', () => {
    expect(parseFilter(undefined, 'runs')).toBeNull();
    expect(parseFilter('', 'runs')).toBeNull();
    expect(parseFilter(' \n\t ', 'runs')).toBeNull();
  });

  it.each([
    ['metrics.acc > 0.9', cmp('metric', 'acc', '>', 0.9)],
    ['metric.acc>=-1.5e-3', cmp('metric', 'acc', '>=', -0.0015)],
    ['metrics.acc < .5', cmp('metric', 'acc', '<', 0.5)],
    ['metrics.acc <= 2.', cmp('metric', 'acc', '<=', 2)],
    ['metrics.acc != 1E3', cmp('metric', 'acc', '!=', 1000)],
    ['metrics.acc = 1e999', cmp('metric', 'acc', '=', Infinity)],
    ["params.lr = '0.1'", cmp('param', 'lr', '=', '0.1')],
    ['param.lr = "0.1"', cmp('param', 'lr', '=', '0.1')],
    ["parameters.lr != 'x'", cmp('param', 'lr', '!=', 'x')],
    ["parameter.lr LIKE '0.%'", cmp('param', 'lr', 'LIKE', '0.%')],
    ["tags.team ilike 'Vision%'", cmp('tag', 'team', 'ILIKE', 'Vision%')],
    ["tag.team In ('a', \"b\")", cmp('tag', 'team', 'IN', ['a', 'b'])],
    ["tags.team not  in ('a')", cmp('tag', 'team', 'NOT IN', ['a'])],
    ["tags.mlflow.parentRunId = 'abc'", cmp('tag', 'mlflow.parentRunId', '=', 'abc')],
    ['tags."mlflow.source.name" = \'train.py\'', cmp('tag', 'mlflow.source.name', '=', 'train.py')],
    ["metrics.`my metric` > 1", cmp('metric', 'my metric', '>', 1)],
    ['metrics.`a``b` > 1', cmp('metric', 'a`b', '>', 1)],
    ["params.\"it\"\"s\" = 'it''s'", cmp('param', 'it"s', '=', "it's")],
    ['tags.x = "say ""hi"""', cmp('tag', 'x', '=', 'say "hi"')],
    ["metrics.eval/loss-v2:x < 3", cmp('metric', 'eval/loss-v2:x', '<', 3)],
    ["metrics.accuracy_été > 0", cmp('metric', 'accuracy_été', '>', 0)],
    ["run_name = 'a'", cmp('attribute', 'run_name', '=', 'a')],
    ["attributes.run_name = 'a'", cmp('attribute', 'run_name', '=', 'a')],
    ["attribute.status != 'FAILED'", cmp('attribute', 'status', '!=', 'FAILED')],
    ["attr.user_id IN ('ana')", cmp('attribute', 'user_id', 'IN', ['ana'])],
    ["run.run_id = 'abc'", cmp('attribute', 'run_id', '=', 'abc')],
    ["attributes.`run name` = 'x'", cmp('attribute', 'run_name', '=', 'x')],
    ['created > 5', cmp('attribute', 'start_time', '>', 5)],
    ['Created > 5', cmp('attribute', 'start_time', '>', 5)],
    ['attributes.end_time <= 10', cmp('attribute', 'end_time', '<=', 10)],
    ["artifact_uri LIKE '%x'", cmp('attribute', 'artifact_uri', 'LIKE', '%x')],
    ["lifecycle_stage = 'deleted'", cmp('attribute', 'lifecycle_stage', '=', 'deleted')],
    ["datasets.name = 'mnist'", cmp('dataset', 'name', '=', 'mnist')],
    ["dataset.digest IN ('d1', 'd2')", cmp('dataset', 'digest', 'IN', ['d1', 'd2'])],
    ["datasets.context ILIKE 'train%'", cmp('dataset', 'context', 'ILIKE', 'train%')],
    ["params.x = ''", cmp('param', 'x', '=', '')],
    ["params.x = '😀 %_'", cmp('param', 'x', '=', '😀 %_')],
    // Backtick-quoted entities, as MLflow accepts them, with an unquoted or a quoted key.
    ['`metrics`.acc > 1', cmp('metric', 'acc', '>', 1)],
    ['`metrics`.`my metric` > 1', cmp('metric', 'my metric', '>', 1)],
    ["`params`.\"lr\" = '1'", cmp('param', 'lr', '=', '1')],
    ["`tags`.mlflow.runName = 'x'", cmp('tag', 'mlflow.runName', '=', 'x')],
    ["`attributes`.status = 'FAILED'", cmp('attribute', 'status', '=', 'FAILED')],
    ["`Datasets`.context = 'training'", cmp('dataset', 'context', '=', 'training')],
    ["`run_name` = 'a'", cmp('attribute', 'run_name', '=', 'a')],
  ])('parses %s', (text, expected) => {
    expect(parseFilter(text, 'runs')).toEqual(expected);
  });

  it('binds AND tighter than OR and honours parentheses', () => {
    const a = cmp('metric', 'a', '>', 1);
    const b = cmp('metric', 'b', '>', 1);
    const c = cmp('metric', 'c', '>', 1);
    expect(parseFilter('metrics.a > 1 OR metrics.b > 1 and metrics.c > 1', 'runs')).toEqual({ kind: 'or', children: [a, { kind: 'and', children: [b, c] }] });
    expect(parseFilter('(metrics.a > 1 or metrics.b > 1) AND metrics.c > 1', 'runs')).toEqual({ kind: 'and', children: [{ kind: 'or', children: [a, b] }, c] });
    expect(parseFilter('metrics.a > 1 and (metrics.b > 1 and metrics.c > 1)', 'runs')).toEqual({ kind: 'and', children: [a, b, c] });
    expect(parseFilter('((metrics.a > 1))', 'runs')).toEqual(a);
  });

  it('reads keywords in any case and needs no spaces around operators', () => {
    expect(parseFilter("metrics.a>1 aNd params.b='x' oR tags.c iLiKe 'y'", 'runs')).toEqual({
      kind: 'or',
      children: [{ kind: 'and', children: [cmp('metric', 'a', '>', 1), cmp('param', 'b', '=', 'x')] }, cmp('tag', 'c', 'ILIKE', 'y')],
    });
  });

  it('knows the experiment keys', () => {
    expect(parseFilter("name LIKE 'exp%' and attributes.creation_time > 0 and last_update_time < 5 and tags.team = 'x'", 'experiments')).toEqual({
      kind: 'and',
      children: [cmp('attribute', 'name', 'LIKE', 'exp%'), cmp('attribute', 'creation_time', '>', 0), cmp('attribute', 'last_update_time', '<', 5), cmp('tag', 'team', '=', 'x')],
    });
  });

  it.each([
    ['metrics.acc foo 1', 13, "expected an operator after 'metrics.acc' but found 'foo'"],
    ['metrics.acc', 12, "expected an operator after 'metrics.acc' but found the end of the input"],
    ['metrics.acc >', 14, "expected a value after '>'"],
    ["params.lr > '1'", 11, "'params.lr' is a string and cannot be compared with >"],
    ['metrics.acc LIKE 1', 13, "'metrics.acc' is numeric and cannot be compared with LIKE"],
    ["metrics.acc IN ('1')", 13, "'metrics.acc' is numeric and cannot be compared with IN"],
    ["metrics.acc = 'x'", 15, "compare it with a number, not the string 'x'"],
    ['params.lr = 0.1', 13, "quote the value, as in params.lr = '0.1'"],
    ["start_time > '5'", 14, 'compare it with a number'],
    ['run_name = 5', 12, 'quote the value'],
    ['foo.bar = 1', 1, "unknown entity 'foo' in 'foo.bar'"],
    ['acc > 1', 1, "unknown attribute 'acc'; valid attributes are run_id, run_name"],
    ["datasets.size = 'x'", 1, "unknown dataset field 'size'"],
    ['metrics. = 1', 9, "expected a key after 'metrics.'"],
    ["tags.'x' = 'y'", 6, "expected a key after 'tags.'"],
    ['metrics.`` = 1', 1, 'the key is empty'],
    ['`foo`.acc > 1', 1, "unknown entity 'foo' in '`foo`.acc'"],
    ['`metrics`. = 1', 11, "expected a key after '`metrics`.'"],
    ['`metrics` .acc > 1', 11, "unexpected character '.'"],
    ['(metrics.a > 1', 15, "AND, OR or ')' to close the '(' at position 1"],
    ['metrics.a > 1)', 14, "this ')' has no matching '('"],
    ['metrics.a > 1 metrics.b > 1', 15, "expected AND, OR or the end of the filter but found 'metrics.b'"],
    ['metrics.a > 1 AND', 18, 'expected a key such as metrics.acc'],
    ['AND metrics.a > 1', 1, "expected a key such as metrics.acc, params.lr or run_name but found 'AND'"],
    ['()', 2, 'expected a key'],
    ["tags.x IN ()", 12, 'the IN list is empty'],
    ["tags.x IN 'a'", 11, "expected a list of quoted strings after IN, such as ('a', 'b')"],
    ["tags.x IN ('a',)", 16, 'expected a quoted string in the IN list'],
    ["tags.x NOT IN ('a' 'b')", 20, "expected ',' or ')' in the NOT IN list but found ''b''"],
    ["tags.x IN ('a', 1)", 17, 'expected a quoted string in the IN list'],
    ["tags.x NOT LIKE 'a'", 12, 'expected IN after NOT'],
    ["tags.x = 'abc", 10, "unterminated string: add the closing '"],
    ['tags.`abc = 1', 6, 'unterminated backtick-quoted key'],
    ['metrics.a > 1abc', 13, "'1abc' is not a number"],
    ['metrics.a > 1.5.2', 13, "'1.5.2' is not a number"],
    ['metrics.a == 1', 12, "expected a value after '='"],
    ['metrics.a <> 1', 12, "expected a value after '<'"],
    ['metrics.a ~ 1', 11, "unexpected character '~'"],
    ['😀 metrics.a > 1', 1, "unexpected character '😀'"],
    ["tags.x = 'a\u0000b'", 12, 'a NUL character cannot appear here'],
    ['tags.`\u0000` = 1', 7, 'a NUL character cannot appear here'],
    ["params.`😀` = 'a' and metrics.a > x", 34, "expected a value after '>' but found 'x'"],
  ])('rejects %s at position %i', (text, position, message) => {
    const e = errorOf(() => parseFilter(text, 'runs'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain(`Invalid filter at position ${position}: `);
    expect(e.message).toContain(message);
    const [, excerpt, caret] = e.message.split('\n');
    expect(excerpt).toBe(`  ${text}`);
    expect(caret).toBe(`  ${' '.repeat(position - 1)}^`);
  });

  it('shows a window of a long filter around the error', () => {
    const text = `${"params.p = 'x' AND ".repeat(20)}params.q > 'y'`;
    const e = errorOf(() => parseFilter(text, 'runs'));
    const [, excerpt, caret] = e.message.split('\n') as [string, string, string];
    expect(excerpt.length).toBeLessThan(110);
    expect(excerpt[caret.indexOf('^')]).toBe('>');
  });

  it('rejects keys the target does not have', () => {
    expect(errorOf(() => parseFilter('metrics.acc > 1', 'experiments')).message).toContain("unknown entity 'metrics' in 'metrics.acc'; keys start with tags. or attributes.");
    expect(errorOf(() => parseFilter("run_name = 'x'", 'experiments')).message).toContain("unknown attribute 'run_name'; valid attributes are name, creation_time, last_update_time");
    expect(errorOf(() => parseFilter("name = 'x'", 'runs')).message).toContain("unknown attribute 'name'");
  });
});

describe('search limits', () => {
  const { maxTerms, maxNesting, maxListValues, maxOrderBy } = SEARCH_LIMITS;
  const ors = (n: number) => Array.from({ length: n }, (_, i) => `tags.t${i} = 'x'`).join(' OR ');
  const nested = (depth: number) => `${'('.repeat(depth)}tags.t = 'x'${')'.repeat(depth)}`;
  const list = (n: number) => `tags.t IN (${Array.from({ length: n }, (_, i) => `'${i}'`).join(', ')})`;
  const parsers = { runs: (f: string) => parseFilter(f, 'runs'), experiments: (f: string) => parseFilter(f, 'experiments'), models: (f: string) => parseRegistryFilter(f, 'models') };

  it.each(Object.entries(parsers))('takes filters at the limits and refuses one more, naming the limit (%s)', (_, parse) => {
    expect(parse(ors(maxTerms))).toMatchObject({ kind: 'or' });
    expect(parse(nested(maxNesting))).toMatchObject({ kind: 'comparison' });
    expect(parse(list(maxListValues))).toMatchObject({ kind: 'comparison' });
    expect(errorOf(() => parse(ors(maxTerms + 1))).message).toMatch(new RegExp(`at position \\d+: the filter holds more than ${maxTerms} comparisons, the limit`));
    expect(errorOf(() => parse(nested(maxNesting + 1))).message).toContain(`at position ${maxNesting + 1}: parentheses nest more than ${maxNesting} levels deep, the limit`);
    expect(errorOf(() => parse(list(maxListValues + 1))).message).toContain(`more than ${maxListValues} values in all, the limit`);
  });

  it.each(Object.entries(parsers))('refuses 100,000 nested parentheses and 50,000 ORs without overflowing the stack (%s)', (_, parse) => {
    expect(errorOf(() => parse(nested(100_000))).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => parse(ors(50_000))).code).toBe('INVALID_ARGUMENT');
  });

  it('limits order_by clauses', () => {
    expect(parseOrderBy(Array(maxOrderBy).fill('params.a'), 'runs')).toHaveLength(maxOrderBy + 2);
    expect(errorOf(() => parseOrderBy(Array(maxOrderBy + 1).fill('params.a'), 'runs')).message).toBe(`order_by has ${maxOrderBy + 1} clauses; the limit is ${maxOrderBy}. Order by fewer keys.`);
    expect(parseRegistryOrder(Array(maxOrderBy).fill('name'), 'models')).toHaveLength(maxOrderBy);
    expect(errorOf(() => parseRegistryOrder(Array(maxOrderBy + 1).fill('name'), 'models')).code).toBe('INVALID_ARGUMENT');
  });
});

describe('parseOrderBy', () => {
  const tail = [
    { entity: 'attribute', key: 'start_time', ascending: false },
    { entity: 'attribute', key: 'run_id', ascending: true },
  ];

  it('defaults to the newest runs first, then the id', () => {
    expect(parseOrderBy(undefined, 'runs')).toEqual(tail);
    expect(parseOrderBy([], 'runs')).toEqual(tail);
  });

  it('reads keys and directions and appends the tie-breakers', () => {
    expect(parseOrderBy(['metrics.`val loss` DESC', 'params.lr', 'tags.mlflow.user asc', 'attributes.created Desc', 'run_name', 'end_time DESC'], 'runs')).toEqual([
      { entity: 'metric', key: 'val loss', ascending: false },
      { entity: 'param', key: 'lr', ascending: true },
      { entity: 'tag', key: 'mlflow.user', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: false },
      { entity: 'attribute', key: 'run_name', ascending: true },
      { entity: 'attribute', key: 'end_time', ascending: false },
      ...tail,
    ]);
  });

  it("breaks experiments' ties as MLflow does when asked: experiment_id DESC after an explicit order", () => {
    const asc = { entity: 'attribute', key: 'experiment_id', ascending: true };
    const desc = { ...asc, ascending: false };
    expect(parseOrderBy(undefined, 'experiments', 'mlflow')).toEqual([{ entity: 'attribute', key: 'creation_time', ascending: false }, asc]);
    expect(parseOrderBy(['name'], 'experiments', 'mlflow')).toEqual([{ entity: 'attribute', key: 'name', ascending: true }, desc]);
    expect(parseOrderBy(['experiment_id'], 'experiments', 'mlflow')).toEqual([asc, desc]);
    expect(parseOrderBy(['name'], 'experiments')).toEqual([{ entity: 'attribute', key: 'name', ascending: true }, asc]);
  });

  it('reads backtick-quoted entities', () => {
    expect(parseOrderBy(['`metrics`.`val loss` DESC', '`tags`.team'], 'runs').slice(0, 2)).toEqual([
      { entity: 'metric', key: 'val loss', ascending: false },
      { entity: 'tag', key: 'team', ascending: true },
    ]);
  });

  it('orders experiments newest first by default and always ends with the id', () => {
    const id = { entity: 'attribute', key: 'experiment_id', ascending: true };
    expect(parseOrderBy(undefined, 'experiments')).toEqual([{ entity: 'attribute', key: 'creation_time', ascending: false }, id]);
    expect(parseOrderBy(['name DESC', 'tags.team'], 'experiments')).toEqual([
      { entity: 'attribute', key: 'name', ascending: false },
      { entity: 'tag', key: 'team', ascending: true },
      id,
    ]);
  });

  it.each([
    ['metrics.a DOWN', 11, "expected ASC, DESC or the end of the clause but found 'DOWN'"],
    ['metrics.a ASC DESC', 15, 'expected ASC, DESC or the end of the clause'],
    ['', 1, 'expected a key'],
    ['datasets.name', 1, 'runs cannot be ordered by dataset fields'],
    ['size', 1, "unknown attribute 'size'"],
  ])('rejects %s at position %i', (text, position, message) => {
    const e = errorOf(() => parseOrderBy([text], 'runs'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain(`Invalid order_by clause at position ${position}: ${message}`);
  });

  it('rejects run keys for experiments', () => {
    expect(errorOf(() => parseOrderBy(['metrics.a'], 'experiments')).message).toContain("unknown entity 'metrics'");
    expect(errorOf(() => parseOrderBy(['start_time'], 'experiments')).message).toContain("unknown attribute 'start_time'");
    expect(errorOf(() => parseFilter("team = 'risk'", 'experiments')).message).toContain('Did you mean tags.team?');
  });

  it('suggests the metric when a bare name is not an attribute (`auc` for `metrics.auc`)', () => {
    expect(errorOf(() => parseOrderBy(['auc DESC'], 'runs')).message).toMatch(/unknown attribute 'auc'; .*Did you mean metrics\.auc \(or params\.auc, tags\.auc\)\?/);
    expect(errorOf(() => parseFilter('acc > 1', 'runs')).message).toContain('Did you mean metrics.acc (or params.acc, tags.acc)?');
    expect(errorOf(() => parseOrderBy(['`val loss` ASC'], 'runs')).message).toContain('Did you mean metrics.`val loss`');
  });
});
