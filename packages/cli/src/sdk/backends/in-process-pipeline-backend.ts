import type { ListPipelineRunsInput, PipelineService, ReadLogsInput } from '@cairn/core';
import type { PipelineBackend } from '../pipeline-backend.js';

/**
 * Calls the pipeline services directly, in this process.
 *
 * @example
 * ```ts
 * const platform = await openPlatform(loadConfig());
 * const pipelines = new InProcessPipelineBackend(platform.pipelines);
 * ```
 */
export class InProcessPipelineBackend implements PipelineBackend {
  constructor(private readonly pipelines: PipelineService) {}

  listPipelines = () => this.pipelines.queries.listPipelines();
  listRuns = (q: ListPipelineRunsInput) => this.pipelines.queries.listRuns(q);
  getRun = (runId: string) => this.pipelines.queries.getRun(runId);
  logs = (runId: string, q: ReadLogsInput) => this.pipelines.queries.logs(runId, q);
  explain = (runId: string, step: string) => this.pipelines.queries.explain(runId, step);
  lineage = (runId: string) => this.pipelines.queries.lineage(runId);
  cancel = (runId: string) => this.pipelines.cancel(runId);
  listSchedules = () => this.pipelines.schedules.list();
  setScheduleEnabled = (name: string, enabled: boolean) => this.pipelines.schedules.setEnabled(name, enabled);
  removeSchedule = (name: string) => this.pipelines.schedules.remove(name);

  async getSchedule(name: string) {
    return { schedule: await this.pipelines.schedules.get(name), ticks: await this.pipelines.schedules.ticks(name) };
  }
}
