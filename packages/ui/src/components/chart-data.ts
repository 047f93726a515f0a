// Turning sampled metric histories into what a chart draws: x by step, wall time or time since the
// run started; smoothing; log scale; and the min/max/last a legend shows.

export type XAxis = 'step' | 'time' | 'relative';

export interface HistoryPoints {
  steps: readonly number[];
  timestamps: readonly number[];
  values: readonly number[];
}

/**
 * X values for a series: steps as they are, wall time in seconds (uPlot's time unit), or seconds
 * since `origin` (the run's start; the series' first point when absent).
 */
export function xValues(points: HistoryPoints, axis: XAxis, origin?: number): number[] {
  if (axis === 'step') return [...points.steps];
  const t0 = axis === 'relative' ? (origin ?? points.timestamps[0] ?? 0) : 0;
  return points.timestamps.map((t) => (t - t0) / 1000);
}

/**
 * Exponential moving average with bias correction (as TensorBoard smooths): `weight` 0 leaves the
 * values as they are, 0.99 smooths hard. NaN and ±Infinity points stay as they are and do not
 * disturb the average.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

/** Values a chart can draw: NaN becomes a gap (null); on a log scale so do values ≤ 0. */
export function drawable(values: readonly number[], log: boolean): Array<number | null> {
  return values.map((v) => (Number.isNaN(v) || (log && v <= 0) ? null : Number.isFinite(v) ? v : null));
}

export interface SeriesStats {
  min: number | null;
  max: number | null;
  last: number | null;
}

/** Lowest, highest and last finite value (null when there is none). */
export function seriesStats(values: readonly number[]): SeriesStats {
  let min: number | null = null;
  let max: number | null = null;
  let last: number | null = null;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
    last = v;
  }
  return { min, max, last };
}

/**
 * Several series on one x-axis, as uPlot wants them: the sorted union of their x values, and each
 * series' y at those x (null where it has no point). A series with repeated x keeps its last value.
 */
export function alignSeries(series: ReadonlyArray<{ x: readonly number[]; y: ReadonlyArray<number | null> }>): [number[], ...Array<Array<number | null>>] {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  if (series.length === 1) {
    // The common case (one run): points arrive sorted by step; only time axes may need the lookup.
    const only = series[0]!;
    if (only.x.length === x.length && only.x.every((v, i) => v === x[i])) return [x, [...only.y]];
  }
  const index = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s) => {
    const y = new Array<number | null>(x.length).fill(null);
    for (let i = 0; i < s.x.length; i++) y[index.get(s.x[i]!)!] = s.y[i] ?? null;
    return y;
  });
  return [x, ...ys];
}

/** Colors for series, distinguishable on light and dark backgrounds (Tableau 10). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}
