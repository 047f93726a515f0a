import type { LoggedRows } from './entities.js';

// What the monitor needs of each logged input column, and the one reference implementation that
// computes it from rows in memory. A store that can compute it where the rows live (the Parquet
// log, in DuckDB) answers the same summary without handing a million rows x 50 columns to Node.

/** A numeric feature to summarize: its training percentiles (p0…p100) and the range values should lie in. */
export interface NumericSummarySpec {
  name: string;
  percentiles: number[] | null;
  /** Values below `lo` or above `hi` count as out of range (null: unbounded on that side). */
  lo: number | null;
  hi: number | null;
}

/** A categorical feature to summarize: the categories training saw and, if the view declares them, the allowed ones. */
export interface CategoricalSummarySpec {
  name: string;
  known: string[];
  allowed: string[] | null;
}

export interface InputSummarySpec {
  numeric: NumericSummarySpec[];
  categorical: CategoricalSummarySpec[];
  /** Live values kept (evenly spread) per numeric feature for the KS statistic between percentiles; default 20,000. */
  sampleSize?: number;
}

/**
 * Live values of a numeric feature against the reference percentiles: the live CDF at every
 * reference percentile (exact), and an evenly spread sample of the values (sorted) for the CDF
 * between them.
 */
export interface LiveSummary {
  /** Values present (not null, finite). */
  n: number;
  /** Share of live values ≤ p_k, for k = 0…100. */
  cdfAtReference: Float64Array;
  sample: Float64Array;
}

export interface NumericInputSummary {
  kind: 'numeric';
  present: number;
  /** Present values outside [lo, hi]. */
  outside: number;
  /** Null when the spec gave no percentiles. */
  live: LiveSummary | null;
}

export interface CategoricalInputSummary {
  kind: 'categorical';
  present: number;
  /** Rows holding each of `known`, in its order. */
  counts: number[];
  /** Present values not among `known`. */
  unseen: number;
  /** Present values not among `allowed` (0 when no allowed list was given). */
  disallowed: number;
}

/** One entry per feature of the spec that was logged (a feature no row had is absent). */
export interface InputSummary {
  rows: number;
  features: Map<string, NumericInputSummary | CategoricalInputSummary>;
}

export const DEFAULT_SAMPLE_SIZE = 20_000;

/** A logged value as a number, or null (strings that spell a finite number count; other kinds do not). */
export const toNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** A logged value as the category it names. */
export const categoryOf = (v: unknown): string => String(v);

/** The summary computed from rows in memory (the database log's way, and the reference for others). */
export function summarizeRows(rows: LoggedRows, spec: InputSummarySpec): InputSummary {
  const out: InputSummary = { rows: rows.count, features: new Map() };
  for (const f of spec.numeric) {
    const values = rows.inputs.get(f.name);
    if (!values) continue;
    const xs = values instanceof Float64Array ? values : Float64Array.from(values, (v) => toNumber(v) ?? Number.NaN);
    const lo = f.lo ?? -Infinity;
    const hi = f.hi ?? Infinity;
    let present = 0;
    let outside = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x !== x) continue;
      present++;
      if (x < lo || x > hi) outside++;
    }
    out.features.set(f.name, { kind: 'numeric', present, outside, live: f.percentiles && present ? summarizeLive(f.percentiles, xs, spec.sampleSize) : null });
  }
  for (const f of spec.categorical) {
    const values = rows.inputs.get(f.name);
    if (!values) continue;
    const index = new Map(f.known.map((n, i) => [n, i]));
    const allowed = f.allowed ? new Set(f.allowed) : null;
    const counts = new Array<number>(f.known.length).fill(0);
    let present = 0;
    let unseen = 0;
    let disallowed = 0;
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v === null || v === undefined || (typeof v === 'number' && v !== v)) continue;
      present++;
      const k = categoryOf(v);
      const i = index.get(k);
      if (i === undefined) unseen++;
      else counts[i]!++;
      if (allowed && !allowed.has(k)) disallowed++;
    }
    out.features.set(f.name, { kind: 'categorical', present, counts, unseen, disallowed });
  }
  return out;
}

/** Summarizes live values (NaN counts as missing and is skipped) against 101 reference percentiles, in one pass and without sorting them all. */
export function summarizeLive(referencePercentiles: ArrayLike<number>, values: ArrayLike<number>, sampleSize = DEFAULT_SAMPLE_SIZE): LiveSummary {
  const m = referencePercentiles.length;
  const counts = new Float64Array(m + 1);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    // First k with p_k >= v: v is counted in the CDF at p_k and every later percentile.
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (referencePercentiles[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  const stride = Math.max(1, Math.ceil(n / sampleSize));
  const picked: number[] = [];
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    if (seen++ % stride === 0) picked.push(v);
  }
  return { n, cdfAtReference: cumulativeShares(counts, m, n), sample: Float64Array.from(picked).sort() };
}

/** The running share of `counts[0..m)` out of `n`: the CDF at each reference percentile. */
export function cumulativeShares(counts: ArrayLike<number>, m: number, n: number): Float64Array {
  const cdf = new Float64Array(m);
  let run = 0;
  for (let k = 0; k < m; k++) {
    run += counts[k]!;
    cdf[k] = n ? run / n : 0;
  }
  return cdf;
}
