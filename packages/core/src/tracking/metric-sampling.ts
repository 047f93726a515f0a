import { invalid } from '../errors.js';
import type { MetricSeries } from './entities.js';

// MLflow's step sampling for metric charts (`metrics/get-history-bulk-interval`, MLflow 2.11): the
// step range is cut into `maxResults` equal intervals and the first step of each is kept, plus each
// run's last step (or the range's end), and every point logged at a kept step is returned. This
// keeps whole steps, so runs compared side by side are sampled at the same x values. The web UI's
// own endpoint (/api/v1) may use a different downsampler (min/max buckets); both take a MetricSeries,
// so they can be compared or unified here.

/** MLflow's limits for the interval endpoint. */
export const SAMPLING_LIMITS = { maxRuns: 100, maxResultsPerRun: 2500, maxPointsPerRun: 25_000 } as const;

/**
 * The first step of each of `maxResults` equal intervals of [start, end], as MLflow's
 * `_get_sampled_steps_from_steps` picks them, computed per interval rather than per step so a range
 * of 10^12 steps costs as little as one of 10.
 */
export function sampledSteps(start: number, end: number, maxResults: number): number[] {
  if (end < start) return [];
  const span = BigInt(end) - BigInt(start) + 1n;
  const n = BigInt(maxResults);
  if (span <= n) {
    const out: number[] = [];
    for (let s = start; s <= end; s++) out.push(s);
    return out;
  }
  // Step start+o falls in interval floor(o / interval), with MLflow's floating-point interval
  // span / maxResults. The first o of interval k is ceil(k * span / n) in exact arithmetic; MLflow's
  // float division can put a boundary step one off (79 / (395 / 35) is 6.999...), so each candidate
  // is moved to where the float computation puts the boundary. Per interval, not per step.
  const interval = Number(span) / maxResults;
  const total = Number(span);
  const out: number[] = [];
  for (let k = 0n; k < n; k++) {
    const want = Number(k);
    let o = Number((k * span + n - 1n) / n);
    while (o > 0 && Math.floor((o - 1) / interval) >= want) o--;
    while (o < total && Math.floor(o / interval) < want) o++;
    if (o >= total) break;
    out.push(start + o);
  }
  return out;
}

export interface StepRange {
  startStep?: number;
  endStep?: number;
}

/** The steps to keep for a set of runs' histories of one metric, MLflow's way. */
export function stepsToKeep(histories: MetricSeries[], range: StepRange, maxResults: number): Set<number> {
  const { startStep, endStep } = range;
  if (startStep === undefined && endStep === undefined) {
    const lastSteps = histories.map((h) => (h.steps.length ? maxOf(h.steps) : 0));
    const last = lastSteps.length ? Math.max(...lastSteps) : 0;
    return new Set([...sampledSteps(0, last, maxResults), ...lastSteps]);
  }
  if (startStep === undefined || endStep === undefined) {
    throw invalid('If either start step or end step are specified, both must be specified.', { field: startStep === undefined ? 'start_step' : 'end_step' });
  }
  if (startStep > endStep) {
    throw invalid(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`, { field: 'end_step' });
  }
  return new Set([...sampledSteps(startStep, endStep, maxResults), endStep]);
}

function maxOf(steps: Float64Array): number {
  let m = -Infinity;
  for (const s of steps) if (s > m) m = s;
  return m;
}

/**
 * The points of one history at the kept steps, ordered by (step, timestamp, value) as MLflow's SQL
 * store returns them, at most `limit` of them. A history is already in that order.
 */
export function pointsAtSteps(history: MetricSeries, steps: Set<number>, limit: number = SAMPLING_LIMITS.maxPointsPerRun): MetricSeries {
  const keep: number[] = [];
  for (let i = 0; i < history.steps.length && keep.length < limit; i++) if (steps.has(history.steps[i]!)) keep.push(i);
  const pick = (column: Float64Array) => Float64Array.from(keep, (i) => column[i]!);
  return { key: history.key, steps: pick(history.steps), timestamps: pick(history.timestamps), values: pick(history.values) };
}
