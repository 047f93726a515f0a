import type {
  CacheExplanation,
  LineageNode,
  ListPipelineRunsInput,
  LogLine,
  PipelineRun,
  PipelineRunDetail,
  PipelineSummary,
  ReadLogsInput,
  ScheduleInfo,
  ScheduleTick,
  StepLogPage,
} from '@cairn/core';
import type { CairnClientOptions, CallOptions } from './cairn-api.js';
import { HttpTransport } from './http-transport.js';

const seg = encodeURIComponent;
const run = (runId: string) => `/api/v1/pipelines/runs/${seg(runId)}`;
const schedule = (name: string) => `/api/v1/pipelines/schedules/${seg(name)}`;

/**
 * A typed client for the pipelines' `/api/v1/pipelines…` routes: runs, step states, logs, cache
 * explanations, lineage, cancel and resume, and schedules. Starting runs and adding schedules load
 * pipeline code, so they stay on the CLI next to the code. Browser-safe (the web UI uses it as
 * `CairnApi.pipelines`). Errors come back as `CairnError` with the server's code.
 *
 * @example
 * ```ts
 * const pipelines = new PipelinesClient({ baseUrl: 'http://127.0.0.1:5050', token: process.env.CAIRN_TRACKING_TOKEN });
 * const [latest] = await pipelines.listRuns({ pipelineName: 'churn-train', maxResults: 1 });
 * const { steps } = await pipelines.getRun(latest.runId);
 * const why = await pipelines.explain(latest.runId, 'train');
 * ```
 */
export class PipelinesClient {
  private readonly http: HttpTransport;

  constructor(options: CairnClientOptions) {
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.http = new HttpTransport(options.baseUrl, options.token, options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Pipelines that have run in the project, with their last run. */
  async listPipelines(): Promise<PipelineSummary[]> {
    return (await this.http.json<{ pipelines: PipelineSummary[] }>('GET', '/api/v1/pipelines')).pipelines;
  }

  /** Runs, newest first; page with `before` (the `createdTime` of the last run seen). */
  async listRuns(q: ListPipelineRunsInput = {}): Promise<PipelineRun[]> {
    const query = { pipeline: q.pipelineName, status: q.status, maxResults: q.maxResults, before: q.before };
    return (await this.http.json<{ runs: PipelineRun[] }>('GET', '/api/v1/pipelines/runs', { query })).runs;
  }

  async getRun(runId: string, options: CallOptions = {}): Promise<PipelineRunDetail> {
    return this.http.json<PipelineRunDetail>('GET', run(runId), options);
  }

  /** Captured stdout/stderr lines; poll with `sinceTime` to follow a running run. */
  async logs(runId: string, q: ReadLogsInput = {}): Promise<LogLine[]> {
    return (await this.http.json<{ lines: LogLine[] }>('GET', `${run(runId)}/logs`, { query: { ...q } })).lines;
  }

  /**
   * One step's log lines after `after` (the previous page's `cursor`). With `waitMs`, the server
   * waits for new lines while the step runs: call again with the new cursor until `done`.
   *
   * @example
   * ```ts
   * let cursor: string | undefined;
   * for (;;) {
   *   const page = await pipelines.followStepLogs(runId, 'train', { after: cursor, waitMs: 10_000 });
   *   for (const l of page.lines) console.log(l.text);
   *   if (page.done) break;
   *   cursor = page.cursor ?? cursor;
   * }
   * ```
   */
  async followStepLogs(runId: string, step: string, q: { after?: string; maxLines?: number; waitMs?: number } = {}, options: CallOptions = {}): Promise<StepLogPage> {
    return this.http.json<StepLogPage>('GET', `${run(runId)}/steps/${seg(step)}/logs`, { query: { ...q }, ...options });
  }

  /** Why a step hit or missed the cache, naming the parts of the key that changed. */
  async explain(runId: string, step: string): Promise<CacheExplanation> {
    return this.http.json<CacheExplanation>('GET', `${run(runId)}/steps/${seg(step)}/explain`);
  }

  /** Each step run with the artifacts it consumed and produced. */
  async lineage(runId: string): Promise<LineageNode[]> {
    return (await this.http.json<{ steps: LineageNode[] }>('GET', `${run(runId)}/lineage`)).steps;
  }

  /** Asks the run to stop; it ends CANCELLED once its running steps have stopped (at once if its runner is gone). */
  async cancel(runId: string): Promise<PipelineRun> {
    return (await this.http.json<{ run: PipelineRun }>('POST', `${run(runId)}/cancel`)).run;
  }

  /** Resumes a FAILED or CANCELLED run in the server's process (editors); answers once it is RUNNING. */
  async resume(runId: string): Promise<PipelineRun> {
    return (await this.http.json<{ run: PipelineRun }>('POST', `${run(runId)}/resume`)).run;
  }

  async listSchedules(): Promise<ScheduleInfo[]> {
    return (await this.http.json<{ schedules: ScheduleInfo[] }>('GET', '/api/v1/pipelines/schedules')).schedules;
  }

  /** A schedule and its latest fired ticks. */
  async getSchedule(name: string): Promise<{ schedule: ScheduleInfo; ticks: ScheduleTick[] }> {
    const res = await this.http.json<{ schedule: ScheduleInfo; ticks?: ScheduleTick[] }>('GET', schedule(name));
    return { schedule: res.schedule, ticks: res.ticks ?? [] };
  }

  async pauseSchedule(name: string): Promise<ScheduleInfo> {
    return (await this.http.json<{ schedule: ScheduleInfo }>('POST', `${schedule(name)}/pause`)).schedule;
  }

  async resumeSchedule(name: string): Promise<ScheduleInfo> {
    return (await this.http.json<{ schedule: ScheduleInfo }>('POST', `${schedule(name)}/resume`)).schedule;
  }

  async removeSchedule(name: string): Promise<void> {
    await this.http.json('DELETE', schedule(name));
  }
}
