import cluster from 'node:cluster';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { out, redactUri, storeConfig } from '../cli-context.js';
import { style } from '../format.js';

interface ServeOptions { host?: string; port?: number; workers?: number; allowUnsafe?: boolean }

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0 picks a free one).');
  return n;
}

function workers(value: string): number {
  if (value === 'auto') return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError("Expected a number of processes from 1 to 256, or 'auto' (one per core).");
  return n;
}

/** `cairn models serve MODEL`: the model server (a process of its own; `cairn server` never loads a model). */
export function modelServeCommand(models: Command): void {
  models.command('serve').description("Serve a model over HTTP with MLflow's scoring protocol (POST /invocations), logging what it scores.")
    .argument('<model>', 'models:/NAME@ALIAS (followed as it moves), models:/NAME/VERSION, NAME@ALIAS, NAME/VERSION or runs:/<run id>/<path>')
    .option('--host <host>', 'interface to listen on (default from config serving.host: 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default from config serving.port: 5051; 0 picks a free one)', port)
    .option('--workers <n>', "processes sharing the port (default serving.workers: 1; 'auto' for one per core)", workers)
    .option('--allow-unsafe', 'load sklearn-pickle and mlflow-pyfunc models (loading a pickle runs its code) in a Python worker')
    .addHelpText('after', `
Formats: onnx (needs the optional package onnxruntime-node) and cairn-json load in this process;
sklearn-pickle and mlflow-pyfunc only with --allow-unsafe, in a python3 worker (serving.python)
that has the model's libraries. A model registered from a feature-store training set can be called
with only its entity keys: features are looked up online as \`cairn features get-online\` does.

Endpoints: POST /invocations (dataframe_split, dataframe_records, instances, inputs, or text/csv),
POST /feedback (labels), GET /ping, /health, /version, /metrics. Every request is logged to the
inference log (serving.inference_log.*), which \`cairn monitor run\` reads. See docs/serving.md.

Examples:
  $ cairn models serve models:/churn@champion
  $ cairn models serve churn/3 --port 8080 --workers auto
  $ curl -s localhost:5051/invocations -H 'content-type: application/json' \\
      -d '{"dataframe_records": [{"customer_id": 10019}]}'
  $ cairn models serve models:/fraud@champion --allow-unsafe   # a scikit-learn pickle`)
    .action(async (uri: string, opts: ServeOptions, self: Command) => {
      const serving: Record<string, unknown> = {};
      if (opts.host !== undefined) serving.host = opts.host;
      if (opts.port !== undefined) serving.port = opts.port;
      if (opts.workers !== undefined) serving.workers = opts.workers;
      const config = await storeConfig(self, '`cairn models serve`', Object.keys(serving).length ? { serving } : {});
      // Loaded on demand: other commands never pay for the HTTP stack or a model runtime.
      const { startModelServer, runClusterPrimary, workerCount } = await import('@cairn/server');
      const n = workerCount(config);
      if (n > 1 && cluster.isPrimary) {
        const { port } = await runClusterPrimary(n, (message) => process.stderr.write(`${style.warn(message)}\n`));
        const host = config.serving.host.includes(':') ? `[${config.serving.host}]` : config.serving.host;
        out(`Serving ${uri} with ${n} workers on http://${host}:${port} (store ${redactUri(config.store.uri)})\n`);
        return;
      }
      const running = await startModelServer(config, { uri, allowUnsafe: opts.allowUnsafe });
      if (cluster.isWorker) return;
      const m = running.server.info;
      out(`Serving ${m.name} version ${m.version} (${m.format}${m.alias ? `, following @${m.alias}` : ''}${m.featureService ? `, features from '${m.featureService}'` : ''}) on ${running.url} (store ${redactUri(config.store.uri)})\n`);
    });
}
