import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Field } from '../../entities.js';
import { writeParquet } from '../../testing/offline-fixtures.js';
import { viewSpec } from '../offline-store.contract.js';
import type { LatestRow } from '../offline-store.js';
import { latestRows } from './duckdb-latest.js';
import { normalizedRows } from './duckdb-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-latest-'));
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
afterAll(() => {
  db.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const COLUMNS: Field[] = [
  { name: 'a', type: 'int64' }, { name: 'b', type: 'int64' }, { name: 'ts', type: 'timestamp' }, { name: 'created', type: 'timestamp' }, { name: 'v', type: 'float64' },
];
const KEYS: Field[] = [{ name: 'a', type: 'int64' }, { name: 'b', type: 'int64' }];
const row = fc.record({
  a: fc.option(fc.integer({ min: 0, max: 12 }), { freq: 8 }), b: fc.constantFrom(3, 23),
  ts: fc.integer({ min: 0, max: 20 }), created: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 3 }), v: fc.integer({ min: 0, max: 1000 }),
});

// The newest row per (a, b) in [start, end] by (event, created), a missing created time oldest; null keys never match.
function reference(rows: Array<{ a: number | null; b: number; ts: number; created: number | null; v: number }>, start: number, end: number) {
  const best = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    if (r.a === null || r.ts < start || r.ts > end) continue;
    const k = JSON.stringify([r.a, r.b]);
    const b = best.get(k);
    if (!b || r.ts > b.ts || (r.ts === b.ts && (r.created ?? -Infinity) > (b.created ?? -Infinity))) best.set(k, r);
  }
  return [...best.values()].map((r) => ({ key: [r.a, r.b], eventTs: r.ts, v: r.v })).sort(byKey);
}
const byKey = (x: { key: unknown[] }, y: { key: unknown[] }) => JSON.stringify(x.key).localeCompare(JSON.stringify(y.key));

describe('latest rows for materialization (DuckDB)', () => {
  it('splits the window into hash passes without losing, repeating or mixing up entities', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), async (rows, passSize, batchSize) => {
      // Distinct created times per (key, event) keep the winner unique (equal ones are documented as unspecified).
      const seen = new Set<string>();
      const data = rows.filter((r) => {
        const k = JSON.stringify([r.a, r.b, r.ts, r.created]);
        return !seen.has(k) && seen.add(k);
      });
      const file = `s${n++}.parquet`;
      await writeParquet(join(dir, file), COLUMNS, data);
      const view = viewSpec('latest', { kind: 'source', name: 'src', description: '', tags: {}, owner: '', type: 'file', path: file, format: 'parquet', timestampField: 'ts', createdTimestampField: 'created' }, KEYS, [{ name: 'v', type: 'float64' }], null);
      const conn = await db.connect();
      try {
        const got: LatestRow[] = [];
        for await (const b of latestRows(conn, view, await normalizedRows(conn, view, { baseDir: dir, pushDir: 'push' }), 2, 17, batchSize, passSize)) {
          expect(b.length).toBeLessThanOrEqual(batchSize);
          got.push(...b);
        }
        expect(got.map((r) => ({ key: r.key, eventTs: r.eventTs, v: r.values.v })).sort(byKey)).toEqual(reference(data, 2, 17));
      } finally {
        conn.closeSync();
      }
    }), { numRuns: 40 });
  });
});
