import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { profileRows } from '../../stats/training-profile.js';
import { profileTable } from './duckdb-profile.js';

describe('training-set profile in DuckDB', () => {
  it('matches the in-memory profile: counts, nulls, moments, percentiles and category counts', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await conn.run(`CREATE TEMP TABLE t AS SELECT i AS __row, CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 37) % 101 END::BIGINT AS n,
        ((i * 7919) % 1000) / 7.0 AS x, CASE WHEN i % 7 = 0 THEN NULL ELSE ['a', 'b', 'b', 'c'][(i % 4) + 1] END AS city, i % 3 = 0 AS flag,
        TIMESTAMPTZ '2024-01-01' AS ts FROM range(5000) r(i)`);
      const columns = [{ name: 'n', type: 'BIGINT' }, { name: 'x', type: 'DOUBLE' }, { name: 'city', type: 'VARCHAR' }, { name: 'flag', type: 'BOOLEAN' }, { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' }];
      const fromSql = await profileTable(conn, 't', columns, 5000);
      const rows = (await conn.runAndReadAll('SELECT n, x, city, flag FROM t ORDER BY __row')).getRowObjectsJS().map((r) => ({ n: r.n === null ? null : Number(r.n), x: r.x, city: r.city, flag: r.flag }));
      const inMemory = profileRows(rows, ['n', 'x', 'city', 'flag']);
      expect(fromSql.map((p) => p.feature)).toEqual(['n', 'x', 'city', 'flag']);
      for (const [a, b] of fromSql.map((p, i) => [p, inMemory[i]!] as const)) {
        expect(a).toMatchObject({ feature: b.feature, kind: b.kind, count: b.count, nulls: b.nulls, otherCount: b.otherCount });
        if (a.kind === 'numeric') {
          expect(a.min).toBe(b.min);
          expect(a.max).toBe(b.max);
          expect(a.mean).toBeCloseTo(b.mean!, 9);
          expect(a.stddev).toBeCloseTo(b.stddev!, 9);
          // Both pick actual values of the column; ranks may differ by one at most.
          a.percentiles!.forEach((v, q) => expect(Math.abs(v - b.percentiles![q]!)).toBeLessThanOrEqual(Math.max(1e-9, (b.max! - b.min!) / 50)));
        } else {
          expect(a.categories).toEqual(b.categories);
        }
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
