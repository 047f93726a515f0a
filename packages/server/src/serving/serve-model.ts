import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { InferenceLogger, InferenceSpool, ModelServer, openPlatform, type CairnConfig, type Platform } from '@cairn/core';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { createMetricsRegistry } from '../metrics/http-metrics.js';
import { buildServingApp } from './serving-app.js';
import { closeGracefully } from '../graceful-close.js';

export interface ServeModelOptions {
  /** `models:/NAME@ALIAS`, `models:/NAME/VERSION` or `runs:/<run id>/<path>`. */
  uri: string;
  /** Load unsafe formats (pickle, MLflow pyfunc) in a Python worker. */
  allowUnsafe?: boolean;
  logger?: FastifyServerOptions['logger'];
  /** Install SIGINT/SIGTERM handlers that drain and close (default true; tests pass false). */
  handleSignals?: boolean;
}

export interface RunningModelServer {
  app: FastifyInstance;
  platform: Platform;
  server: ModelServer;
  url: string;
  close(): Promise<void>;
}

const METRICS_REQUEST = 'cairn:metrics?';
const METRICS_ANSWER = 'cairn:metrics!';

/**
 * Opens the platform, loads the model, and listens on `serving.host:serving.port`. On SIGINT or
 * SIGTERM it stops accepting, finishes requests under way, writes what the inference log still
 * holds, and closes.
 *
 * @example
 * ```ts
 * const running = await startModelServer(loadConfig(), { uri: 'models:/churn@champion' });
 * console.log(`serving on ${running.url}`);
 * ```
 */
export async function startModelServer(config: CairnConfig, options: ServeModelOptions): Promise<RunningModelServer> {
  const platform = await openPlatform(config);
  let app: FastifyInstance;
  let server: ModelServer;
  try {
    const s = config.serving;
    let log: FastifyInstance['log'] | null = null;
    const logger = s.inference_log.enabled
      ? new InferenceLogger(platform.inferenceLog, {
        sampleRate: s.inference_log.sample_rate, batchRows: s.inference_log.batch_rows, flushMs: s.inference_log.flush_ms, maxBufferRows: s.inference_log.max_buffer_rows,
        maxRetryRows: s.inference_log.max_retry_rows,
        onLoss: (rows, reason) => log?.error({ lostRows: rows }, `inference log: ${rows} rows lost: ${reason}`),
        spool: s.inference_log.spool ? new InferenceSpool(resolve(config.projectDir, s.inference_log.spool_dir)) : undefined,
        onSpool: (level, message) => (log ? log[level](message) : process.stderr.write(`${message}\n`)),
      })
      : null;
    // Opens the log's writer now (DuckDB for Parquet), not on the first flush while serving; then
    // writes what serving processes killed on this machine left in the spool.
    if (logger) {
      await platform.inferenceLog.append([]);
      await logger.recover();
    }
    server = await ModelServer.open(platform, {
      uri: options.uri, aliasPollMs: s.alias_poll_ms, logger,
      runtime: { allowUnsafe: !!options.allowUnsafe, python: s.python, pythonTimeoutMs: s.python_timeout_seconds * 1000, onnxThreads: s.onnx_threads },
      log: (level, data, message) => log?.[level](data, message),
    });
    const metrics = createMetricsRegistry({ service: 'cairn-serving' });
    app = buildServingApp(platform, server, { logger: options.logger, metrics, collectMetrics: cluster.isWorker ? () => askPrimaryForMetrics() : undefined });
    log = app.log;
    if (cluster.isWorker) answerMetricsRequests(metrics);
    await app.listen({ host: s.host, port: s.port });
  } catch (e) {
    await platform.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.serving.port;
  const host = config.serving.host.includes(':') ? `[${config.serving.host}]` : config.serving.host;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await closeGracefully(app);
      await server.close();
      await platform.close();
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal} received: finishing in-flight requests, writing the inference log, then exiting`);
    close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  if (options.handleSignals !== false) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  return { app, platform, server, url: `http://${host}:${port}`, close };
}

/** How many processes `serving.workers` asks for (0: one per core). */
export function workerCount(config: CairnConfig): number {
  return config.serving.workers === 0 ? availableParallelism() : config.serving.workers;
}

/**
 * The cluster's primary: forks the workers (each runs the same command and listens on the shared
 * port), replaces any that dies, aggregates their metrics for whichever worker is scraped, and
 * stops them on SIGINT/SIGTERM. Resolves once every worker listens.
 */
export async function runClusterPrimary(workers: number, onExit: (message: string) => void): Promise<{ port: number }> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const listening = new Set<number>();
  let port = 0;
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const allUp = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (msg: { type?: string; id?: number }) => {
      if (msg?.type !== METRICS_REQUEST) return;
      aggregator.clusterMetrics().then((text) => worker.send({ type: METRICS_ANSWER, id: msg.id, text }), (e: Error) => worker.send({ type: METRICS_ANSWER, id: msg.id, text: `# metrics failed: ${e.message}\n` }));
    });
    worker.on('listening', (address: { port: number }) => {
      port = address.port;
      listening.add(worker.id);
      if (listening.size >= workers) ready();
    });
    worker.on('exit', (code, signal) => {
      listening.delete(worker.id);
      if (stopping) return;
      // A worker that dies before the first listen is a startup error (bad model, port taken): stop.
      if (listening.size < workers && !startedOnce) {
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill();
        failed(new Error(`a serving worker exited during startup (${signal ?? `code ${code}`}); its error is printed above`));
        return;
      }
      onExit(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
      fork();
    });
  };
  let startedOnce = false;
  for (let i = 0; i < workers; i++) fork();
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  await allUp;
  startedOnce = true;
  return { port };
}

let nextMetricsId = 0;
const pendingMetrics = new Map<number, (text: string) => void>();

function askPrimaryForMetrics(): Promise<string> {
  const id = nextMetricsId++;
  return new Promise<string>((resolve) => {
    pendingMetrics.set(id, resolve);
    process.send?.({ type: METRICS_REQUEST, id });
  });
}

// prom-client's cluster protocol: the primary's AggregatorRegistry asks every worker for its
// registry over IPC. A worker answers once an AggregatorRegistry exists in it (that installs
// prom-client's listener), with the registries set here.
function answerMetricsRequests(metrics: Registry): void {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics]);
  process.on('message', (msg: { type?: string; id?: number; text?: string }) => {
    if (msg?.type !== METRICS_ANSWER || msg.id === undefined) return;
    pendingMetrics.get(msg.id)?.(msg.text ?? '');
    pendingMetrics.delete(msg.id);
  });
}

export { createMetricsRegistry };
