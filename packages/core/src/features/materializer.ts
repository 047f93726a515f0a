import { randomUUID } from 'node:crypto';
import { CairnError } from '../errors.js';
import type { FeatureViewSpec, MaterializationOutcome, MaterializationRun } from './entities.js';
import { ExpectationChecker, formatFailures } from './expectations/expectation-checker.js';
import { isoTime } from './micro-time.js';
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
  checkWindow(start, end);
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
    if (e instanceof CairnError) throw new CairnError(e.code, `Materializing '${view.name}' failed (run ${runId}; watermark unchanged): ${message}`, { cause: e, details: { ...e.details, runId, rows } });
    throw new CairnError('INTERNAL', `Materializing '${view.name}' failed (run ${runId}; watermark unchanged): ${message}`, { cause: e, details: { runId, rows } });
  }
  const statistics = stats.result();
  await deps.runs.finishRun(runId, { status: 'SUCCEEDED', rows, now: deps.now(), statistics });
  options.onProgress?.({ view: view.name, ...position, rows, done: true });
  return (await deps.runs.getRun(runId))!;
}

/** Refuses a window whose start is after its end (times compared in microseconds). */
export function checkWindow(start: number, end: number): void {
  if (!(start <= end)) throw new CairnError('INVALID_ARGUMENT', `The materialization window must have start <= end; got ${isoTime(start)} .. ${isoTime(end)}.`);
}

/**
 * Materializes every view in turn, whatever happens to the others, and reports each one's outcome.
 * `open` gives the stores (a store that cannot be opened fails each view, which still gets its
 * outcome). When any view failed, it throws after the last one: a CairnError with the first
 * failure's code, a message naming every failed view, and every outcome in `details.views`.
 */
export async function materializeAll(
  runs: FeatureRunsStore, open: () => Promise<Deps>, views: FeatureViewSpec[], start: (v: FeatureViewSpec) => number, end: number, options: MaterializeOptions,
): Promise<MaterializationOutcome[]> {
  const outcomes: MaterializationOutcome[] = [];
  for (const [i, v] of views.entries()) {
    const s = start(v);
    try {
      const run = await materializeView(await open(), v, s, end, options, { index: i + 1, total: views.length });
      outcomes.push({ view: v.name, status: 'SUCCEEDED', runId: run.runId, start: s, end, rows: run.rows, watermark: await runs.watermark(v.name), error: null, statistics: run.statistics });
    } catch (e) {
      const err = e instanceof CairnError ? e : new CairnError('INTERNAL', `Materializing '${v.name}' failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      outcomes.push({
        view: v.name, status: 'FAILED', runId: typeof err.details?.runId === 'string' ? err.details.runId : null, start: s, end,
        rows: typeof err.details?.rows === 'number' ? err.details.rows : 0,
        // The metadata store may be what failed: then the watermark is unknown here (null).
        watermark: await runs.watermark(v.name).catch(() => null), error: { code: err.code, message: err.message }, statistics: [],
      });
    }
  }
  const failed = outcomes.filter((o) => o.error);
  if (!failed.length) return outcomes;
  const message = outcomes.length === 1
    ? failed[0]!.error!.message
    : `${failed.length} of ${outcomes.length} views failed to materialize (${outcomes.length - failed.length} succeeded; a failed view keeps its watermark, so the next run covers its window again):\n${failed.map((f) => `  ${f.error!.message}`).join('\n')}`;
  throw new CairnError(failed[0]!.error!.code, message, { details: { views: outcomes } });
}
