import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureProfile } from '../../stats/training-profile.js';
import { fromDuck, id, type DescribedColumn } from './duckdb-sql.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/i;
const CATEGORICAL = /^(VARCHAR|BOOLEAN)$/i;
/** Above this many rows, percentiles come from a seeded reservoir sample of this size (exact below). */
const EXACT_UP_TO = 100_000;
const MAX_CATEGORIES = 200;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(fromDuck(v)));

/**
 * Profiles a retrieval result in DuckDB, never reading its rows into JavaScript: per numeric column
 * count, nulls, min, max, mean, stddev and 101 percentiles (values of the column; over 200,000
 * rows, of a seeded sample of about 100,000), per text or boolean column the counts of its 200
 * most frequent values. Timestamps and the row-order column are skipped.
 */
export async function profileTable(conn: DuckDBConnection, table: string, columns: DescribedColumn[], rows: number): Promise<FeatureProfile[]> {
  const numeric = columns.filter((c) => NUMERIC.test(c.type) && !c.name.startsWith('__'));
  const categorical = columns.filter((c) => CATEGORICAL.test(c.type) && !c.name.startsWith('__'));
  const out = new Map<string, FeatureProfile>();
  if (numeric.length) {
    const parts = numeric.flatMap((c, i) => {
      const x = `${id(c.name)}::DOUBLE`;
      return [`count(${x}) AS c${i}`, `min(${x}) AS lo${i}`, `max(${x}) AS hi${i}`, `avg(${x}) AS m${i}`, `stddev_samp(${x}) AS s${i}`];
    });
    const r = (await conn.runAndReadAll(`SELECT count(*) AS n, ${parts.join(', ')} FROM ${id(table)}`)).getRowObjectsJS()[0]!;
    // Percentiles sort each column: exact on the whole set up to EXACT_UP_TO rows, above it on a
    // seeded Bernoulli sample of about that size (scanned in parallel, unlike a reservoir).
    const cols = numeric.map((c) => id(c.name)).join(', ');
    const share = Math.min(100, (EXACT_UP_TO / Math.max(1, rows)) * 100).toFixed(4);
    const source = rows <= EXACT_UP_TO ? id(table) : `(SELECT ${cols} FROM ${id(table)} USING SAMPLE ${share}% (bernoulli, 42))`;
    // Each column sorted once as a list, then p0…p100 picked by rank (the lower of the two closest,
    // as the in-memory profile does). quantile_disc with 101 fractions sorted once per fraction.
    const sorted = numeric.map((c, i) => `list_sort(list(${id(c.name)}::DOUBLE) FILTER (WHERE ${id(c.name)} IS NOT NULL)) AS s${i}`).join(', ');
    const picks = numeric.map((_, i) => `CASE WHEN len(s${i}) = 0 THEN NULL ELSE list_transform(range(101), q -> s${i}[(floor(q * (len(s${i}) - 1) / 100 + 1e-9))::BIGINT + 1]) END AS q${i}`).join(', ');
    const qs = (await conn.runAndReadAll(`SELECT ${picks} FROM (SELECT ${sorted} FROM ${source})`)).getRowObjectsJS()[0]!;
    for (const [k, v] of Object.entries(qs)) r[k] = v;
    const n = Number(r.n);
    numeric.forEach((c, i) => {
      const count = Number(r[`c${i}`]);
      const q = r[`q${i}`] as unknown[] | null;
      out.set(c.name, {
        feature: c.name, kind: 'numeric', count, nulls: n - count, min: num(r[`lo${i}`]), max: num(r[`hi${i}`]), mean: num(r[`m${i}`]),
        stddev: count > 1 ? num(r[`s${i}`]) : count ? 0 : null, percentiles: count && Array.isArray(q) ? q.map((v) => Number(v)) : null, categories: null, otherCount: 0,
      });
    });
  }
  for (const c of categorical) {
    const reader = await conn.runAndReadAll(`SELECT ${id(c.name)}::VARCHAR AS v, count(*) AS k FROM ${id(table)} GROUP BY 1 ORDER BY (v IS NULL), k DESC, v`);
    let nulls = 0;
    let count = 0;
    const top: Array<[string, number]> = [];
    for (const row of reader.getRowObjectsJS()) {
      const k = Number(row.k);
      if (row.v === null) {
        nulls += k;
        continue;
      }
      count += k;
      if (top.length < MAX_CATEGORIES) top.push([String(row.v), k]);
    }
    const kept = top.reduce((s, [, k]) => s + k, 0);
    out.set(c.name, { feature: c.name, kind: 'categorical', count, nulls, min: null, max: null, mean: null, stddev: null, percentiles: null, categories: Object.fromEntries(top), otherCount: count - kept });
  }
  return columns.map((c) => out.get(c.name)).filter((p): p is FeatureProfile => p !== undefined);
}
