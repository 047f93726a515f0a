import type { RunSource, Tags } from '@cairn/core';
import { CairnError, isCairnError, keyMap } from '@cairn/core';
import { ActiveRun, paramString, type ParamValue } from './active-run.js';
import { ExperimentQueries } from './experiment-queries.js';
import type { FeatureBackend } from './feature-backend.js';
import { FeatureQueries } from './features.js';
import { ModelQueries } from './models.js';
import { openBackends, type BackendOptions, type OpenedBackends } from './open-backend.js';
import type { PipelineBackend } from './pipeline-backend.js';
import { PipelineQueries } from './pipelines.js';
import type { RegistryBackend } from './registry-backend.js';
import { detectRunSource } from './run-source.js';
import { runEndNotice } from './run-end-notice.js';
import { RunQueries } from './run-queries.js';
import type { TrackingBackend } from './tracking-backend.js';

export interface ConnectOptions extends BackendOptions {
  /** Use this backend instead of opening one from `uri`/config (embedding, tests). */
  backend?: TrackingBackend;
  /** The registry backend to use with `backend` (embedding, tests); opened with it otherwise. */
  registry?: RegistryBackend;
  /** The pipeline backend to use with `backend`; opened with it otherwise. */
  pipelines?: PipelineBackend;
  /** The feature store backend to use with `backend`; opened with it otherwise. */
  features?: FeatureBackend;
  /**
   * Heartbeat period in ms. Default: a third of the heartbeat timeout (the store's, or the server's
   * as its /health says), at most 30 s.
   */
  heartbeatIntervalMs?: number;
  /** How often buffered metrics are flushed, in ms. Default 1000. */
  flushIntervalMs?: number;
  /** Record git commit, dirty flag, entry point and Node version on new runs. Default true. */
  captureSource?: boolean;
  /**
   * Print nothing when a run ends. By default the SDK prints one line on stderr per ended run (its
   * name, status and the command that shows it), as MLflow prints "View run …". Default: true when
   * the environment variable `CAIRN_QUIET` is `1` or `true`, else false.
   */
  quiet?: boolean;
}

export interface RunOptions {
  /** Experiment name; created if missing. Default `Default`. */
  experiment?: string;
  /** Experiment id, instead of a name. */
  experimentId?: string;
  /** Run name; a random one is generated when omitted. */
  name?: string;
  params?: Record<string, ParamValue>;
  tags?: Tags;
  /** Makes this a child run (e.g. one trial of a sweep). */
  parentRunId?: string;
}

const DEFAULT_HEARTBEAT_MS = 30_000;

/**
 * The entry point of the SDK: a connection to the project's embedded store or to a Cairn server.
 *
 * @example
 * ```ts
 * import { Cairn } from '@cairn/cli';
 *
 * const cairn = await Cairn.connect(); // ./cairn.yaml, CAIRN_* env, or .cairn/cairn.db
 * await cairn.run({ experiment: 'churn', params: { lr: 0.01 } }, async (run) => {
 *   for (let step = 0; step < 100; step++) run.logMetric('loss', 1 / (step + 1), { step });
 * });
 * await cairn.close();
 * ```
 */
export class Cairn {
  /** Reading and managing experiments. */
  readonly experiments: ExperimentQueries;
  /** Reading runs: get, search, metric history, artifacts. */
  readonly runs: RunQueries;
  /** The model registry: register, promote, get, download. */
  readonly models: ModelQueries;
  /** Pipeline runs: list, get, logs (and following them), explain, lineage, cancel; schedules. */
  readonly pipelines: PipelineQueries;
  /** The feature store: online features, push, applied definitions. */
  readonly features: FeatureQueries;
  private source: Promise<RunSource> | null = null;
  private readonly quiet: boolean;
  private readonly open = new Set<ActiveRun>();

  private constructor(readonly backend: TrackingBackend, private readonly options: ConnectOptions, others: Partial<Omit<OpenedBackends, 'tracking'>> = {}) {
    this.quiet = options.quiet ?? /^(1|true)$/i.test((options.env ?? process.env).CAIRN_QUIET ?? '');
    this.experiments = new ExperimentQueries(backend);
    this.runs = new RunQueries(backend, this.experiments);
    this.models = new ModelQueries(() => others.registry ?? missing('registry'));
    this.pipelines = new PipelineQueries(() => others.pipelines ?? missing('pipelines'));
    this.features = new FeatureQueries(() => others.features ?? missing('features'));
  }

  /**
   * Connects. With no options: the project's embedded store (found from the current directory) or,
   * when `CAIRN_TRACKING_URI` is set, that server. `{ uri: 'http://host:5050', token }` picks a server.
   *
   * @example
   * ```ts
   * const local = await Cairn.connect();
   * const remote = await Cairn.connect({ uri: 'http://127.0.0.1:5050', token: process.env.CAIRN_TRACKING_TOKEN });
   * ```
   */
  static async connect(options: ConnectOptions = {}): Promise<Cairn> {
    if (options.backend) return new Cairn(options.backend, options, { registry: options.registry, pipelines: options.pipelines, features: options.features });
    const { tracking, ...others } = await openBackends(options);
    return new Cairn(tracking, options, others);
  }

  /**
   * Runs `fn` inside a new run: the run ends FINISHED when `fn` resolves, or FAILED when it throws
   * (the error is rethrown). Buffered metrics are always flushed first. Resolves to `fn`'s result.
   *
   * @example
   * ```ts
   * const auc = await cairn.run({ experiment: 'churn', name: 'xgb-depth-6', params: { depth: 6 } }, async (run) => {
   *   const auc = await trainAndScore(run);
   *   run.logMetric('auc', auc);
   *   return auc;
   * });
   * ```
   */
  async run<T>(options: RunOptions, fn: (run: ActiveRun) => Promise<T> | T): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (error) {
      await run.end('FAILED').catch((endError: unknown) => {
        // The callback's error is the one to rethrow; still say that metrics may be missing.
        process.emitWarning(`Cairn: ending run ${run.id} as FAILED also failed: ${(endError as Error).message}`, { code: 'CAIRN_END' });
      });
      throw error;
    }
    await run.end('FINISHED');
    return result;
  }

  /**
   * Starts a run you end yourself with `run.end()`. Creates the experiment if it does not exist.
   *
   * @example
   * ```ts
   * const run = await cairn.startRun({ experiment: 'churn', tags: { stage: 'tuning' } });
   * run.logMetric('loss', 0.4);
   * await run.end();
   * ```
   */
  async startRun(options: RunOptions = {}): Promise<ActiveRun> {
    const experimentId = options.experimentId ?? (await this.experimentIdFor(options.experiment ?? 'Default'));
    const source = this.options.captureSource === false ? undefined : await (this.source ??= detectRunSource(this.options.cwd));
    const params = keyMap(Object.entries(options.params ?? {}).map(([k, v]) => [k, paramString(k, v)]));
    const created = await this.backend.createRun({
      experimentId,
      runName: options.name,
      params,
      tags: options.tags,
      parentRunId: options.parentRunId ?? null,
      source,
      heartbeat: true,
    });
    const experimentName = options.experimentId ? null : (options.experiment ?? 'Default');
    const run = new ActiveRun(this.backend, created.info, {
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? (await this.defaultHeartbeatMs()),
      flushIntervalMs: this.options.flushIntervalMs,
      onEnd: (ended) => this.open.delete(ended),
      onEnded: (ended, status) => {
        if (!this.quiet) process.stderr.write(runEndNotice({ runId: ended.id, runName: ended.name, experimentName, status, location: this.backend.location, uriGiven: Boolean(this.options.uri) }));
      },
    });
    this.open.add(run);
    return run;
  }

  /**
   * Ends runs still open (flushing their metrics, status KILLED) and closes the connection.
   *
   * @example
   * ```ts
   * const cairn = await Cairn.connect();
   * try { await main(cairn); } finally { await cairn.close(); }
   * ```
   */
  async close(): Promise<void> {
    const pending = [...this.open].map((r) => r.end('KILLED'));
    const results = await Promise.allSettled(pending);
    await this.backend.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  // A third of the timeout leaves room for two missed beats (a slow network, a long GC pause).
  private async defaultHeartbeatMs(): Promise<number> {
    const timeout = await this.backend.heartbeatTimeoutSeconds();
    return timeout ? Math.min(DEFAULT_HEARTBEAT_MS, Math.floor((timeout * 1000) / 3)) : DEFAULT_HEARTBEAT_MS;
  }

  // Two processes may create the same experiment at once: the loser re-reads the winner's.
  private async experimentIdFor(name: string): Promise<string> {
    const found = await this.backend.findExperimentByName(name);
    if (found) return found.experimentId;
    try {
      return (await this.backend.createExperiment({ name })).experimentId;
    } catch (e) {
      if (!isCairnError(e, 'ALREADY_EXISTS')) throw e;
      const winner = await this.backend.findExperimentByName(name);
      if (!winner) throw e;
      return winner.experimentId;
    }
  }
}

function missing(which: 'registry' | 'pipelines' | 'features'): never {
  throw new CairnError('FAILED_PRECONDITION', `This connection was made with a custom tracking backend and no ${which} backend; pass \`${which}\` to Cairn.connect.`);
}
