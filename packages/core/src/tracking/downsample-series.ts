import type { MetricSeries } from './entities.js';

/** Which column a chart puts on its x-axis; a range and the buckets are taken along it. */
export type SeriesAxis = 'step' | 'time';

export interface DownsampleOptions {
  /** The most points returned (at least 4). */
  maxPoints: number;
  /** Column the range applies to; default `step`. */
  axis?: SeriesAxis;
  /** Keep only points whose x is at least this. */
  min?: number;
  /** Keep only points whose x is at most this. */
  max?: number;
}

/** A downsampled stretch of a series: `total` points were in the range, `steps.length` are returned. */
export interface DownsampledSeries extends MetricSeries {
  total: number;
  sampled: boolean;
}

/**
 * At most `maxPoints` points of a series (optionally only those whose step or time lies in
 * [min, max]) that draw the same line: the range is cut into equal runs of consecutive points and
 * each keeps its lowest and highest value, in their original order; the first and last points are
 * always kept. So every spike survives, whatever the length of the history, and a chart of 1M
 * points costs what one of `maxPoints` does. NaN points are kept only in runs that have no number
 * (so gaps stay gaps). A range that holds `maxPoints` points or fewer comes back whole.
 *
 * @example
 * ```ts
 * const s = downsampleSeries(series, { maxPoints: 1000, axis: 'step', min: 0, max: 50_000 });
 * ```
 */
export function downsampleSeries(series: MetricSeries, options: DownsampleOptions): DownsampledSeries {
  const maxPoints = Math.max(4, Math.floor(options.maxPoints));
  const xs = options.axis === 'time' ? series.timestamps : series.steps;
  const lo = options.min ?? Number.NEGATIVE_INFINITY;
  const hi = options.max ?? Number.POSITIVE_INFINITY;
  // Indices of the points in range, in history order.
  let inRange: Uint32Array | null = null;
  let count = xs.length;
  if (lo > Number.NEGATIVE_INFINITY || hi < Number.POSITIVE_INFINITY) {
    inRange = new Uint32Array(xs.length);
    count = 0;
    for (let i = 0; i < xs.length; i++) if (xs[i]! >= lo && xs[i]! <= hi) inRange[count++] = i;
  }
  const at = (k: number): number => (inRange ? inRange[k]! : k);
  if (count <= maxPoints) return pick(series, count, at, count, false);

  const kept = new Uint32Array(maxPoints);
  let n = 0;
  const keep = (k: number) => {
    if (n === 0 || kept[n - 1]! < k) kept[n++] = k;
  };
  keep(0);
  // Two points per bucket, plus the first and last point of the range.
  const buckets = Math.floor((maxPoints - 2) / 2);
  const inner = count - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let minK = -1;
    let maxK = -1;
    let nanK = -1;
    for (let k = from; k < to; k++) {
      const v = series.values[at(k)]!;
      if (Number.isNaN(v)) {
        if (nanK < 0) nanK = k;
        continue;
      }
      if (minK < 0 || v < series.values[at(minK)]!) minK = k;
      if (maxK < 0 || v > series.values[at(maxK)]!) maxK = k;
    }
    if (minK < 0) {
      if (nanK >= 0) keep(nanK);
    } else if (minK === maxK) {
      keep(minK);
    } else {
      keep(Math.min(minK, maxK));
      keep(Math.max(minK, maxK));
    }
  }
  keep(count - 1);
  return pick(series, n, (j) => at(kept[j]!), count, true);
}

function pick(series: MetricSeries, n: number, index: (j: number) => number, total: number, sampled: boolean): DownsampledSeries {
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = index(j);
    steps[j] = series.steps[i]!;
    timestamps[j] = series.timestamps[i]!;
    values[j] = series.values[i]!;
  }
  return { key: series.key, steps, timestamps, values, total, sampled };
}
