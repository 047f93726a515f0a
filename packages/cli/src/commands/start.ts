import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Definition, PipelineRunDetail, Platform } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { Interrupted, out, redactUri, storeConfig } from '../cli-context.js';
import { PipelineProgress } from './pipeline-progress.js';
import { gateVerdicts } from './gate-verdicts.js';
import { pipelineMetrics, startSummary, type Quickstart, type SummaryInput } from './start-summary.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0 picks a free one).');
  return n;
}

async function loadQuickstart(projectDir: string): Promise<Quickstart> {
  const file = resolve(projectDir, 'quickstart.ts');
  if (!existsSync(file)) {
    throw new CairnError('NOT_FOUND', `${file} does not exist. \`cairn start\` runs a project's quickstart.ts (see examples/churn/quickstart.ts); at the repository root, \`npm start\` runs the churn example.`);
  }
  const { importUserModule } = await import('@cairn/core');
  const mod = (await importUserModule(file)) as { default?: Quickstart };
  if (!mod.default || !Array.isArray(mod.default.pipelines)) throw new CairnError('INVALID_ARGUMENT', `${file} must export default { pipelines: [...] } (see examples/churn/quickstart.ts).`);
  return mod.default;
}

/**
 * The project's feature definitions, imported in this process (shared modules), which is much
 * faster than the feature store's own loader (a fresh tsx namespace per load): `cairn start` reads
 * them once. Same files as `cairn features apply`: .ts/.js under features.dir, tests excluded.
 */
async function importDefinitions(dir: string): Promise<Definition[]> {
  const { definitionKind, importUserModule } = await import('@cairn/core');
  const found: Definition[] = [];
  const visit = async (folder: string): Promise<void> => {
    for (const e of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') await visit(path);
      else if (e.isFile() && /\.(m?ts|m?js)$/.test(e.name) && !/\.(test|spec|d)\.[mc]?[tj]s$/.test(e.name)) {
        for (const value of Object.values(await importUserModule(path))) {
          for (const v of Array.isArray(value) ? value : [value]) if (definitionKind(v) && !found.includes(v as Definition)) found.push(v as Definition);
        }
      }
    }
  };
  if (existsSync(dir)) await visit(dir);
  return found;
}

/** Whether every online view is materialized up to `until` already (then there is nothing to do). */
async function materializedUpTo(platform: Platform, until: number): Promise<boolean> {
  const views = (await platform.features.list('featureView')).filter((o) => (o.spec as { online?: boolean }).online !== false);
  const runs = await platform.features.listMaterializations(undefined, 1000);
  return views.every((v) => runs.some((r) => r.view === v.name && r.status === 'SUCCEEDED' && r.end >= until));
}

/** Ctrl-C while the pipelines run cancels the current run; a second Ctrl-C exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping: cancelling the running pipeline (Ctrl-C again to exit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

async function runAll(platform: Platform, qs: Quickstart, log: (line: string) => void, signal: AbortSignal): Promise<{ lines: string[]; runs: PipelineRunDetail[] }> {
  const core = await import('@cairn/core');
  const dir = platform.config.projectDir;
  const lines: string[] = [];
  const definitions = await importDefinitions(resolve(dir, platform.config.features.dir));
  const applied = await platform.features.apply({ definitions }).catch((e: unknown) => {
    if (core.isCairnError(e, 'FAILED_PRECONDITION')) throw new CairnError('FAILED_PRECONDITION', `${e.message} Review it with \`cairn features plan\`, then \`cairn features apply --force\`.`, { cause: e });
    throw e;
  });
  const until = new Date(qs.materializeUntil ?? Date.now()).getTime();
  let done = 'already';
  if (!(await materializedUpTo(platform, until))) {
    const runs = await platform.features.materializeIncremental(until);
    done = `${runs.reduce((n, r) => n + r.rows, 0)} rows`;
  }
  const line = `${'features'.padEnd(12)} registry v${applied.version}${applied.applied ? ` (just applied: ${applied.changes.length} changes)` : ''}; online store materialized up to ${new Date(until).toISOString()} (${done})`;
  log(line.replace(/ +/, ' '));
  lines.push(line);
  const runs: PipelineRunDetail[] = [];
  for (const entry of qs.pipelines) {
    const { file, params } = typeof entry === 'string' ? { file: entry, params: {} } : { file: entry.file, params: entry.params ?? {} };
    const path = resolve(dir, file);
    const found = await core.loadPipelineFile(path);
    const progress = process.stdout.isTTY ? new PipelineProgress(process.stdout) : null;
    progress?.init(core.validateDag(found.pipeline.build()).nodes.map((n) => n.id));
    const started = Date.now();
    const detail = await platform.pipelines.run(found.pipeline, { overrides: params, sourceFile: path, exportName: found.exportName, onEvent: progress?.onEvent, signal });
    progress?.flush();
    log(`${found.pipeline.name}: ${detail.run.status} in ${((Date.now() - started) / 1000).toFixed(1)} s (${detail.steps.map((s) => `${s.stepId} ${s.status.toLowerCase()}`).join(', ')})`);
    if (detail.run.status === 'CANCELLED' && signal.aborted) {
      throw new Interrupted(`Stopped at your request (Ctrl-C): pipeline run ${detail.run.runId} (${file}) was cancelled. The next start reuses every step that completed.`);
    }
    if (detail.run.status !== 'COMPLETED') {
      throw new CairnError('FAILED_PRECONDITION', `Pipeline run ${detail.run.runId} (${file}) ${detail.run.status}${detail.run.statusReason ? `: ${detail.run.statusReason}` : ''}. See \`cairn pipelines logs ${detail.run.runId}\` (in ${dir}).`);
    }
    runs.push(detail);
  }
  return { lines, runs };
}

export function startCommand(): Command {
  return new Command('start')
    .description("Bring a project up: prepare it, apply and materialize its features, run its pipelines (cached steps are reused), then serve it.")
    .option('--host <host>', 'interface to listen on (default from config: 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default from config: 5050; 0 picks a free one)', port)
    .option('--no-serve', 'stop after the pipelines instead of serving')
    .addHelpText('after', `
What runs comes from the project's quickstart.ts. At the repository root, \`npm start\` is
\`cairn --config examples/churn/cairn.yaml start\`: it generates the churn example's data (once),
trains and promotes a model, scores the active customers and serves the API on 127.0.0.1:5050.
A second start reuses every cached step. Ctrl-C stops cleanly.

Examples:
  $ npm start
  $ cairn --config examples/churn/cairn.yaml start --port 0
  $ cairn start --no-serve`)
    .action(async (opts: { host?: string; port?: number; serve: boolean }, self: Command) => {
      const t0 = Date.now();
      const server: Record<string, unknown> = {};
      if (opts.host !== undefined) server.host = opts.host;
      if (opts.port !== undefined) server.port = opts.port;
      const config = await storeConfig(self, '`cairn start`', Object.keys(server).length ? { server } : {});
      const rel = relative(process.cwd(), config.projectDir) || '.';
      const log = (line: string) => process.stderr.write(`[cairn start ${((Date.now() - t0) / 1000).toFixed(1).padStart(4)} s] ${line}\n`);
      const qs = await loadQuickstart(config.projectDir);
      log(`project ${rel} (store ${redactUri(config.store.uri)})`);
      if (qs.prepare) {
        const said = await qs.prepare(config.projectDir);
        if (said) log(said);
      }
      const { openPlatform } = await import('@cairn/core');
      const platform = await openPlatform(config);
      const interrupt = interruptible();
      let result: Awaited<ReturnType<typeof runAll>>;
      let runs: SummaryInput['runs'];
      let model: { name: string; version: number; alias: string } | null = null;
      try {
        result = await runAll(platform, qs, log, interrupt.signal);
        runs = await Promise.all(result.runs.map(async (detail) => {
          const found = await pipelineMetrics(platform, detail);
          return { detail, ...found, verdicts: await gateVerdicts(platform, found.origin, { since: detail.run.createdTime }).catch(() => []) };
        }));
        if (qs.model) {
          const v = await platform.registry.resolve(`models:/${qs.model.name}@${qs.model.alias}`).catch(() => null);
          model = v && { name: v.name, version: v.version, alias: qs.model.alias };
        }
      } finally {
        interrupt.dispose();
        await platform.close();
      }
      let url: string | null = null;
      if (opts.serve) {
        const { startServer } = await import('@cairn/server');
        url = (await startServer(config).catch((e: unknown) => {
          if ((e as { cause?: NodeJS.ErrnoException })?.cause?.code !== 'EADDRINUSE') throw e;
          throw new CairnError('UNAVAILABLE', `Port ${config.server.port} on ${config.server.host} is already in use by another process (another \`cairn server\`, or an earlier \`npm start\`?). Stop it, or pick another port: \`npm start -- --port 5051\` (--port 0 takes any free one). The pipelines ran; everything is cached for the next start.`, { cause: e });
        })).url;
      }
      out(startSummary({ url, projectDir: config.projectDir, relativeProject: rel, seconds: (Date.now() - t0) / 1000, lines: result.lines, runs, quickstart: qs, model }));
    });
}
