import { expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import type { FeatureViewSpec, Field, SourceSpec } from '../entities.js';
import type { HistoricalQuery, OfflineStore, ViewRequest } from './offline-store.js';

/** What a backend provides to the conformance suite: sources holding given rows, and its store. */
export interface OfflineFixture {
  store: OfflineStore;
  /** A source holding `rows` (timestamps as epoch ms) with these typed columns. */
  source(name: string, columns: Field[], rows: Array<Record<string, unknown>>, createdField?: string): Promise<SourceSpec>;
  /** Makes the source's data disappear, for the missing-source case (omit when not applicable). */
  remove?(source: SourceSpec): Promise<void>;
}

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function viewSpec(name: string, source: SourceSpec, joinKeys: Field[], features: Field[], ttlMs: number | null): FeatureViewSpec {
  return { kind: 'featureView', name, description: '', tags: {}, owner: '', entities: ['e'], joinKeys, features, source, ttlMs, online: true, expectations: null };
}

const driverKey: Field[] = [{ name: 'driver_id', type: 'int64' }];
const cols = (created: boolean): Field[] => [
  ...driverKey, { name: 'ts', type: 'timestamp' }, ...(created ? [{ name: 'created', type: 'timestamp' as const }] : []), { name: 'rate', type: 'float64' },
];

async function rows(fx: OfflineFixture, q: Omit<HistoricalQuery, 'timestampColumn' | 'filterByCreatedTimestamp'> & Partial<HistoricalQuery>) {
  const job = await fx.store.getHistoricalFeatures({ timestampColumn: 'event_timestamp', filterByCreatedTimestamp: false, ...q });
  try {
    return await job.toRows();
  } finally {
    await job.close();
  }
}

const req = (view: FeatureViewSpec, names = view.features.map((f) => f.name), full = false): ViewRequest => ({
  view, features: names.map((n) => ({ feature: n, column: full ? `${view.name}__${n}` : n })),
});

/** The point-in-time cases every offline store passes identically. */
export function offlineStoreContract(make: () => Promise<OfflineFixture>): void {
  it('includes a feature row whose event time equals the lookup time, and never a later one', async () => {
    const fx = await make();
    const src = await fx.source('exact', cols(false), [{ driver_id: 1, ts: T0, rate: 0.1 }, { driver_id: 1, ts: T0 + 1, rate: 0.2 }]);
    const v = viewSpec('exact', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 }, { driver_id: 1, event_timestamp: T0 - 1 }] }, views: [req(v)] });
    expect(out.map((r) => r.rate)).toEqual([0.1, null]);
  });

  it('applies the TTL inclusively: T - ttl is in, one millisecond older is out', async () => {
    const fx = await make();
    const src = await fx.source('ttl', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }, { driver_id: 2, ts: T0 - 1, rate: 2 }]);
    const v = viewSpec('ttl', src, driverKey, [{ name: 'rate', type: 'float64' }], H);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 + H }, { driver_id: 2, event_timestamp: T0 + H }, { driver_id: 1, event_timestamp: T0 + H + 1 }] }, views: [req(v)] });
    expect(out.map((r) => r.rate)).toEqual([1, null, null]);
  });

  it('breaks event-time ties by the greatest created time, wherever the row sits in the source', async () => {
    const fx = await make();
    const src = await fx.source('tie', cols(true), [
      { driver_id: 1, ts: T0, created: T0 + 5 * H, rate: 5 }, { driver_id: 1, ts: T0, created: T0 + H, rate: 1 }, { driver_id: 1, ts: T0, created: T0 + 3 * H, rate: 3 },
    ], 'created');
    const v = viewSpec('tie', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 }, { driver_id: 1, event_timestamp: T0 + 2 * H }] }, views: [req(v)] });
    expect(out.map((r) => r.rate)).toEqual([5, 5]);
    // Only rows created by the lookup time: at T0 + 2h the row created at T0 + 1h is the only one known.
    const filtered = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 + 2 * H }, { driver_id: 1, event_timestamp: T0 + 4 * H }] }, views: [req(v)], filterByCreatedTimestamp: true });
    expect(filtered.map((r) => r.rate)).toEqual([1, 3]);
  });

  it('does not let a backfilled older event override a newer one, and filters backfills created later', async () => {
    const fx = await make();
    const src = await fx.source('backfill', cols(true), [
      { driver_id: 7, ts: T0 + 2 * H, created: T0 + 2 * H, rate: 2 }, { driver_id: 7, ts: T0 + H, created: T0 + 10 * H, rate: 1 },
    ], 'created');
    const v = viewSpec('backfill', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const ents = { rows: [{ driver_id: 7, event_timestamp: T0 + 3 * H }, { driver_id: 7, event_timestamp: T0 + 90 * 60_000 }] };
    expect((await rows(fx, { entities: ents, views: [req(v)] })).map((r) => r.rate)).toEqual([2, 1]);
    expect((await rows(fx, { entities: ents, views: [req(v)], filterByCreatedTimestamp: true })).map((r) => r.rate)).toEqual([2, null]);
  });

  it('returns every entity row once, in input order, duplicates included, with extra columns kept', async () => {
    const fx = await make();
    const src = await fx.source('dups', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }, { driver_id: 2, ts: T0, rate: 2 }]);
    const v = viewSpec('dups', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const ents = [2, 1, 2, 2, 3, 1].map((d, i) => ({ driver_id: d, event_timestamp: T0 + i, label: `r${i}` }));
    const out = await rows(fx, { entities: { rows: ents }, views: [req(v)] });
    expect(out.map((r) => [r.label, r.driver_id, r.rate])).toEqual([['r0', 2, 2], ['r1', 1, 1], ['r2', 2, 2], ['r3', 2, 2], ['r4', 3, null], ['r5', 1, 1]]);
  });

  it('keeps a null value of the newest row (no fall-back to older values) and never matches null keys', async () => {
    const fx = await make();
    const src = await fx.source('nulls', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }, { driver_id: 1, ts: T0 + H, rate: null }, { driver_id: null, ts: T0, rate: 9 }]);
    const v = viewSpec('nulls', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 + 2 * H }, { driver_id: null, event_timestamp: T0 + 2 * H }, { driver_id: 1, event_timestamp: T0 + 1 }] }, views: [req(v)] });
    expect(out.map((r) => r.rate)).toEqual([null, null, 1]);
  });

  it('handles time zones: offsets keep their instant and naive strings are UTC', async () => {
    const fx = await make();
    const src = await fx.source('tz', cols(false), [{ driver_id: 1, ts: T0 + 10 * H, rate: 10 }]);
    const v = viewSpec('tz', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const ents = [
      { driver_id: 1, event_timestamp: '2024-01-01T12:00:00+02:00' }, // 10:00Z: included
      { driver_id: 1, event_timestamp: '2024-01-01T11:59:59.999+02:00' }, // 09:59:59.999Z: excluded
      { driver_id: 1, event_timestamp: '2024-01-01 10:00:00' }, // naive: UTC, included
      { driver_id: 1, event_timestamp: '2024-01-01T09:59:59' }, // naive, excluded
    ];
    expect((await rows(fx, { entities: { rows: ents }, views: [req(v)] })).map((r) => r.rate)).toEqual([10, null, 10, null]);
  });

  it('joins multi-column keys as columns: (1, 23) and (12, 3) never meet', async () => {
    const fx = await make();
    const keys: Field[] = [{ name: 'a', type: 'int64' }, { name: 'b', type: 'int64' }];
    const c: Field[] = [...keys, { name: 'ts', type: 'timestamp' }, { name: 'rate', type: 'float64' }];
    const src = await fx.source('pair', c, [{ a: 1, b: 23, ts: T0, rate: 123 }, { a: 12, b: 3, ts: T0, rate: 1203 }, { a: 5, b: null, ts: T0, rate: 500 }]);
    const v = viewSpec('pair', src, keys, [{ name: 'rate', type: 'float64' }], null);
    const ents = [{ a: 12, b: 3 }, { a: 1, b: 23 }, { a: 123, b: null }, { a: 5, b: null }].map((e) => ({ ...e, event_timestamp: T0 }));
    const out = await rows(fx, { entities: { rows: ents }, views: [req(v)] });
    // (5, null) does not match (5, null): a null key never matches (DuckDB's ASOF join alone would).
    expect(out.map((r) => r.rate)).toEqual([1203, 123, null, null]);
  });

  it('joins several views with different TTLs, with full feature names', async () => {
    const fx = await make();
    const s1 = await fx.source('short', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }]);
    const s2 = await fx.source('long', cols(false), [{ driver_id: 1, ts: T0, rate: 2 }]);
    const v1 = viewSpec('short', s1, driverKey, [{ name: 'rate', type: 'float64' }], H);
    const v2 = viewSpec('long', s2, driverKey, [{ name: 'rate', type: 'float64' }], 24 * H);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 + 2 * H }, { driver_id: 1, event_timestamp: T0 + H }] }, views: [req(v1, undefined, true), req(v2, undefined, true)] });
    expect(out.map((r) => [r.short__rate, r.long__rate])).toEqual([[null, 2], [1, 2]]);
  });

  it('reads entity rows with ISO timestamps from epoch-millisecond, Date and string forms alike', async () => {
    const fx = await make();
    const src = await fx.source('forms', cols(false), [{ driver_id: 5, ts: T0, rate: 5 }]);
    const v = viewSpec('forms', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const out = await rows(fx, { entities: { rows: [{ driver_id: 5, event_timestamp: new Date(T0) }, { driver_id: 5, event_timestamp: iso(T0 - 1) }] }, views: [req(v)] });
    expect(out.map((r) => r.rate)).toEqual([5, null]);
  });

  it('refuses entity rows without a join key or timestamp, and keys of the wrong type', async () => {
    const fx = await make();
    const src = await fx.source('bad', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }]);
    const v = viewSpec('bad', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    await expect(rows(fx, { entities: { rows: [{ event_timestamp: T0 }] }, views: [req(v)] })).rejects.toThrow(/join key column 'driver_id'/);
    await expect(rows(fx, { entities: { rows: [{ driver_id: 1 }] }, views: [req(v)] })).rejects.toThrow(/event_timestamp/);
    await expect(rows(fx, { entities: { rows: [{ driver_id: 'abc', event_timestamp: T0 }] }, views: [req(v)] })).rejects.toThrow(/driver_id.*int64/);
  });

  it('fails with FAILED_PRECONDITION naming the source when its data disappears', async () => {
    const fx = await make();
    if (!fx.remove) return;
    const src = await fx.source('gone', cols(false), [{ driver_id: 1, ts: T0, rate: 1 }]);
    const v = viewSpec('gone', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    await fx.remove(src);
    const err = await rows(fx, { entities: { rows: [{ driver_id: 1, event_timestamp: T0 }] }, views: [req(v)] }).catch((e: unknown) => e);
    expect(isCairnError(err, 'FAILED_PRECONDITION')).toBe(true);
    expect(String((err as Error).message)).toContain("'gone'");
  });

  it('reads the newest row per entity within an inclusive window for materialization', async () => {
    const fx = await make();
    const src = await fx.source('latest', cols(true), [
      { driver_id: 1, ts: T0, created: T0, rate: 1 }, { driver_id: 1, ts: T0 + H, created: T0 + H, rate: 2 }, { driver_id: 1, ts: T0 + H, created: T0 + 2 * H, rate: 3 },
      { driver_id: 2, ts: T0 + 5 * H, created: T0, rate: 5 }, { driver_id: 3, ts: T0 - 1, created: T0, rate: 0 },
    ], 'created');
    const v = viewSpec('latest', src, driverKey, [{ name: 'rate', type: 'float64' }], null);
    const got = [];
    for await (const b of fx.store.pullLatest({ view: v, start: T0, end: T0 + 5 * H, batchSize: 1 })) {
      expect(b.length).toBeLessThanOrEqual(1);
      got.push(...b);
    }
    got.sort((a, b) => Number(a.key[0]) - Number(b.key[0]));
    expect(got.map((r) => [r.key, r.eventTs, r.values.rate])).toEqual([[[1], T0 + H, 3], [[2], T0 + 5 * H, 5]]);
  });
}
