import type {
  CacheExplanation,
  LineageNode,
  ListPipelineRunsInput,
  LogLine,
  PipelineRun,
  PipelineRunDetail,
  PipelineSummary,
  ScheduleInfo,
  ScheduleTick,
} from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import type { PipelineBackend } from './pipeline-backend.js';

export interface FollowLogsOptions {
  /** Only this step (its id or name). */
  step?: string;
  /** How often to look for new lines, in ms. Default 500. */
  pollMs?: number;
  /** Stops following (the iteration ends quietly). */
  signal?: AbortSignal;
}

// Lines are stored in batches up to a second after they were printed, so each poll re-reads a
// window this far back and drops the lines it has already yielded.
const FOLLOW_WINDOW_MS = 5000;

/**
 * Pipeline runs from the SDK: `cairn.pipelines`. Works the same in-process and against a server.
 * Runs are started next to the pipeline code (`cairn pipelines run`, or `platform.pipelines.start`).
 *
 * @example
 * ```ts
 * const [run] = await cairn.pipelines.runs({ pipeline: 'churn-train', maxResults: 1 });
 * const { steps } = await cairn.pipelines.get(run.runId);
 * for await (const line of cairn.pipelines.followLogs(run.runId)) console.log(`[${line.stepId}] ${line.text}`);
 * ```
 */
export class PipelineQueries {
  constructor(private readonly backend: () => PipelineBackend) {}

  /** Pipelines that have run in the project, with their last run. */
  list(): Promise<PipelineSummary[]> {
    return this.backend().listPipelines();
  }

  /**
   * Runs, newest first (50 unless `maxResults` says otherwise, at most 1,000).
   *
   * @example
   * ```ts
   * const failed = await cairn.pipelines.runs({ pipeline: 'churn-train', status: 'FAILED' });
   * ```
   */
  runs(q: Omit<ListPipelineRunsInput, 'pipelineName'> & { pipeline?: string } = {}): Promise<PipelineRun[]> {
    return this.backend().listRuns({ pipelineName: q.pipeline, status: q.status, maxResults: q.maxResults, before: q.before });
  }

  /** A run and the state of each of its steps. */
  get(runId: string): Promise<PipelineRunDetail> {
    return this.backend().getRun(runId);
  }

  /**
   * Captured stdout/stderr lines of a run (or one step), up to `maxLines` (default 10,000).
   *
   * @example
   * ```ts
   * const lines = await cairn.pipelines.logs(runId, { step: 'train' });
   * ```
   */
  logs(runId: string, q: { step?: string; sinceTime?: number; maxLines?: number } = {}): Promise<LogLine[]> {
    return this.backend().logs(runId, q);
  }

  /**
   * Yields log lines as the run writes them, each once, and ends when the run has ended (as
   * `cairn pipelines logs RUN --follow`).
   *
   * @example
   * ```ts
   * for await (const line of cairn.pipelines.followLogs(runId, { step: 'train' })) process.stdout.write(`${line.text}\n`);
   * ```
   */
  async *followLogs(runId: string, options: FollowLogsOptions = {}): AsyncGenerator<LogLine> {
    const seen = new Set<string>();
    let since = 0;
    while (!options.signal?.aborted) {
      const ended = (await this.backend().getRun(runId)).run.status !== 'RUNNING';
      const lines = await this.backend().logs(runId, { step: options.step, sinceTime: since });
      for (const l of lines) {
        const id = `${l.stepRunId}:${l.attempt}:${l.seq}`;
        if (seen.has(id)) continue;
        seen.add(id);
        yield l;
      }
      if (lines.length) since = Math.max(since, lines[lines.length - 1]!.time - FOLLOW_WINDOW_MS);
      if (ended) return;
      await sleep(options.pollMs ?? 500, options.signal);
    }
  }

  /**
   * Resolves when the run has ended, with its final state; `UNAVAILABLE` after `timeoutMs`.
   *
   * @example
   * ```ts
   * const { run } = await cairn.pipelines.waitForEnd(runId, { timeoutMs: 10 * 60_000 });
   * ```
   */
  async waitForEnd(runId: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<PipelineRunDetail> {
    const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
    for (;;) {
      const detail = await this.backend().getRun(runId);
      if (detail.run.status !== 'RUNNING') return detail;
      if (Date.now() > deadline) throw new CairnError('UNAVAILABLE', `Pipeline run '${runId}' is still running after ${Math.round((options.timeoutMs ?? 0) / 1000)} s.`);
      await sleep(options.pollMs ?? 500);
    }
  }

  /** Why a step hit or missed the cache, naming the parts of the key that changed. */
  explain(runId: string, step: string): Promise<CacheExplanation> {
    return this.backend().explain(runId, step);
  }

  /** Each step run with the artifacts it consumed and produced. */
  lineage(runId: string): Promise<LineageNode[]> {
    return this.backend().lineage(runId);
  }

  /** Asks a running run to stop; it ends CANCELLED once its running steps have stopped. */
  cancel(runId: string): Promise<PipelineRun> {
    return this.backend().cancel(runId);
  }

  /**
   * Cron schedules. Adding one loads the pipeline file: `cairn pipelines schedule add`.
   *
   * @example
   * ```ts
   * await cairn.pipelines.schedules.pause('nightly');
   * const { ticks } = await cairn.pipelines.schedules.get('nightly');
   * ```
   */
  readonly schedules = {
    list: (): Promise<ScheduleInfo[]> => this.backend().listSchedules(),
    get: (name: string): Promise<{ schedule: ScheduleInfo; ticks: ScheduleTick[] }> => this.backend().getSchedule(name),
    pause: (name: string): Promise<ScheduleInfo> => this.backend().setScheduleEnabled(name, false),
    resume: (name: string): Promise<ScheduleInfo> => this.backend().setScheduleEnabled(name, true),
    remove: (name: string): Promise<void> => this.backend().removeSchedule(name),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
