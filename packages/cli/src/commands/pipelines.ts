import { Command, Option } from 'commander';
import type { LogLine, Platform } from '@cairn/core';
import { keyValue, out, positiveInt } from '../cli-context.js';
import { json } from '../format.js';
import { explainText, lineageText, logLines, pipelinesTable, runsTable, showRunText } from './pipelines-inspect.js';
import { resumeRun, runPipelineFile, withPipelines } from './pipelines-run.js';
import { scheduleCommand } from './pipelines-schedule.js';

async function followLogs(platform: Platform, runId: string, step: string | undefined, asJson: boolean): Promise<void> {
  const seen = new Set<string>();
  let since = 0;
  const emit = (lines: LogLine[]) => {
    const fresh = lines.filter((l) => !seen.has(`${l.stepRunId}:${l.attempt}:${l.seq}`));
    for (const l of fresh) seen.add(`${l.stepRunId}:${l.attempt}:${l.seq}`);
    if (fresh.length) out(asJson ? fresh.map((l) => `${JSON.stringify(l)}\n`).join('') : logLines(fresh, !step));
    // Lines are written in batches up to a second late: re-read a window and drop what was shown.
    if (lines.length) since = Math.max(since, lines[lines.length - 1]!.time - 5000);
  };
  for (;;) {
    const ended = (await platform.pipelines.queries.getRunInfo(runId)).status !== 'RUNNING';
    emit(await platform.pipelines.queries.logs(runId, { step, sinceTime: since }));
    if (ended) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function pipelinesCommand(): Command {
  const cmd = new Command('pipelines')
    .summary('run and inspect pipelines of typed, cached steps')
    .description('Pipelines are DAGs of typed steps (TypeScript functions or external programs) whose outputs are versioned, cached artifacts. See docs/pipelines.md.');

  cmd.command('list').description('List the pipelines that have run in this project, with their last run.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const list = await p.pipelines.queries.listPipelines();
        out(opts.json ? json({ pipelines: list }) : pipelinesTable(list));
      });
    });

  cmd.command('run').description('Run a pipeline from a TypeScript file, with live progress. Ctrl-C cancels it.')
    .argument('<file>', 'the .ts (or .js) file exporting the pipeline')
    .option('--pipeline <name>', 'which pipeline, when the file exports several')
    .option('-p, --param <key=value>', 'a parameter value, repeatable (parsed by its declared type)', keyValue)
    .option('--config <run.yaml>', 'a run config: params: {…}, no_cache: true|false (given after `run`; before it, --config names cairn.yaml)')
    .option('--no-cache', 'run every step, ignoring earlier results')
    .option('--json', 'print the finished run as JSON instead of a progress table')
    .option('--wait', 'wait for the run to end (always the case; for CI scripts that say so)')
    .addHelpText('after', `
The graph is checked before anything runs: cycles, missing inputs, kind mismatches and unknown
params are reported with the step names. Exit code 0 when the run completes, 1 otherwise.

Command steps and isolated steps run in child processes that never outlive this command: if it is
killed (even with kill -9), they are killed too. The run is then marked FAILED once its heartbeat
lapses; \`cairn pipelines resume RUN\` continues it.

Examples:
  $ cairn pipelines run pipelines/churn.ts
  $ cairn pipelines run pipelines/churn.ts --param lr=0.1 --param model=xgb
  $ cairn pipelines run pipelines/churn.ts --config run.yaml --no-cache --json`)
    .action((file: string, opts: { pipeline?: string; param?: Record<string, string>; cache?: boolean; json?: boolean }, self: Command) => runPipelineFile(self, file, opts));

  cmd.command('runs').description('List pipeline runs, newest first.')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']))
    .option('--max <n>', 'at most this many runs', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (opts: { pipeline?: string; status?: 'RUNNING'; max: number; json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const runs = await p.pipelines.queries.listRuns({ pipelineName: opts.pipeline, status: opts.status, maxResults: opts.max });
        out(opts.json ? json({ runs }) : runsTable(runs));
      });
    });

  cmd.command('show').description('Show a pipeline run and the state of each step.')
    .argument('<run-id>', 'the pipeline run id')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const detail = await p.pipelines.queries.getRun(runId);
        out(opts.json ? json(detail) : showRunText(detail));
      });
    });

  cmd.command('logs').description("Print the captured stdout/stderr of a run's steps (or one step).")
    .argument('<run-id>', 'the pipeline run id')
    .argument('[step]', 'only this step (its id or name)')
    .option('-f, --follow', 'keep printing new lines until the run ends')
    .option('--json', 'one JSON object per line')
    .action(async (runId: string, step: string | undefined, opts: { follow?: boolean; json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        if (opts.follow) return followLogs(p, runId, step, Boolean(opts.json));
        const lines = await p.pipelines.queries.logs(runId, { step });
        out(opts.json ? lines.map((l) => `${JSON.stringify(l)}\n`).join('') : lines.length ? logLines(lines, !step) : 'No log lines.\n');
      });
    });

  cmd.command('resume').description('Re-run what did not finish in a FAILED or CANCELLED run, reusing completed outputs.')
    .argument('<run-id>', 'the pipeline run id')
    .option('--no-cache', 'do not answer the remaining steps from the cache')
    .option('--json', 'print the finished run as JSON')
    .addHelpText('after', `
The run keeps its id. Each step that did not finish runs as its next attempt (a step killed at
attempt 1 runs as attempt 2: ctx.attempt and CAIRN_ATTEMPT say so), with its retries counted
afresh; \`pipelines show\` lists every attempt and \`pipelines logs\` marks later ones ([#2]).
Anything a killed attempt left running on this machine is stopped first.

A run whose runner was killed is still RUNNING until its heartbeat lapses
(pipelines.heartbeat_timeout_seconds). If that runner ran on this machine, resume sees that it
exited and goes ahead at once; otherwise it says how long to wait.

Examples:
  $ cairn pipelines resume 3f2a…
  $ cairn pipelines resume 3f2a… --no-cache --json`)
    .action((runId: string, opts: { cache?: boolean; json?: boolean }, self: Command) => resumeRun(self, runId, opts));

  cmd.command('cancel').description('Cancel a running pipeline run: running steps stop and the run ends CANCELLED.')
    .argument('<run-id>', 'the pipeline run id')
    .option('--no-wait', 'return at once instead of waiting for the run to end')
    .option('--json', 'print JSON')
    .addHelpText('after', `
The process running the run sees the request within a heartbeat (workers within a lease renewal)
and stops the running steps. If that process is gone: on this machine the run ends CANCELLED at
once; on another machine it ends CANCELLED when its heartbeat lapses
(pipelines.heartbeat_timeout_seconds), and \`cancel\` waits for that (--no-wait returns at once).`)
    .action(async (runId: string, opts: { wait?: boolean; json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        let run = await p.pipelines.cancel(runId);
        if (opts.wait !== false && run.status === 'RUNNING') run = await p.pipelines.queries.waitForEnd(runId, (Math.max(50, p.config.pipelines.heartbeat_timeout_seconds) + 10) * 1000);
        out(opts.json ? json({ run }) : `Pipeline run ${runId} is ${run.status}${run.status === 'RUNNING' ? ' (cancel requested)' : ''}.\n`);
      });
    });

  cmd.command('explain').description('Say why a step hit or missed the cache, naming the part of the key that changed.')
    .argument('<run-id>', 'the pipeline run id')
    .argument('<step>', 'the step id or name')
    .option('--json', 'print JSON')
    .action(async (runId: string, step: string, opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const e = await p.pipelines.queries.explain(runId, step);
        out(opts.json ? json(e) : explainText(e));
      });
    });

  cmd.command('lineage').description('Print which artifacts each step consumed and produced, and where they came from.')
    .argument('<run-id>', 'the pipeline run id')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const nodes = await p.pipelines.queries.lineage(runId);
        out(opts.json ? json({ steps: nodes }) : lineageText(nodes));
      });
    });

  cmd.addCommand(scheduleCommand());
  return cmd;
}
