import { CairnError, SAMPLING_LIMITS, isCairnError, pointsAtSteps, stepsToKeep, type MetricSeries, type Platform } from '@cairn/core';
import type { CairnApp } from '../router.js';
import { encodeMetricValue } from '../metric-value-codec.js';
import { addMlflowRoute } from './mlflow-route.js';
import type { RequestFields } from './request-fields.js';

// metrics/get-history-bulk (MLflow 2.9) and metrics/get-history-bulk-interval (MLflow 2.11), which
// MLflow's web UI calls to chart one metric of several runs. Semantics, limits and messages are
// MLflow's; the sampling itself lives in core (`tracking/metric-sampling.ts`).

const BULK = { maxRuns: 20, maxResults: 25_000 } as const;

const refuse = (message: string, field: string) => new CairnError('INVALID_ARGUMENT', message, { details: { field } });

/** A run's history of the metric, or none when the run does not exist (MLflow's SQL query finds nothing). */
async function historyOf(platform: Platform, runId: string, key: string): Promise<MetricSeries> {
  try {
    return (await platform.runs.getMetricSeries(runId, key)).series;
  } catch (e) {
    if (isCairnError(e, 'NOT_FOUND') || isCairnError(e, 'INVALID_ARGUMENT')) return { key, steps: new Float64Array(), timestamps: new Float64Array(), values: new Float64Array() };
    throw e;
  }
}

type Point = { key: string; value: number | string; timestamp: number; step: number; run_id: string };

function points(series: MetricSeries, runId: string, order: number[]): Point[] {
  return order.map((i) => ({ key: series.key, value: encodeMetricValue(series.values[i]!), timestamp: series.timestamps[i]!, step: series.steps[i]!, run_id: runId }));
}

/** Indices of a history in (timestamp, step, value) order, MLflow's order for the bulk read. */
function byTimestamp(s: MetricSeries): number[] {
  const idx = Array.from(s.steps, (_v, i) => i);
  const value = (i: number) => (Number.isNaN(s.values[i]!) ? -Infinity : s.values[i]!);
  return idx.sort((a, b) => s.timestamps[a]! - s.timestamps[b]! || s.steps[a]! - s.steps[b]! || value(a) - value(b) || a - b);
}

function metricKeyOf(f: RequestFields, endpoint: string): string {
  const key = f.string('metric_key');
  if (key === undefined) throw refuse(`${endpoint} request must specify a metric_key.`, 'metric_key');
  return key;
}

/** MLflow's bulk metric reads. Paths are relative to `/mlflow`. */
export function historyRoutes(app: CairnApp, platform: Platform): void {
  addMlflowRoute(app, 'GET', '/metrics/get-history-bulk', 'reader', async (f) => {
    const runIds = f.stringList('run_id');
    if (!runIds.length) throw refuse('GetMetricHistoryBulk request must specify at least one run_id.', 'run_id');
    if (runIds.length > BULK.maxRuns) {
      throw refuse(`GetMetricHistoryBulk request cannot specify more than ${BULK.maxRuns} run_ids. Received ${runIds.length} run_ids.`, 'run_id');
    }
    const key = metricKeyOf(f, 'GetMetricHistoryBulk');
    const asked = f.int64('max_results');
    if (asked !== undefined && asked < 1) throw refuse(`max_results must be a positive integer, got ${asked}.`, 'max_results');
    const limit = Math.min(asked ?? BULK.maxResults, BULK.maxResults);
    const out: Point[] = [];
    for (const runId of [...new Set(runIds)].sort()) {
      if (out.length >= limit) break;
      const series = await historyOf(platform, runId, key);
      out.push(...points(series, runId, byTimestamp(series).slice(0, limit - out.length)));
    }
    return { metrics: out };
  });

  addMlflowRoute(app, 'GET', '/metrics/get-history-bulk-interval', 'reader', async (f) => {
    if (f.rawValue('run_ids') === undefined) throw f.missing('run_ids');
    const runIds = f.stringList('run_ids');
    if (runIds.length > SAMPLING_LIMITS.maxRuns) {
      throw refuse(`GetMetricHistoryBulkInterval request must specify at most ${SAMPLING_LIMITS.maxRuns} run_ids. Received ${runIds.length} run_ids.`, 'run_ids');
    }
    const key = f.string('metric_key');
    if (key === undefined) throw f.missing('metric_key');
    const maxResults = f.int64('max_results') ?? SAMPLING_LIMITS.maxResultsPerRun;
    if (maxResults < 1 || maxResults > SAMPLING_LIMITS.maxResultsPerRun) throw refuse(`max_results must be between 1 and ${SAMPLING_LIMITS.maxResultsPerRun}.`, 'max_results');
    const histories = await Promise.all(runIds.map((runId) => historyOf(platform, runId, key)));
    const steps = stepsToKeep(histories, { startStep: f.int64('start_step'), endStep: f.int64('end_step') }, maxResults);
    const out: Point[] = [];
    histories.forEach((history, i) => {
      const kept = pointsAtSteps(history, steps);
      out.push(...points(kept, runIds[i]!, Array.from(kept.steps, (_v, j) => j)));
    });
    return out.length ? { metrics: out } : {};
  });
}
