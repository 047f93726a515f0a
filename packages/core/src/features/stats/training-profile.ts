import type { Field } from '../entities.js';
import { isNumericType } from '../value-types.js';
import { StatisticsAccumulator } from './statistics-accumulator.js';

/** Categories kept per feature; rarer values are counted together as `otherCount`. */
const MAX_CATEGORIES = 200;

/**
 * What a training set looked like, per column: the feature store's statistics (count, nulls, min,
 * max, mean, stddev) plus what drift is measured against: 101 exact percentiles (p0…p100) of a
 * numeric column, or the counts of a categorical column's values.
 */
export interface FeatureProfile {
  feature: string;
  kind: 'numeric' | 'categorical';
  count: number;
  nulls: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  percentiles: number[] | null;
  categories: Record<string, number> | null;
  otherCount: number;
}

const toNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : null);

/**
 * Profiles the columns of a training set held in memory (numeric and categorical; timestamps are
 * skipped). Percentiles are exact: the set is sorted once per numeric column.
 *
 * @example
 * ```ts
 * const [age] = profileRows([{ age: 30 }, { age: 40 }], ['age']);
 * age.percentiles![50]; // 30 (percentiles are values of the set)
 * ```
 */
export function profileRows(rows: Array<Record<string, unknown>>, columns: string[]): FeatureProfile[] {
  // Each column's kind from its values: numbers are numeric, text and booleans categorical, times skipped.
  const wanted: Field[] = [];
  for (const name of columns) {
    const sample = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
    if (sample === undefined || sample instanceof Date) continue;
    wanted.push({ name, type: typeof sample === 'number' || typeof sample === 'bigint' ? 'float64' : 'string' });
  }
  const acc = new StatisticsAccumulator(wanted, 1);
  for (const r of rows) acc.add(r);
  const base = new Map(acc.result().map((s) => [s.feature, s]));
  return wanted.map((f) => {
    const s = base.get(f.name)!;
    if (isNumericType(f.type)) {
      const xs: number[] = [];
      for (const r of rows) {
        const x = toNumber(r[f.name]);
        if (x !== null) xs.push(x);
      }
      const sorted = Float64Array.from(xs).sort();
      return {
        feature: f.name, kind: 'numeric', count: s.count, nulls: s.nulls, min: sorted.length ? sorted[0]! : null, max: sorted.length ? sorted[sorted.length - 1]! : null,
        mean: s.mean, stddev: s.stddev, percentiles: sorted.length ? percentiles(sorted) : null, categories: null, otherCount: 0,
      };
    }
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = r[f.name];
      if (v === null || v === undefined) continue;
      const k = String(v);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_CATEGORIES);
    const kept = top.reduce((n, [, c]) => n + c, 0);
    return {
      feature: f.name, kind: 'categorical', count: s.count, nulls: s.nulls, min: null, max: null, mean: null, stddev: null,
      percentiles: null, categories: Object.fromEntries(top), otherCount: s.count - kept,
    };
  });
}

/**
 * p0…p100 of sorted values, each an actual value (the lower of the two closest ranks): a discrete
 * feature's percentiles stay among its values, so no bin of a drift test holds made-up mass.
 */
export function percentiles(sorted: ArrayLike<number>): number[] {
  const n = sorted.length;
  return Array.from({ length: 101 }, (_, q) => sorted[Math.floor((q / 100) * (n - 1) + 1e-9)]!);
}
