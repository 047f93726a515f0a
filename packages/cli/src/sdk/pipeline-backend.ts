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
} from '@cairn/core';

/**
 * Where the SDK sends pipeline calls: the platform in this process, or a Cairn server over HTTP.
 * Both return the same entities and throw `CairnError` with the same codes. Starting runs and adding
 * schedules load pipeline code and are not here: they run next to the code (`cairn pipelines run`,
 * or `platform.pipelines.start` in process).
 *
 * @example
 * ```ts
 * const pipelines: PipelineBackend = new HttpPipelineBackend(new PipelinesClient({ baseUrl: 'http://127.0.0.1:5050' }));
 * const runs = await pipelines.listRuns({ status: 'FAILED' });
 * ```
 */
export interface PipelineBackend {
  listPipelines(): Promise<PipelineSummary[]>;
  listRuns(q: ListPipelineRunsInput): Promise<PipelineRun[]>;
  getRun(runId: string): Promise<PipelineRunDetail>;
  logs(runId: string, q: ReadLogsInput): Promise<LogLine[]>;
  explain(runId: string, step: string): Promise<CacheExplanation>;
  lineage(runId: string): Promise<LineageNode[]>;
  cancel(runId: string): Promise<PipelineRun>;
  listSchedules(): Promise<ScheduleInfo[]>;
  getSchedule(name: string): Promise<{ schedule: ScheduleInfo; ticks: ScheduleTick[] }>;
  setScheduleEnabled(name: string, enabled: boolean): Promise<ScheduleInfo>;
  removeSchedule(name: string): Promise<void>;
}
