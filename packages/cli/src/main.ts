// The `cairn` command. bin/cairn.js registers tsx and imports this file.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isCairnError } from '@cairn/core/errors';
import { experimentsCommand } from './commands/experiments.js';
import { runsCommand } from './commands/runs.js';
import { serverCommand } from './commands/server.js';
import { tokensCommand } from './commands/tokens.js';
import { featuresCommand } from './commands/features.js';
import { modelsCommand } from './commands/models.js';
import { pipelinesCommand } from './commands/pipelines.js';
import { schedulerCommand } from './commands/scheduler.js';
import { workerCommand } from './commands/worker.js';
import { reportCommand } from './commands/report.js';
import { startCommand } from './commands/start.js';
import { monitorCommand } from './commands/monitor.js';

// A reader that stops early (`cairn --help | head -1`, `cairn runs list --json | head`) closes the
// pipe; the next write fails with EPIPE. Stop quietly then, as Unix tools do, instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Exit codes: 0 success, 1 the operation failed (bad input, not found, …), 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Cairn: track ML experiments (runs, params, metrics, artifacts) and serve them over HTTP.')
    .version(version, '-V, --version')
    .option('--config <file>', 'config file to use instead of ./cairn.yaml (or one in a parent folder)')
    .option('--uri <uri>', 'a server (http://host:5050) or a store URI (sqlite:…, postgres://…); env CAIRN_TRACKING_URI')
    .option('--token <secret>', 'API token for a server with auth enabled; env CAIRN_TRACKING_TOKEN')
    .addHelpText('after', `
Without --uri, commands work on the project's own store: cairn.yaml, CAIRN_STORE_URI, or .cairn/cairn.db.

Examples:
  $ cairn experiments list
  $ cairn runs list --experiment churn --order-by "metrics.auc DESC" --max 10
  $ cairn runs compare 3f9c2a… 8b1d07…
  $ cairn server --port 5050
  $ cairn --uri http://127.0.0.1:5050 runs show 3f9c2a… --json
  $ cairn tokens create --name ci --role editor`);
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

/** Runs the CLI and returns the exit code (`null`: a server is now running; do not exit). */
export async function main(argv: string[] = process.argv): Promise<number | null> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    if (program.args[0] === 'server' || (program.args[0] === 'models' && program.args[1] === 'serve')) return null;
    // A command may set its own exit code (`cairn monitor run` exits 3 when a threshold is crossed).
    return typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    const debug = Boolean(process.env.CAIRN_DEBUG);
    if (isCairnError(e)) {
      process.stderr.write(`error: ${e.message}\n${debug && e.stack ? `${e.stack}\n` : ''}`);
      return EXIT.failed;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`error: ${err.message}\n${debug ? `${err.stack}\n` : '(this looks like a bug in Cairn; set CAIRN_DEBUG=1 to see the stack trace and report it)\n'}`);
    return EXIT.failed;
  }
}

const code = await main();
if (code !== null) process.exitCode = code;
