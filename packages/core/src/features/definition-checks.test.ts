import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { compileDefinitions } from './compile-definitions.js';
import { entity, featureService, featureView, fileSource, onDemandFeatureView, pushSource } from './define.js';
import { loadDefinitions } from './load-definitions.js';
import { DEFINE } from './testing/feature-project.js';

const customer = entity({ name: 'customer', joinKeys: { customer_id: 'int64' } });
const src = fileSource({ name: 'orders', path: 'orders.csv', timestampField: 'ts' });
const view = (extra: Record<string, unknown>) => featureView({ name: 'churn', entities: [customer], source: src, schema: { orders: 'int64' }, ...extra } as never);

const refusal = (defs: unknown[]): string => {
  try {
    compileDefinitions(defs as never);
  } catch (e) {
    expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the definitions to be refused');
};

describe('definitions are type-checked when they load', () => {
  it('names the object, the field and what is expected for a wrong shape', () => {
    expect(refusal([view({ entities: customer })])).toBe("Feature view 'churn': 'entities' must be an array of entities, e.g. entities: [customer]; got the entity 'customer'.");
    expect(refusal([view({ entities: [] })])).toMatch(/'entities' must be at least one entity/);
    expect(refusal([view({ entities: [customer, undefined] })])).toMatch(/'entities\.1' must be an entity made with entity\(\{ \.\.\. \}\); got undefined \(is what it names defined above, or imported\?\)/);
    expect(refusal([view({ source: 'orders.csv' })])).toMatch(/'source' must be a source made with fileSource\(\), postgresSource\(\) or pushSource\(\); got the string "orders.csv"/);
    expect(refusal([view({ online: 'yes' })])).toMatch(/'online' must be true or false; got the string "yes"/);
    expect(refusal([featureService({ name: 's', features: 'churn:orders' as never })])).toMatch(/^Feature service 's': 'features' must be an array of features/);
    expect(refusal([onDemandFeatureView({ name: 'o', sources: {}, schema: { x: 'float64' }, compute: 'x' as never })])).toMatch(/'compute' must be a function/);
  });

  it('refuses unknown options (which were silently dropped), suggesting the one meant', () => {
    expect(refusal([view({ ttll: '2h' })])).toBe("Feature view 'churn': unknown option 'ttll': did you mean 'ttl'? The options are name, description, owner, tags, entities, schema, source, ttl, online, expectations.");
    expect(refusal([view({ expectations: { features: { orders: { notnull: true } } } })])).toMatch(/unknown option 'expectations\.features\.orders\.notnull': did you mean 'notNull'\?/);
    expect(refusal([view({ colour: 'red' })])).toMatch(/unknown option 'colour'\. The options are/);
  });

  it('refuses a TTL or freshness without a unit, explaining the duration syntax', () => {
    expect(refusal([view({ ttl: 14 })])).toBe("Feature view 'churn': 'ttl' must be a duration string: a whole number and a unit (ms, s, m, h, d or w), or several of them added together, e.g. '90s', '15m', '2h', '7d', '2w' or '1d12h'; got the number 14, which has no unit: write e.g. '14d' for 14 days or '14h' for 14 hours.");
    expect(refusal([view({ expectations: { freshness: 3600 } })])).toMatch(/'expectations\.freshness' must be a duration string.*got the number 3600, which has no unit/);
    expect(refusal([view({ ttl: '14 days' })])).toMatch(/ttl '14 days' is not a duration: use a duration string/);
  });

  it('checks entities and sources written inline, naming the view that uses them', () => {
    const inline = featureView({ name: 'v', entities: [customer], source: fileSource({ name: 'p', pth: 'a.csv', timestampField: 'ts' } as never), schema: { x: 'int64' } });
    expect(refusal([inline])).toMatch(/^Source 'p', used by feature view 'v' has 2 problems:\n {2}- 'path' must be a path relative to the project folder, e\.g\. 'data\/trips\.parquet'; got nothing \(it is missing\)\.\n {2}- unknown option 'pth': did you mean 'path'\?/);
    const push = pushSource({ name: 'clicks', timestampField: 'ts', batchSource: 'history.csv' as never });
    expect(refusal([featureView({ name: 'w', entities: [customer], source: push, schema: { x: 'int64' } })])).toMatch(/'batchSource' must be a file source/);
    expect(refusal([entity({ name: 'e', joinKeys: ['id'] as never })])).toMatch(/Entity 'e': 'joinKeys' must be an object of name: value type/);
  });

  it('suggests the value type meant by a typo', () => {
    expect(refusal([view({ schema: { orders: 'flaot64' } })])).toMatch(/unknown type 'flaot64'\. Did you mean 'float64'\?/);
  });
});

describe('definitions loaded from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-defcheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('name the file and export of a definition with a wrong shape (no "object is not iterable")', async () => {
    mkdirSync(join(dir, 'features'), { recursive: true });
    const file = join(dir, 'features', 'churn.ts');
    writeFileSync(file, `import { entity, featureView, fileSource } from ${JSON.stringify(DEFINE)};
export const customer = entity({ name: 'customer', joinKeys: { customer_id: 'int64' } });
export const churnView = featureView({ name: 'churn', entities: customer, source: fileSource({ name: 'o', path: 'o.csv', timestampField: 'ts' }), schema: { n: 'int64' } });\n`);
    const defs = await loadDefinitions(join(dir, 'features'));
    expect(() => compileDefinitions(defs)).toThrow(`Feature view 'churn' (${relative(process.cwd(), file)}, export churnView): 'entities' must be an array of entities, e.g. entities: [customer]; got the entity 'customer'.`);
  });
});
