import { randomUUID } from 'node:crypto';
import { CairnError } from '../errors.js';
import type { FeatureViewSpec, MaterializationRun } from './entities.js';
import { ExpectationChecker, formatFailures } from './expectations/expectation-checker.js';
import type { OfflineStore } from './offline/offline-store.js';
import { viewKeyspace } from './online-serving.js';
import { encodeEntityKey, encodeValues, type OnlineStore, type OnlineWrite } from './online/online-store.js';
import type { FeatureRunsStore } from './sql/feature-runs-store.js';
import { StatisticsAccumulator } from './stats/statistics-accumulator.js';

export interface MaterializeProgress {
  view: string;
  /** 1-based position of this view among those being materialized, and how many there are. */
  index: number;
  total: number;
  rows: number;
  done: boolean;
}

export interface MaterializeOptions {
  /** Only these views (default: every view with online on). */
  views?: string[];
  /** Rows per read and write batch: bounds memory (default 10,000). */
  batchSize?: number;
  onProgress?: (p: MaterializeProgress) => void;
}

interface Deps { offline: OfflineStore; online: OnlineStore; runs: FeatureRunsStore; now: () => number }

/**
 * Copies the newest row per entity in [start, end] of one view to the online store, batch by batch.
 * Expectations are checked on a first pass, before anything is written; statistics are computed on
 * the rows written. The view's watermark moves to `end` only after every write succeeded.
 */
export async function materializeView(deps: Deps, view: FeatureViewSpec, start: number, end: number, options: MaterializeOptions, position: { index: number; total: number }): Promise<MaterializationRun> {
  if (!(start <= end)) throw new CairnError('INVALID_ARGUMENT', `The materialization window must have start <= end; got ${new Date(start).toISOString()} .. ${new Date(end).toISOString()}.`);
  const runId = randomUUID().replace(/-/g, '');
  const batchSize = options.batchSize ?? 10_000;
  await deps.runs.startRun({ runId, view: view.name, start, end, now: deps.now() });
  const stats = new StatisticsAccumulator(view.features);
  let rows = 0;
  // One write is in flight while the next batch is read, so the offline engine and the online store
  // work at the same time; memory stays bounded by two batches. The promise never rejects.
  let inFlight: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  try {
    if (view.expectations) {
      const checker = new ExpectationChecker(view.expectations, end);
      for await (const batch of deps.offline.pullLatest({ view, start, end, batchSize })) for (const r of batch) checker.check(r);
      const failures = checker.failures();
      if (failures.length) throw new CairnError('FAILED_PRECONDITION', formatFailures(view.name, failures), { details: { failures } });
    }
    const keyspace = viewKeyspace(view);
    const settle = async () => {
      await inFlight;
      if (failure) throw failure.error;
    };
    // Rows are encoded as they arrive (the offline store hands them over in small batches) and
    // written batchSize at a time.
    let writes: OnlineWrite[] = [];
    const flush = async () => {
      const batch = writes;
      writes = [];
      await settle();
      inFlight = deps.online.write(view.name, keyspace, batch).then(() => {
        rows += batch.length;
        options.onProgress?.({ view: view.name, ...position, rows, done: false });
      }, (error: unknown) => {
        failure = { error };
      });
    };
    for await (const batch of deps.offline.pullLatest({ view, start, end, batchSize })) {
      for (const r of batch) {
        stats.add(r.values);
        writes.push({ key: encodeEntityKey(r.key), eventTs: r.eventTs, createdTs: r.createdTs, valuesJson: encodeValues(r.values) });
      }
      if (writes.length >= batchSize) await flush();
    }
    if (writes.length) await flush();
    await settle();
    await deps.runs.advanceWatermark(view.name, end, deps.now());
  } catch (e) {
    await inFlight;
    const message = (e as Error).message ?? String(e);
    await deps.runs.finishRun(runId, { status: 'FAILED', rows, now: deps.now(), error: message }).catch(() => {});
    if (e instanceof CairnError) throw new CairnError(e.code, `Materializing '${view.name}' failed (run ${runId}; watermark unchanged): ${message}`, { cause: e, details: { ...e.details, runId } });
    throw new CairnError('INTERNAL', `Materializing '${view.name}' failed (run ${runId}; watermark unchanged): ${message}`, { cause: e, details: { runId } });
  }
  const statistics = stats.result();
  await deps.runs.finishRun(runId, { status: 'SUCCEEDED', rows, now: deps.now(), statistics });
  options.onProgress?.({ view: view.name, ...position, rows, done: true });
  return (await deps.runs.getRun(runId))!;
}
