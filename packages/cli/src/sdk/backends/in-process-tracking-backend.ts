import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type {
  ArtifactFileInfo,
  CreateExperimentInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  ExperimentService,
  LogBatchInput,
  Metric,
  Page,
  PutResult,
  Run,
  RunInfo,
  RunService,
  SearchExperimentsInput,
  SearchRunsInput,
  UpdateRunInput,
} from '@cairn/core';
import { LIMITS, startHeartbeatReaper, type HeartbeatReaper } from '@cairn/core';
import type { ArtifactSource, TrackingBackend } from '../tracking-backend.js';

/** The part of a `Platform` this backend uses. */
export interface InProcessServices {
  experiments: ExperimentService;
  runs: RunService;
}

export interface InProcessOptions {
  /** Shown in messages, e.g. the store URI. */
  location?: string;
  /**
   * The store's `tracking.heartbeat_timeout_seconds`. When set, this backend ends dead runs itself:
   * on `sweepStaleRuns()` and on a timer from its first run with heartbeats until `close()`.
   */
  heartbeatTimeoutSeconds?: number | null;
  /** Called by `close()`; pass the platform's close when this backend owns it. */
  close?: () => Promise<void>;
}

/**
 * Calls the tracking services directly, in this process: the project's embedded store (SQLite by
 * default, or PostgreSQL) with no server in between.
 *
 * @example
 * ```ts
 * const platform = await openPlatform(loadConfig());
 * const backend = new InProcessTrackingBackend(platform, { close: () => platform.close() });
 * ```
 */
export class InProcessTrackingBackend implements TrackingBackend {
  readonly location: string;
  // Larger batches amortize the per-transaction cost; the service refuses more than this.
  readonly maxBatchMetrics = LIMITS.batchMetrics;
  private reaper: HeartbeatReaper | null = null;

  constructor(private readonly services: InProcessServices, private readonly options: InProcessOptions = {}) {
    this.location = options.location ?? 'the embedded store';
  }

  async heartbeatTimeoutSeconds(): Promise<number | null> {
    return this.options.heartbeatTimeoutSeconds ?? null;
  }

  /**
   * Marks runs of this store whose heartbeat lapsed KILLED, with the reason (no server does it for an
   * embedded store). Resolves to the ids it ended; none when no timeout is configured.
   *
   * @example
   * ```ts
   * const ended = await backend.sweepStaleRuns(); // run ids whose process died
   * ```
   */
  async sweepStaleRuns(): Promise<string[]> {
    const timeout = this.options.heartbeatTimeoutSeconds;
    return timeout ? this.services.runs.killStaleRuns(timeout) : [];
  }

  // While this process logs runs, it also ends other processes' dead runs, every quarter timeout (the
  // timer does not keep the process alive).
  private startReaper(): void {
    const timeout = this.options.heartbeatTimeoutSeconds;
    if (this.reaper || !timeout) return;
    this.reaper = startHeartbeatReaper(this.services.runs, timeout, {
      info: () => {},
      error: (obj, msg) => process.emitWarning(`Cairn: ${msg}: ${String((obj as { err?: Error }).err?.message ?? obj)}`, { code: 'CAIRN_HEARTBEAT_SWEEP' }),
    });
  }

  createExperiment(input: CreateExperimentInput): Promise<Experiment> {
    return this.services.experiments.create(input);
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.services.experiments.get(experimentId);
  }

  findExperimentByName(name: string): Promise<Experiment | null> {
    return this.services.experiments.findByName(name);
  }

  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    return this.services.experiments.search(input);
  }

  renameExperiment(experimentId: string, name: string): Promise<Experiment> {
    return this.services.experiments.rename(experimentId, name);
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.services.experiments.delete(experimentId);
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.services.experiments.restore(experimentId);
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const run = await this.services.runs.create(input);
    if (input.heartbeat) this.startReaper();
    return run;
  }

  getRun(runId: string): Promise<Run> {
    return this.services.runs.get(runId);
  }

  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    return this.services.runs.update(runId, input);
  }

  logBatch(runId: string, input: LogBatchInput): Promise<void> {
    return this.services.runs.logBatch(runId, input);
  }

  logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    return this.services.runs.logInputs(runId, inputs);
  }

  heartbeat(runId: string): Promise<void> {
    return this.services.runs.heartbeat(runId);
  }

  getMetricHistory(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    return this.services.runs.getMetricHistory(runId, key, page);
  }

  searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    return this.services.runs.search(input);
  }

  putArtifact(runId: string, path: string, body: ArtifactSource): Promise<PutResult> {
    const content = body instanceof Uint8Array || !('file' in body) ? body : createReadStream(body.file);
    return this.services.runs.logArtifact(runId, path, content);
  }

  listArtifacts(runId: string, path = ''): Promise<ArtifactFileInfo[]> {
    return this.services.runs.listArtifacts(runId, path);
  }

  async openArtifact(runId: string, path: string): Promise<Readable> {
    return (await this.services.runs.openArtifact(runId, path)).stream;
  }

  async close(): Promise<void> {
    this.reaper?.stop();
    this.reaper = null;
    await this.options.close?.();
  }
}
