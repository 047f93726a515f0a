import type { Readable } from 'node:stream';
import type { CairnClient } from '@cairn/client';
import type {
  ArtifactFileInfo,
  CreateExperimentInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  LogBatchInput,
  Metric,
  Page,
  PutResult,
  Run,
  RunInfo,
  SearchExperimentsInput,
  SearchRunsInput,
  UpdateRunInput,
} from '@cairn/core';
import { isCairnError } from '@cairn/core/errors';
import type { ArtifactSource, TrackingBackend } from '../tracking-backend.js';

/**
 * Sends tracking calls to a Cairn server through `CairnClient`.
 *
 * @example
 * ```ts
 * const backend = new HttpTrackingBackend(new CairnClient({ baseUrl: 'http://127.0.0.1:5050', token }));
 * const cairn = await Cairn.connect({ backend });
 * ```
 */
export class HttpTrackingBackend implements TrackingBackend {
  // 10,000 points is about 0.7 MB of JSON: well inside the server's default 16 MB body limit.
  readonly maxBatchMetrics = 10_000;
  private timeout: Promise<number | null> | null = null;

  constructor(private readonly client: CairnClient) {}

  // Asked once, from /health: the server reaps runs silent for longer than its timeout, whatever the
  // client's defaults. A server that does not say (an older one) gets the SDK's default pace.
  heartbeatTimeoutSeconds(): Promise<number | null> {
    this.timeout ??= this.client.health().then(
      (h) => (typeof h.heartbeatTimeoutSeconds === 'number' && h.heartbeatTimeoutSeconds > 0 ? h.heartbeatTimeoutSeconds : null),
      () => null,
    );
    return this.timeout;
  }

  get location(): string {
    return this.client.baseUrl;
  }

  createExperiment(input: CreateExperimentInput): Promise<Experiment> {
    return this.client.createExperiment(input);
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.client.getExperiment(experimentId);
  }

  async findExperimentByName(name: string): Promise<Experiment | null> {
    try {
      return await this.client.getExperimentByName(name);
    } catch (e) {
      if (isCairnError(e, 'NOT_FOUND')) return null;
      throw e;
    }
  }

  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    return this.client.searchExperiments(input);
  }

  renameExperiment(experimentId: string, name: string): Promise<Experiment> {
    return this.client.renameExperiment(experimentId, name);
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.client.deleteExperiment(experimentId);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.client.restoreExperiment(experimentId);
  }

  createRun(input: CreateRunInput): Promise<Run> {
    return this.client.createRun(input);
  }

  getRun(runId: string): Promise<Run> {
    return this.client.getRun(runId);
  }

  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    return this.client.updateRun(runId, input);
  }

  logBatch(runId: string, input: LogBatchInput): Promise<void> {
    return this.client.logBatch(runId, input);
  }

  logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    return this.client.logInputs(runId, inputs);
  }

  heartbeat(runId: string): Promise<void> {
    return this.client.heartbeat(runId);
  }

  getMetricHistory(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    return this.client.getMetricHistory(runId, key, page);
  }

  searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    return this.client.searchRuns(input);
  }

  putArtifact(runId: string, path: string, body: ArtifactSource): Promise<PutResult> {
    return this.client.uploadArtifact(runId, path, body);
  }

  listArtifacts(runId: string, path = ''): Promise<ArtifactFileInfo[]> {
    return this.client.listArtifacts(runId, path);
  }

  openArtifact(runId: string, path: string): Promise<Readable> {
    return this.client.downloadArtifact(runId, path);
  }

  async close(): Promise<void> {
    // Pooled keep-alive sockets belong to the global dispatcher and close themselves when idle.
  }
}
