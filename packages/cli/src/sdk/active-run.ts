import { basename } from 'node:path';
import type { Dataset, PutResult, RunInfo, RunStatus } from '@cairn/core';
import { CONTEXT_TAG, CairnError, invalid, isCairnError } from '@cairn/core';
import { MetricBuffer } from './metric-buffer.js';
import type { TrackingBackend } from './tracking-backend.js';

/** Values accepted for params; numbers and booleans are stored as their string form. */
export type ParamValue = string | number | boolean;

export interface ActiveRunTimings {
  /** How often to send heartbeats, in ms; 0 turns them off. */
  heartbeatIntervalMs: number;
  /** How often buffered metrics are flushed, in ms. Default 1000. */
  flushIntervalMs?: number;
  /** How many buffered points start a flush. Default 10,000. */
  flushThreshold?: number;
  /** Told when the run starts ending, so its owner can stop tracking it. */
  onEnd?: (run: ActiveRun) => void;
  /** Told once the run is recorded as ended, with the status it got. */
  onEnded?: (run: ActiveRun, status: RunStatus) => void;
}

/**
 * A run in progress. Metrics are buffered and written in batches in the background, so
 * `logMetric` is cheap enough to call in a training loop; params, tags, artifacts and inputs are
 * written right away. End it with `end()` (or let `cairn.run` do it).
 *
 * @example
 * ```ts
 * const run = await cairn.startRun({ experiment: 'churn', params: { lr: 0.01 } });
 * for (let epoch = 0; epoch < 10; epoch++) run.logMetric('loss', 1 / (epoch + 1), { step: epoch });
 * await run.logArtifact('model.onnx');
 * await run.end();
 * ```
 */
export class ActiveRun {
  /** The run id (32 hex characters). */
  readonly id: string;
  readonly experimentId: string;
  /** The run's name (generated when none was given). */
  readonly name: string;
  private readonly metrics: MetricBuffer;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private ending: Promise<void> | null = null;

  /** @internal Created by `Cairn.startRun`. */
  constructor(private readonly backend: TrackingBackend, readonly info: RunInfo, private readonly timings: ActiveRunTimings) {
    this.id = info.runId;
    this.experimentId = info.experimentId;
    this.name = info.runName;
    this.metrics = new MetricBuffer((batch) => backend.logBatch(this.id, { metrics: batch }), {
      maxBatch: backend.maxBatchMetrics,
      threshold: timings.flushThreshold,
      intervalMs: timings.flushIntervalMs,
    });
    if (timings.heartbeatIntervalMs > 0) {
      this.heartbeatTimer = setInterval(() => void this.beat(), timings.heartbeatIntervalMs).unref();
    }
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.ending !== null;
  }

  /**
   * Buffers one metric point; it is written within about a second, or on `flush()`/`end()`.
   * Throws the error of an earlier failed write, if any.
   *
   * @example
   * ```ts
   * run.logMetric('val/accuracy', 0.91, { step: 3 });
   * ```
   */
  logMetric(key: string, value: number, options?: { step?: number; timestamp?: number }): void {
    if (this.ending) this.refuseEnded();
    this.metrics.add(key, value, options?.step ?? 0, options?.timestamp ?? Date.now());
  }

  /**
   * Buffers several metrics sharing one step and timestamp.
   *
   * @example
   * ```ts
   * run.logMetrics({ loss: 0.21, accuracy: 0.93 }, { step: 12 });
   * ```
   */
  logMetrics(values: Record<string, number>, options?: { step?: number; timestamp?: number }): void {
    if (this.ending) this.refuseEnded();
    const step = options?.step ?? 0;
    const timestamp = options?.timestamp ?? Date.now();
    for (const key in values) this.metrics.add(key, values[key]!, step, timestamp);
  }

  /**
   * Records hyper-parameters. A param cannot change once set (logging the same value again is fine).
   *
   * @example
   * ```ts
   * await run.logParams({ lr: 0.01, layers: 4, optimizer: 'adam' });
   * ```
   */
  async logParams(params: Record<string, ParamValue>): Promise<void> {
    if (this.ending) this.refuseEnded();
    const list = Object.entries(params).map(([key, value]) => ({ key, value: paramString(key, value) }));
    await this.backend.logBatch(this.id, { params: list });
  }

  /**
   * Sets tags, replacing earlier values of the same keys.
   *
   * @example
   * ```ts
   * await run.setTags({ team: 'risk', 'data.version': '2024-05' });
   * ```
   */
  async setTags(tags: Record<string, string>): Promise<void> {
    if (this.ending) this.refuseEnded();
    await this.backend.logBatch(this.id, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
  }

  /**
   * Stores a file (streamed from disk) or bytes as an artifact of this run. `name` is the path
   * inside the run's artifacts; for a file it defaults to the file's base name.
   *
   * @example
   * ```ts
   * await run.logArtifact('out/model.onnx');                        // stored as model.onnx
   * await run.logArtifact(Buffer.from(report), 'reports/eval.json');
   * ```
   */
  async logArtifact(source: string | Uint8Array, name?: string): Promise<PutResult> {
    if (this.ending) this.refuseEnded();
    if (typeof source === 'string') return this.backend.putArtifact(this.id, name ?? basename(source), { file: source });
    if (!name) throw invalid('logArtifact(bytes, name): give the artifact a name, e.g. "reports/eval.json".');
    return this.backend.putArtifact(this.id, name, source);
  }

  /**
   * Records a dataset this run used; `context` says how (`training`, `validation`, …).
   *
   * @example
   * ```ts
   * await run.logInput({ name: 'churn-2024', digest: 'a1b2c3', sourceType: 'local', source: '{"path":"data/churn.parquet"}' }, { context: 'training' });
   * ```
   */
  async logInput(dataset: Dataset, options?: { context?: string; tags?: Record<string, string> }): Promise<void> {
    if (this.ending) this.refuseEnded();
    const tags = { ...options?.tags, ...(options?.context ? { [CONTEXT_TAG]: options.context } : {}) };
    await this.backend.logInputs(this.id, [{ dataset, tags }]);
  }

  /**
   * Writes all buffered metrics now. Rejects if a write failed (the points stay buffered).
   *
   * @example
   * ```ts
   * run.logMetric('loss', 0.1);
   * await run.flush(); // readers now see the point
   * ```
   */
  flush(): Promise<void> {
    return this.metrics.flush();
  }

  /**
   * Flushes buffered metrics, stops heartbeats and marks the run ended. If the flush fails the run
   * is marked FAILED and the flush error is thrown. Calling it again returns the first call's result.
   *
   * @example
   * ```ts
   * try { await train(run); await run.end(); } catch (e) { await run.end('FAILED'); throw e; }
   * ```
   */
  end(status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'> = 'FINISHED'): Promise<void> {
    this.ending ??= this.finish(status);
    return this.ending;
  }

  private async finish(status: RunStatus): Promise<void> {
    this.timings.onEnd?.(this);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.metrics.stop();
    let flushError: unknown = null;
    try {
      await this.metrics.flush();
    } catch (e) {
      flushError = e;
    }
    const final = flushError ? 'FAILED' : status;
    try {
      await this.backend.updateRun(this.id, { status: final });
      this.timings.onEnded?.(this, final);
    } catch (e) {
      if (!flushError) throw e;
    }
    if (flushError) throw flushError;
  }

  private async beat(): Promise<void> {
    try {
      await this.backend.heartbeat(this.id);
    } catch (e) {
      // The server ended the run (e.g. it was marked KILLED): further beats cannot succeed.
      if (isCairnError(e, 'FAILED_PRECONDITION') || isCairnError(e, 'NOT_FOUND')) {
        if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = null;
      }
      process.emitWarning(`Cairn: heartbeat for run ${this.id} failed: ${(e as Error).message}`, { code: 'CAIRN_HEARTBEAT' });
    }
  }

  private refuseEnded(): never {
    throw new CairnError('FAILED_PRECONDITION', `Run ${this.id} has ended; start a new run to log more.`);
  }
}

/** A param value as stored: numbers and booleans become their string form; anything else is refused. */
export function paramString(key: string, value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(`Param '${key}' must be a string, number or boolean, got ${value === null ? 'null' : typeof value}.`);
}
