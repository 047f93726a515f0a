import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../testing/postgres.js';
import type { Field } from '../entities.js';
import { makeOfflineFixture, type OfflineBackend } from '../testing/offline-fixtures.js';
import { viewSpec } from './offline-store.contract.js';
import type { ViewRequest } from './offline-store.js';
import { referencePointInTime, type ReferenceView } from './pit-reference.js';

const T0 = Date.UTC(2024, 5, 1);
const S = 1000;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

// Small domains on purpose: keys collide, event times tie, TTL edges are hit exactly.
const key = fc.option(fc.integer({ min: 0, max: 3 }), { freq: 8 });
const viewArb = fc.record({
  twoKeys: fc.boolean(),
  hasCreated: fc.boolean(),
  ttl: fc.option(fc.integer({ min: 1, max: 8 }), { freq: 2 }),
  rows: fc.array(fc.record({ a: key, b: key, t: fc.integer({ min: 0, max: 12 }), c: fc.integer({ min: 0, max: 12 }), v: fc.option(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { freq: 6 }) }), { maxLength: 25 }),
});
const entityArb = fc.array(fc.record({ a: key, b: key, t: fc.integer({ min: 0, max: 14 }) }), { minLength: 1, maxLength: 20 });

async function check(backend: OfflineBackend, runs: number) {
  const fx = await makeOfflineFixture(backend, cleanups);
  let n = 0;
  await fc.assert(fc.asyncProperty(fc.array(viewArb, { minLength: 1, maxLength: 3 }), entityArb, fc.boolean(), async (views, entities, filterByCreated) => {
    n++;
    const refViews: ReferenceView[] = [];
    const requests: ViewRequest[] = [];
    for (const [i, v] of views.entries()) {
      const keys: Field[] = v.twoKeys ? [{ name: 'a', type: 'int64' }, { name: 'b', type: 'int64' }] : [{ name: 'a', type: 'int64' }];
      const seen = new Set<string>();
      // Rows equal in keys, event and created time are duplicates whose winner is unspecified: keep one.
      const rows = v.rows.map((r, j) => ({ a: r.a, b: v.twoKeys ? r.b : undefined, ts: T0 + r.t * S, created: v.hasCreated ? T0 + r.c * S + j : null, rate: r.v }))
        .filter((r) => { const k = JSON.stringify([r.a, r.b, r.ts, r.created]); return !seen.has(k) && seen.add(k); });
      const cols: Field[] = [...keys, { name: 'ts', type: 'timestamp' }, ...(v.hasCreated ? [{ name: 'created', type: 'timestamp' as const }] : []), { name: 'rate', type: 'float64' }];
      const name = `p${n}_${i}`;
      const src = await fx.source(name, cols, rows, v.hasCreated ? 'created' : undefined);
      const ttlMs = v.ttl === null ? null : v.ttl * S;
      requests.push({ view: viewSpec(name, src, keys, [{ name: 'rate', type: 'float64' }], ttlMs), features: [{ feature: 'rate', column: `${name}__rate` }] });
      refViews.push({ joinKeys: keys.map((k) => k.name), ttlMs, features: ['rate'], rows: rows.map((r) => ({ keys: { a: r.a, b: r.b }, ts: r.ts, created: r.created, values: { rate: r.rate } })) });
    }
    const entityRows = entities.map((e) => ({ a: e.a, b: e.b, event_timestamp: T0 + e.t * S }));
    const job = await fx.store.getHistoricalFeatures({ entities: { rows: entityRows }, timestampColumn: 'event_timestamp', views: requests, filterByCreatedTimestamp: filterByCreated });
    const got = await job.toRows();
    await job.close();
    const want = referencePointInTime(entityRows.map((e) => ({ keys: { a: e.a, b: e.b }, ts: e.event_timestamp })), refViews, filterByCreated);
    expect(got.map((r) => requests.map((q) => r[q.features[0]!.column]))).toEqual(want.map((w) => w.map((x) => x.rate)));
    expect(got.map((r) => [r.a, r.b])).toEqual(entityRows.map((e) => [e.a, e.b]));
  }), { numRuns: runs });
}

const pgUp = await postgresAvailable();
// Each property writes many small sources; allow for a slow, shared machine.
describe('point-in-time joins agree with the in-memory reference on random data', { timeout: 300_000 }, () => {
  it('DuckDB over Parquet', () => check('parquet', Number(process.env.CAIRN_PIT_RUNS ?? 60)));
  it('DuckDB over CSV', () => check('csv', 30));
  it.skipIf(!pgUp)('PostgreSQL sources, pushed down', () => check('postgres', 20));
});
