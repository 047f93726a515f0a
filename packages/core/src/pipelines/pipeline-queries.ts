import { CairnError, invalid, notFound } from '../errors.js';
import { explainStep, type CacheExplanation } from './cache/explain.js';
import type { LineageNode, LogLine, PipelineRun, PipelineRunDetail, PipelineRunStatus, PipelineSummary, StepRun } from './entities.js';
import { FINAL_STEP_STATUSES, PIPELINE_RUN_STATUSES } from './entities.js';
import type { LineageStore } from './sql/lineage-store.js';
import type { LogStore } from './sql/log-store.js';
import type { PipelineRunStore } from './sql/pipeline-run-store.js';
import type { StepAttemptStore } from './sql/step-attempt-store.js';
import type { StepRunStore } from './sql/step-run-store.js';

export interface ListPipelineRunsInput {
  pipelineName?: string;
  status?: PipelineRunStatus;
  /** 1..1000, default 50. */
  maxResults?: number;
  /** Only runs created before this time (ms), for paging. */
  before?: number;
}

export interface ReadLogsInput {
  /** A step id (or step name). */
  step?: string;
  sinceTime?: number;
  /** 1..100000, default 10000. */
  maxLines?: number;
}

export interface FollowLogsInput {
  /** The `cursor` of the previous answer; from the first line when absent. */
  after?: string;
  /** 1..100000, default 10000. */
  maxLines?: number;
  /** How long to wait for a line when there is none yet, 0..25000 ms (default 0: answer at once). */
  waitMs?: number;
  /** Stops waiting (the client went away, the server is closing). */
  signal?: AbortSignal;
}

/** A page of one step's log lines, and where the next page starts. */
export interface StepLogPage {
  lines: LogLine[];
  /** Pass as `after` to read on; unchanged when no line came. */
  cursor: string | null;
  stepStatus: StepRun['status'];
  /** The step has ended and every line of it has been read: no need to ask again. */
  done: boolean;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURSOR = /^(\d{1,9}):(\d{1,15})$/;
const FOLLOW_POLL_MS = 200;

/** The read side of pipelines: runs, steps, logs, cache explanations and lineage. */
export class PipelineQueries {
  constructor(
    private readonly runStore: PipelineRunStore,
    private readonly steps: StepRunStore,
    private readonly attempts: StepAttemptStore,
    private readonly lineageStore: LineageStore,
    private readonly logStore: LogStore,
    /** Ends runs whose runner died, so reads never show them RUNNING forever. */
    private readonly reap: () => Promise<unknown>,
  ) {}

  async getRunInfo(runId: string): Promise<PipelineRun> {
    if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw notFound(`Pipeline run '${String(runId).slice(0, 80)}'`);
    await this.reap();
    const run = await this.runStore.get(runId);
    if (!run) throw notFound(`Pipeline run '${runId}'`, 'List runs with `cairn pipelines runs`.');
    return run;
  }

  async getRun(runId: string): Promise<PipelineRunDetail> {
    const run = await this.getRunInfo(runId);
    return { run, steps: await this.steps.list(runId), attempts: await this.attempts.attempts(runId) };
  }

  async listRuns(input: ListPipelineRunsInput = {}): Promise<PipelineRun[]> {
    const limit = input.maxResults ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw invalid(`'maxResults' must be a whole number from 1 to 1000.`);
    if (input.status !== undefined && !PIPELINE_RUN_STATUSES.includes(input.status)) throw invalid(`'status' must be one of ${PIPELINE_RUN_STATUSES.join(', ')}.`);
    await this.reap();
    return this.runStore.list({ pipelineName: input.pipelineName, status: input.status, limit, before: input.before });
  }

  listPipelines(): Promise<PipelineSummary[]> {
    return this.runStore.listDefinitions();
  }

  /** A step run by id or by step name (the first use of the step). */
  async getStep(runId: string, step: string): Promise<StepRun> {
    const steps = await this.steps.list(runId);
    const hit = steps.find((s) => s.stepId === step) ?? steps.find((s) => s.stepName === step);
    if (!hit) {
      await this.getRunInfo(runId);
      throw notFound(`Step '${step}' in pipeline run '${runId}'`, `Its steps are ${steps.map((s) => s.stepId).slice(0, 20).join(', ')}.`);
    }
    return hit;
  }

  async logs(runId: string, input: ReadLogsInput = {}): Promise<LogLine[]> {
    const limit = input.maxLines ?? 10_000;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) throw invalid(`'maxLines' must be a whole number from 1 to 100000.`);
    const run = await this.getRunInfo(runId);
    const stepId = input.step === undefined ? undefined : (await this.getStep(run.runId, input.step)).stepId;
    return this.logStore.read(runId, { stepId, sinceTime: input.sinceTime, limit });
  }

  /**
   * One step's log lines after a cursor, in order. With `waitMs`, a step still running is watched
   * until a line arrives or the time is up (a long poll): a follower gets lines as they are written
   * without asking again and again.
   */
  async followStepLogs(runId: string, step: string, input: FollowLogsInput = {}): Promise<StepLogPage> {
    const limit = input.maxLines ?? 10_000;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) throw invalid(`'maxLines' must be a whole number from 1 to 100000.`);
    const waitMs = input.waitMs ?? 0;
    if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > 25_000) throw invalid(`'waitMs' must be a whole number from 0 to 25000.`);
    let after: { attempt: number; seq: number } | null = null;
    if (input.after !== undefined && input.after !== '') {
      const m = CURSOR.exec(input.after);
      if (!m) throw invalid(`Invalid cursor '${String(input.after).slice(0, 40)}': pass back the cursor of the previous answer unchanged.`);
      after = { attempt: Number(m[1]), seq: Number(m[2]) };
    }
    await this.getRunInfo(runId);
    const first = await this.getStep(runId, step);
    const deadline = Date.now() + waitMs;
    for (let s = first; ; s = (await this.steps.get(first.stepRunId)) ?? s) {
      const final = FINAL_STEP_STATUSES.includes(s.status);
      const lines = await this.logStore.readAfter(s.stepRunId, s.stepId, after, limit);
      const last = lines.at(-1);
      const cursor = last ? `${last.attempt}:${last.seq}` : after && `${after.attempt}:${after.seq}`;
      // Read after the status: a step that ended had flushed its lines before it was marked ended.
      if (lines.length || final || Date.now() >= deadline || input.signal?.aborted) {
        return { lines, cursor, stepStatus: s.status, done: final && lines.length < limit };
      }
      await new Promise((r) => setTimeout(r, Math.min(FOLLOW_POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Why a step hit or missed the cache, naming the parts of the key that changed. */
  async explain(runId: string, step: string): Promise<CacheExplanation> {
    const run = await this.getRunInfo(runId);
    const s = await this.getStep(runId, step);
    const before = s.startTime ?? run.createdTime;
    const previous = await this.steps.previousCompleted(s.stepName, run.pipelineName, before, s.stepRunId);
    return explainStep(s, previous);
  }

  /** Every step run of a pipeline run with the artifacts it consumed and produced. */
  async lineage(runId: string): Promise<LineageNode[]> {
    const { steps } = await this.getRun(runId);
    const links = await this.lineageStore.linksOfRun(runId);
    const byStep = new Map<string, LineageNode>(steps.map((s) => [s.stepRunId, { step: s, inputs: [], outputs: [] }]));
    for (const l of links) byStep.get(l.stepRunId)?.[l.direction === 'input' ? 'inputs' : 'outputs'].push(l);
    return [...byStep.values()];
  }

  /** Waits until a run has ended (or `timeoutMs` passes) and returns it. */
  async waitForEnd(runId: string, timeoutMs: number, pollMs = 200): Promise<PipelineRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRunInfo(runId);
      if (run.status !== 'RUNNING') return run;
      if (Date.now() > deadline) throw new CairnError('UNAVAILABLE', `Pipeline run '${runId}' is still running after ${Math.round(timeoutMs / 1000)} s.`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
