import { CairnError, invalid, notFound } from '../errors.js';
import { explainStep, type CacheExplanation } from './cache/explain.js';
import type { LineageNode, LogLine, PipelineRun, PipelineRunDetail, PipelineRunStatus, PipelineSummary, StepRun } from './entities.js';
import { PIPELINE_RUN_STATUSES } from './entities.js';
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

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

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
