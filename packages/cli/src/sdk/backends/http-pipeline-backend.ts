import type { PipelinesClient } from '@cairn/client';
import type { ListPipelineRunsInput, ReadLogsInput } from '@cairn/core';
import type { PipelineBackend } from '../pipeline-backend.js';

/**
 * Sends pipeline calls to a Cairn server through `PipelinesClient`.
 *
 * @example
 * ```ts
 * const pipelines = new HttpPipelineBackend(new PipelinesClient({ baseUrl: 'http://127.0.0.1:5050', token }));
 * ```
 */
export class HttpPipelineBackend implements PipelineBackend {
  constructor(private readonly client: PipelinesClient) {}

  listPipelines = () => this.client.listPipelines();
  listRuns = (q: ListPipelineRunsInput) => this.client.listRuns(q);
  getRun = (runId: string) => this.client.getRun(runId);
  logs = (runId: string, q: ReadLogsInput) => this.client.logs(runId, q);
  explain = (runId: string, step: string) => this.client.explain(runId, step);
  lineage = (runId: string) => this.client.lineage(runId);
  cancel = (runId: string) => this.client.cancel(runId);
  listSchedules = () => this.client.listSchedules();
  getSchedule = (name: string) => this.client.getSchedule(name);
  setScheduleEnabled = (name: string, enabled: boolean) => (enabled ? this.client.resumeSchedule(name) : this.client.pauseSchedule(name));
  removeSchedule = (name: string) => this.client.removeSchedule(name);
}
