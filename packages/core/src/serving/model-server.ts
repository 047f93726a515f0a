import { randomUUID } from 'node:crypto';
import { CairnError } from '../errors.js';
import type { FeatureStatus } from '../features/entities.js';
import type { Platform } from '../platform.js';
import type { ModelVersion } from '../registry/entities.js';
import { REGISTRY_CHANNEL } from '../registry/sql/change-notice.js';
import { AliasFollower } from './alias-follower.js';
import { hasEntityKeys, lookUpFeatures } from './feature-lookup.js';
import type { Frame } from './frame.js';
import type { InferenceRecord } from './inference-log/entities.js';
import type { InferenceLogger, InferenceLoggerStats } from './inference-log/inference-logger.js';
import { checkServable, openRuntime } from './load-model.js';
import type { RuntimeOptions } from './model-runtime.js';
import { fetchRegistryModel, fetchRunModel, parseModelTarget, type ModelTarget } from './model-source.js';
import { ServedModel, type ServedModelInfo } from './served-model.js';
import { checkFrame } from './signature-check.js';
import { trainingContextOf } from './training-context.js';
import { warmUpFrame } from './warm-up.js';

export interface ModelServerOptions {
  uri: string;
  runtime: RuntimeOptions;
  aliasPollMs: number;
  /** Writes scored rows to the inference log; null when logging is off. */
  logger: InferenceLogger | null;
  /** Structured logs (the HTTP layer passes pino). */
  log?: (level: 'info' | 'warn' | 'error', data: Record<string, unknown>, message: string) => void;
}

export interface PredictOptions {
  requestId?: string;
  /** Return the looked-up feature values with the predictions. */
  explain?: boolean;
  /** When the request arrived (performance.now()), for the logged latency. */
  startedAt?: number;
  /** Look features up as of this time (epoch ms or ISO), as `get-online --at` does: replays and backtests. Default now. */
  at?: number | string;
}

export interface PredictResult {
  requestId: string;
  model: string;
  version: number;
  predictions: unknown[];
  /** Per row, when features were looked up: PRESENT, OUTSIDE_MAX_AGE or NOT_FOUND (an unknown entity is not scored). */
  statuses?: FeatureStatus[];
  features?: Array<Record<string, unknown>>;
}

export interface ModelServerHealth {
  status: 'ok' | 'degraded';
  model: ServedModelInfo;
  follower: { mode: 'notify' | 'poll' | 'fixed'; lastCheck: number | null };
  /** The last failed load of a newer version; the previous one kept serving. Cleared by the next good load. */
  lastError: { version: number | null; message: string; time: number } | null;
  swaps: number;
  inferenceLog: InferenceLoggerStats | null;
  pythonRestarts: number;
}

const RETRY_FAILED_MS = 30_000;

/**
 * Serves one model: loads it, scores checked frames (looking features up when the request sends
 * only entity keys), logs what it scored, and, when it serves an alias, follows it: a moved alias
 * loads the new version in the background, warms it and swaps it in at once; requests under way
 * finish on the version they started with. A version that fails to load leaves the previous one
 * serving, with the error in `health()`.
 */
export class ModelServer {
  private current: ServedModel;
  private follower: AliasFollower | null = null;
  private lastError: ModelServerHealth['lastError'] = null;
  private failed: { version: number; digest: string | null; at: number } | null = null;
  private swaps = 0;
  private pythonRestarts = 0;
  private closed = false;

  private constructor(private readonly platform: Platform, private readonly target: ModelTarget, private readonly options: ModelServerOptions, first: ServedModel) {
    this.current = first;
  }

  static async open(platform: Platform, options: ModelServerOptions): Promise<ModelServer> {
    const target = parseModelTarget(options.uri);
    const holder: { server?: ModelServer } = {};
    const first = await loadServed(platform, target, options, () => holder.server && holder.server.pythonRestarts++);
    const server = new ModelServer(platform, target, options, first);
    holder.server = server;
    if (target.kind === 'registry' && target.alias) server.follow(target.name);
    return server;
  }

  private follow(name: string): void {
    const { platform } = this;
    const subscribe = platform.database.dialect === 'postgres'
      ? (onChange: () => void) => {
        let listener: { start(): Promise<void>; close(): Promise<void> } | null = null;
        void import('../db/postgres/postgres-listener.js').then(({ PostgresListener }) => {
          if (this.closed) return;
          listener = new PostgresListener({ uri: platform.config.store.uri, channels: [REGISTRY_CHANNEL], handlers: { notification: (_c, model) => model === name && onChange(), listening: (up) => up && onChange() } });
          void listener.start();
        });
        return { close: async () => listener?.close() };
      }
      : undefined;
    this.follower = new AliasFollower({ check: () => this.check(), pollMs: this.options.aliasPollMs, subscribe });
    this.follower.start();
  }

  /** Resolves the alias and swaps when it moved. Never throws: failures are kept for health and logged. */
  async check(): Promise<void> {
    if (this.target.kind !== 'registry' || this.closed) return;
    let version: ModelVersion;
    try {
      version = await this.platform.registry.resolve(this.target.uri);
    } catch (e) {
      this.log('warn', { err: (e as Error).message }, `cannot resolve ${this.target.uri}; still serving version ${this.current.info.version}`);
      return;
    }
    const cur = this.current.info;
    if (version.version === cur.version && version.digest === cur.digest) return;
    if (this.failed && this.failed.version === version.version && this.failed.digest === version.digest && Date.now() - this.failed.at < RETRY_FAILED_MS) return;
    this.log('info', { from: cur.version, to: version.version }, `${this.target.uri} moved to version ${version.version}; loading it`);
    let next: ServedModel;
    try {
      next = await loadServed(this.platform, this.target, this.options, () => this.pythonRestarts++, version);
    } catch (e) {
      this.failed = { version: version.version, digest: version.digest, at: Date.now() };
      this.lastError = { version: version.version, message: (e as Error).message, time: Date.now() };
      this.log('error', { version: version.version, err: (e as Error).message }, `version ${version.version} failed to load; version ${cur.version} keeps serving`);
      return;
    }
    if (this.closed) {
      await next.close();
      return;
    }
    const old = this.current;
    this.current = next;
    this.swaps++;
    this.failed = null;
    this.lastError = null;
    old.retire();
    this.log('info', { from: old.info.version, to: next.info.version }, `now serving version ${next.info.version}`);
  }

  get info(): ServedModelInfo {
    return this.current.info;
  }

  /** Waits for the alias check under way (tests). */
  async settle(): Promise<void> {
    await this.follower?.idle();
  }

  async predict(input: Frame, options: PredictOptions = {}): Promise<PredictResult> {
    const model = this.current.acquire();
    const requestId = options.requestId ?? randomUUID();
    try {
      const info = model.info;
      let frame = input;
      let looked: Awaited<ReturnType<typeof lookUpFeatures>> | null = null;
      if (info.featureService && hasEntityKeys(frame, info.entityFields) && !hasEveryInput(frame, info)) {
        looked = await lookUpFeatures(this.platform.features, info.featureService, info.entityFields, frame, this.platform.config.features.online_store.uri, options.at);
        frame = looked.frame;
      }
      const scored = looked ? { columns: frame.columns, rows: frame.rows.filter((_, i) => !looked!.unknown[i]) } : frame;
      const checked = checkFrame(scored, info.signature);
      const raw = checked.rows.length ? await model.runtime.predict(checked) : [];
      let predictions = raw;
      if (looked?.unknown.some(Boolean)) {
        let k = 0;
        predictions = looked.unknown.map((u) => (u ? null : raw[k++]));
      }
      const result: PredictResult = { requestId, model: info.name, version: info.version, predictions };
      if (looked) result.statuses = looked.statuses;
      if (looked && options.explain) result.features = looked.features;
      this.record(info, checked, predictions, looked, requestId, options.startedAt);
      return result;
    } finally {
      model.release();
    }
  }

  private record(info: ServedModelInfo, checked: Frame, predictions: unknown[], looked: { unknown: boolean[]; entities: string[] } | null, requestId: string, startedAt?: number): void {
    const logger = this.options.logger;
    if (!logger || !logger.sample()) return;
    const time = Date.now();
    const latencyMs = startedAt === undefined ? 0 : performance.now() - startedAt;
    const columns = checked.columns ?? checked.rows[0]?.map((_, j) => `${j}`) ?? [];
    const records: InferenceRecord[] = [];
    let k = 0;
    predictions.forEach((output, i) => {
      if (looked?.unknown[i]) return;
      const row = checked.rows[k++]!;
      const inputs: Record<string, unknown> = {};
      for (let j = 0; j < columns.length; j++) inputs[columns[j]!] = row[j] ?? null;
      records.push({ requestId, row: i, model: info.name, version: info.version, time, entity: looked?.entities[i] ?? null, inputs, output, latencyMs });
    });
    logger.add(records);
  }

  health(): ModelServerHealth {
    return {
      status: this.lastError ? 'degraded' : 'ok', model: this.current.info,
      follower: this.follower ? { mode: this.follower.mode, lastCheck: this.follower.lastCheck } : { mode: 'fixed', lastCheck: null },
      lastError: this.lastError, swaps: this.swaps, inferenceLog: this.options.logger?.stats() ?? null, pythonRestarts: this.pythonRestarts,
    };
  }

  private log(level: 'info' | 'warn' | 'error', data: Record<string, unknown>, message: string): void {
    this.options.log?.(level, { model: this.current?.info.name, ...data }, message);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.follower?.stop();
    await this.options.logger?.close();
    this.current.retire();
    await this.current.close();
  }
}

// A request that already carries every input the model reads needs no lookup (the caller's values win anyway).
function hasEveryInput(frame: Frame, info: ServedModelInfo): boolean {
  const inputs = info.signature?.inputs;
  if (!inputs?.length || !frame.columns) return false;
  const sent = new Set(frame.columns);
  return inputs.every((f, i) => sent.has(f.name ?? `${i}`));
}

async function loadServed(platform: Platform, target: ModelTarget, options: ModelServerOptions, onRestart: () => void, resolved?: ModelVersion): Promise<ServedModel> {
  let version: ModelVersion;
  let files: { dir: string; remove(): Promise<void> };
  if (target.kind === 'run') {
    const run = await fetchRunModel(platform, target.uri);
    version = run.version;
    files = run;
    checkServable(version, options.runtime);
  } else {
    version = resolved ?? (await platform.registry.resolve(target.uri));
    checkServable(version, options.runtime);
    const fetched = await fetchRegistryModel(platform, { ...target, uri: `models:/${encodeURIComponent(version.name)}/${version.version}` });
    files = fetched;
  }
  try {
    const runtime = await openRuntime(version, files.dir, options.runtime, onRestart);
    try {
      const training = target.kind === 'registry' ? await trainingContextOf(platform.database.db, version.name, version.version, version.runId) : null;
      const featureService = training?.featureService ?? null;
      const entityFields = featureService ? await platform.features.entityFields({ featureService }) : [];
      // Warm-up: the first prediction pays for lazy initialisation, so it happens before the swap
      // (without a signature there is no row known to fit, so the first request pays instead).
      if (version.signature?.inputs.length) await runtime.predict(checkFrame(warmUpFrame(version.signature), version.signature));
      const info: ServedModelInfo = {
        name: version.name, version: version.version, alias: target.kind === 'registry' ? target.alias : null, digest: version.digest, format: version.format,
        signature: version.signature, featureService, entityFields, trainingDatasetId: training?.datasetId ?? null, loadedAt: Date.now(),
      };
      return new ServedModel(info, runtime, files.remove);
    } catch (e) {
      await runtime.close();
      throw e;
    }
  } catch (e) {
    await files.remove();
    if (e instanceof CairnError) throw e;
    throw new CairnError('FAILED_PRECONDITION', `Version ${version.version} of '${version.name}' could not be loaded: ${(e as Error).message}`, { cause: e });
  }
}
