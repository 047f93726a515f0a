// The `cairn` command tree, built without running it: main.ts runs it, tests walk it (docs/cli.md).
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { experimentsCommand } from './commands/experiments.js';
import { featuresCommand } from './commands/features.js';
import { modelsCommand } from './commands/models.js';
import { pipelinesCommand } from './commands/pipelines.js';
import { reportCommand } from './commands/report.js';
import { runsCommand } from './commands/runs.js';
import { schedulerCommand } from './commands/scheduler.js';
import { serverCommand } from './commands/server.js';
import { startCommand } from './commands/start.js';
import { tokensCommand } from './commands/tokens.js';
import { workerCommand } from './commands/worker.js';
import { monitorCommand } from './commands/monitor.js';

// By the package's own name: the built CLI is bundled, so this code's file is not at a fixed place in it.
const { version } = createRequire(import.meta.url)('@cairn/cli/package.json') as { version: string };

/**
 * Exit codes: 0 success, 1 the operation failed (bad input, not found, …), 2 the command line was
 * wrong, 3 something Cairn needs (the database, Redis, a server) is unavailable right now (a script
 * may retry later), 4 `cairn monitor run` found a threshold crossed, 130 the user interrupted it (Ctrl-C), as shells report a process ended by SIGINT.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3, alert: 4, interrupted: 130 } as const;

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Cairn, an MLOps platform: experiment tracking (runs, params, metrics, artifacts; MLflow clients work unchanged), a model registry with promotion gates, a feature store (offline training sets, online serving), a pipeline orchestrator of typed, cached steps, and model serving with monitoring (drift, live performance, alerts); served over HTTP with a web UI.')
    .version(version, '-V, --version')
    .option('--config <file>', 'config file to use instead of ./cairn.yaml (or one in a parent folder)')
    .option('--uri <uri>', 'a server (http://host:5050) or a store URI (sqlite:…, postgres://…); env CAIRN_TRACKING_URI')
    .option('--token <secret>', 'API token for a server with auth enabled; env CAIRN_TRACKING_TOKEN')
    .addHelpText('after', `
Without --uri, commands work on the project's own store: cairn.yaml, CAIRN_STORE_URI, or .cairn/cairn.db.
Exit codes: 0 success, 1 the operation failed, 2 a wrong command line, 3 something needed is unavailable
(database, Redis, server, port), 4 a monitor alert, 130 interrupted (Ctrl-C).
Reference: docs/cli.md. Every command has --help with examples.

Examples:
  $ npm start                                   # the churn example end to end, then the API on :5050
  $ cairn runs list --experiment churn --order-by "metrics.auc DESC" --max 10
  $ cairn runs compare 3f9c2a… 8b1d07…
  $ cairn models promote churn 3 --alias champion
  $ cairn features apply && cairn features materialize-incremental 2025-01-01T00:00:00Z
  $ cairn pipelines run pipelines/train.ts --param l2=0.5
  $ cairn server --port 5050
  $ cairn --uri http://127.0.0.1:5050 runs show 3f9c2a… --json`);
  program.addCommand(experimentsCommand());
  program.addCommand(runsCommand());
  program.addCommand(serverCommand());
  program.addCommand(tokensCommand());
  program.addCommand(featuresCommand());
  program.addCommand(modelsCommand());
  program.addCommand(pipelinesCommand());
  program.addCommand(workerCommand());
  program.addCommand(schedulerCommand());
  program.addCommand(reportCommand());
  program.addCommand(startCommand());
  program.addCommand(monitorCommand());
  // addCommand does not pass settings down, so apply them to the whole tree.
  const apply = (cmd: Command): void => {
    cmd.exitOverride().showHelpAfterError('(add --help for usage and examples)').configureOutput({ outputError: (str, write) => write(str) });
    cmd.commands.forEach(apply);
  };
  apply(program);
  return program;
}
