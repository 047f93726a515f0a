import type { FeatureStatistics, Field } from '../entities.js';
import { isNumericType } from '../value-types.js';
import { DistinctCounter } from './distinct-counter.js';

const QUANTILES = [0, 5, 25, 50, 75, 95, 100];
const BINS = 10;

interface Acc {
  count: number; nulls: number; min: unknown; max: unknown;
  mean: number; m2: number; sample: number[]; distinct: DistinctCounter;
}

/**
 * Per-feature statistics over a stream of rows in bounded memory: exact count, nulls, min, max,
 * mean and standard deviation (Welford); quantiles and histogram from a seeded reservoir sample,
 * exact while there are no more values than the sample holds; distinct values exact up to 10,000
 * of them, estimated (HyperLogLog) past that.
 *
 * @example
 * ```ts
 * const acc = new StatisticsAccumulator(view.features);
 * for (const row of rows) acc.add(row.values);
 * const stats = acc.result();
 * ```
 */
export class StatisticsAccumulator {
  private readonly accs: Acc[];
  private seed = 0x9e3779b9;

  constructor(private readonly fields: Field[], private readonly sampleSize = 10_000) {
    this.accs = fields.map(() => ({ count: 0, nulls: 0, min: null, max: null, mean: 0, m2: 0, sample: [], distinct: new DistinctCounter() }));
  }

  private random(): number {
    // mulberry32: deterministic, so the same data always gives the same statistics.
    this.seed = (this.seed + 0x6d2b79f5) >>> 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  // Called once per materialized row: a plain loop, no closure per row.
  add(values: Record<string, unknown>): void {
    for (let i = 0; i < this.fields.length; i++) {
      const a = this.accs[i]!;
      const v = values[this.fields[i]!.name];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        a.nulls++;
        continue;
      }
      a.count++;
      // Statistics are summaries: an int64 beyond 2^53 (a BigInt) counts as its nearest double.
      const x = v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v;
      a.distinct.add(x);
      if (a.min === null || (x as number) < (a.min as number)) a.min = x;
      if (a.max === null || (x as number) > (a.max as number)) a.max = x;
      if (typeof x !== 'number') continue;
      const d = x - a.mean;
      a.mean += d / a.count;
      a.m2 += d * (x - a.mean);
      if (a.sample.length < this.sampleSize) a.sample.push(x);
      else {
        const j = Math.floor(this.random() * a.count);
        if (j < this.sampleSize) a.sample[j] = x;
      }
    }
  }

  result(): FeatureStatistics[] {
    return this.fields.map((f, i) => {
      const a = this.accs[i]!;
      const numeric = (isNumericType(f.type) || f.type === 'timestamp') && a.count > 0;
      const sorted = numeric ? [...a.sample].sort((x, y) => x - y) : [];
      const quantiles = numeric ? Object.fromEntries(QUANTILES.map((q) => [`p${q}`, q === 0 ? (a.min as number) : q === 100 ? (a.max as number) : pick(sorted, q)])) : null;
      const distinct = a.distinct.result();
      return {
        feature: f.name, type: f.type, count: a.count, nulls: a.nulls, min: a.min as FeatureStatistics['min'], max: a.max as FeatureStatistics['max'],
        distinct: distinct.count, distinctExact: distinct.exact,
        mean: numeric ? a.mean : null, stddev: numeric ? (a.count > 1 ? Math.sqrt(a.m2 / (a.count - 1)) : 0) : null,
        quantiles, histogram: numeric ? histogram(sorted, a.min as number, a.max as number, a.count) : null,
      };
    });
  }
}

function pick(sorted: number[], q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function histogram(sample: number[], min: number, max: number, count: number): { edges: number[]; counts: number[] } {
  const width = (max - min) / BINS || 1;
  const edges = Array.from({ length: BINS + 1 }, (_, i) => (i === BINS ? max : min + i * width));
  const counts = new Array<number>(BINS).fill(0);
  for (const x of sample) counts[Math.min(BINS - 1, Math.max(0, Math.floor((x - min) / width)))]!++;
  // Scale sample counts up to the number of values seen (identity while the sample is complete).
  const scale = sample.length ? count / sample.length : 0;
  return { edges, counts: counts.map((c) => Math.round(c * scale)) };
}
