import type { Readable } from 'node:stream';
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

/** Artifact content: bytes, a Node stream, or `{ file }` to stream a local file. */
export type ArtifactSource = Uint8Array | Readable | { file: string };

/**
 * Where the SDK and the CLI send tracking calls: the project's embedded store in this process, or a
 * Cairn server over HTTP. Both implementations take and return the same domain entities and throw
 * `CairnError` with the same codes, so nothing above this interface knows which one it talks to.
 *
 * @example
 * ```ts
 * const backend: TrackingBackend = new HttpTrackingBackend(new CairnClient({ baseUrl: 'http://127.0.0.1:5050' }));
 * const exp = (await backend.findExperimentByName('churn')) ?? (await backend.createExperiment({ name: 'churn' }));
 * ```
 */
export interface TrackingBackend {
  /** A human-readable description of the destination, for messages (server URL or store URI). */
  readonly location: string;
  /** The most metric points one `logBatch` call may carry. */
  readonly maxBatchMetrics: number;
  /**
   * Seconds without a heartbeat after which a run is killed (the store's or the server's
   * `tracking.heartbeat_timeout_seconds`), or null when the backend cannot tell.
   */
  heartbeatTimeoutSeconds(): Promise<number | null>;

  createExperiment(input: CreateExperimentInput): Promise<Experiment>;
  getExperiment(experimentId: string): Promise<Experiment>;
  /** Null when no experiment (active or deleted) has this name. */
  findExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, name: string): Promise<Experiment>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;

  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>;
  /** Atomic: all of the batch is stored or none of it. */
  logBatch(runId: string, input: LogBatchInput): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  heartbeat(runId: string): Promise<void>;
  getMetricHistory(runId: string, key: string, page?: { maxResults?: number; pageToken?: string }): Promise<Page<Metric>>;
  searchRuns(input: SearchRunsInput): Promise<Page<Run>>;

  putArtifact(runId: string, path: string, body: ArtifactSource): Promise<PutResult>;
  listArtifacts(runId: string, path?: string): Promise<ArtifactFileInfo[]>;
  openArtifact(runId: string, path: string): Promise<Readable>;

  close(): Promise<void>;
}
