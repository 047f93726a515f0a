import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CairnConfig, PipelineRunDetail, Platform, RunHandle, StepStatus } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { globalOptions, Interrupted, out } from '../cli-context.js';
import { json } from '../format.js';
import { isServerUri } from '../sdk/server-uri.js';
import { gateVerdicts } from './gate-verdicts.js';
import { PipelineProgress } from './pipeline-progress.js';
import { pipelineMetrics } from './start-summary.js';
import { showRunText } from './pipelines-inspect.js';

// `--config` means the project's cairn.yaml before the subcommand and the run config after
// `pipelines run`; commander sees one global option, so the raw arguments decide.
function configFlags(cmd: Command): { project: string | undefined; run: string | undefined } {
  let root = cmd;
  while (root.parent) root = root.parent;
  const args = ((root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv).slice(2);
  const at = args.findIndex((a, i) => a === 'run' && args[i - 1] === 'pipelines');
  let project: string | undefined;
  let run: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a === '--config' ? args[i + 1] : a.startsWith('--config=') ? a.slice('--config='.length) : undefined;
    if (value === undefined) continue;
    if (at >= 0 && i > at) run = value;
    else project = value;
  }
  return { project, run };
}

/** The project config for pipeline commands; they work on the store directly (a server URI is refused). */
export async function pipelineConfig(cmd: Command): Promise<{ config: CairnConfig; runConfig: string | undefined }> {
  const g = globalOptions(cmd);
  if (g.uri && isServerUri(g.uri)) {
    throw new CairnError('INVALID_ARGUMENT', `Pipeline commands work on the store directly, not through a server: run them where the store is (with --config, or a store URI such as --uri sqlite:.cairn/cairn.db), not with --uri ${g.uri}.`);
  }
  const flags = configFlags(cmd);
  const { loadConfig } = await import('@cairn/core');
  const config = loadConfig({ file: flags.project, overrides: g.uri ? { store: { uri: g.uri } } : {} });
  return { config, runConfig: flags.run };
}

export async function withPipelines<T>(cmd: Command, fn: (platform: Platform) => Promise<T>): Promise<T> {
  const { config } = await pipelineConfig(cmd);
  const { openPlatform } = await import('@cairn/core');
  const platform = await openPlatform(config);
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

export interface RunOptions {
  pipeline?: string;
  param?: Record<string, string>;
  cache?: boolean;
  json?: boolean;
}

/** Ctrl-C cancels the run (steps stop, the run ends CANCELLED); a second Ctrl-C exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nCancelling the run (Ctrl-C again to exit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

async function follow(platform: Platform, start: (p: PipelineProgress | null, signal: AbortSignal) => Promise<RunHandle>, asJson: boolean): Promise<void> {
  const progress = asJson ? null : new PipelineProgress(process.stdout);
  const interrupt = interruptible();
  let detail: PipelineRunDetail;
  try {
    const handle = await start(progress, interrupt.signal);
    if (!asJson) process.stderr.write(`Pipeline run ${handle.runId}\n`);
    detail = await handle.done;
  } finally {
    interrupt.dispose();
    progress?.flush();
    // An in-process step that ignored its abort signal (cancel, timeout) may still hold the event
    // loop; the run is recorded, so do not let it keep the command from exiting.
    setTimeout(() => process.exit(), 3000).unref();
  }
  if (asJson) out(json(detail));
  else {
    out(`\n${showRunText(detail, false)}`);
    // Every step may have COMPLETED while a gate refused the model: say so here, not only in the step's log.
    // A run answered from the cache shows the verdicts of the run that computed its steps.
    const { origin } = await pipelineMetrics(platform, detail).catch(() => ({ origin: detail.run.runId }));
    const verdicts = await gateVerdicts(platform, origin, { since: detail.run.createdTime }).catch(() => []);
    if (verdicts.length) out(`\n${verdicts.map((v) => `${v}\n`).join('')}`);
  }
  if (detail.run.status === 'CANCELLED' && interrupt.signal.aborted) {
    throw new Interrupted(`Cancelled pipeline run ${detail.run.runId} at your request (Ctrl-C). Resume it with \`cairn pipelines resume ${detail.run.runId}\` (completed steps are reused).`);
  }
  if (detail.run.status !== 'COMPLETED') {
    throw new CairnError('FAILED_PRECONDITION', `Pipeline run ${detail.run.runId} ${detail.run.status}${detail.run.statusReason ? `: ${detail.run.statusReason}` : ''}. See \`cairn pipelines logs ${detail.run.runId}\`; resume it with \`cairn pipelines resume ${detail.run.runId}\`.`);
  }
}

/** `cairn pipelines run FILE`: loads the pipeline, checks it, runs it with live progress. */
export async function runPipelineFile(cmd: Command, file: string, opts: RunOptions): Promise<void> {
  const { config, runConfig } = await pipelineConfig(cmd);
  const core = await import('@cairn/core');
  const path = resolve(file);
  const found = await core.loadPipelineFile(path, opts.pipeline);
  const fromFile = runConfig ? core.loadRunConfig(resolve(runConfig)) : { params: {}, noCache: false };
  // Check the graph and the parameters before opening anything.
  const dag = core.validateDag(found.pipeline.build());
  for (const w of dag.warnings) process.stderr.write(`warning: ${w}\n`);
  core.resolveParams(found.pipeline.name, found.pipeline.params, fromFile.params, opts.param ?? {});
  const platform = await core.openPlatform(config);
  try {
    await follow(platform, (progress, signal) => {
      progress?.init(dag.nodes.map((n) => n.id));
      return platform.pipelines.start(found.pipeline, {
        values: fromFile.params, overrides: opts.param ?? {}, noCache: opts.cache === false || fromFile.noCache, signal,
        onEvent: progress?.onEvent, sourceFile: path, exportName: found.exportName,
      });
    }, Boolean(opts.json));
  } finally {
    await platform.close();
  }
}

/** `cairn pipelines resume RUN`. */
export async function resumeRun(cmd: Command, runId: string, opts: { cache?: boolean; json?: boolean }): Promise<void> {
  await withPipelines(cmd, async (platform) => {
    const before = await platform.pipelines.queries.getRun(runId);
    await follow(platform, (progress, signal) => {
      progress?.init(before.steps.map((s) => s.stepId), new Map(before.steps.filter((s) => s.status === 'COMPLETED' || s.status === 'CACHED').map((s) => [s.stepId, s.status as StepStatus])));
      return platform.pipelines.resume(runId, { noCache: opts.cache === false, signal, onEvent: progress?.onEvent });
    }, Boolean(opts.json));
  });
}
