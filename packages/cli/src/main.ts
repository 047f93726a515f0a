// The `cairn` command. bin/cairn.js registers tsx and imports this file.
import { CommanderError } from 'commander';
import { isCairnError } from '@cairn/core/errors';
import { Interrupted } from './cli-context.js';
import { buildProgram, EXIT } from './program.js';

// A reader that stops early (`cairn --help | head -1`, `cairn runs list --json | head`) closes the
// pipe; the next write fails with EPIPE. Stop quietly then, as Unix tools do, instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/** Runs the CLI and returns the exit code (`null`: a server is now running; do not exit). */
export async function main(argv: string[] = process.argv): Promise<number | null> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    if (program.args[0] === 'server' || (program.args[0] === 'models' && program.args[1] === 'serve')) return null;
    // A command may set its own exit code (`cairn monitor run` exits 4 when a threshold is crossed).
    return typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already. Help that was asked for (`--help`,
      // `cairn help`, `cairn help --help`) exits 0; help shown for a wrong command line does not.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // What the user asked for (Ctrl-C) is said as such, not as an error.
    if (e instanceof Interrupted) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.interrupted;
    }
    const debug = Boolean(process.env.CAIRN_DEBUG);
    if (isCairnError(e)) {
      process.stderr.write(`error: ${e.message}\n${debug && e.stack ? `${e.stack}\n` : ''}`);
      return e.code === 'UNAVAILABLE' ? EXIT.unavailable : EXIT.failed;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`error: ${err.message}\n${debug ? `${err.stack}\n` : '(this looks like a bug in Cairn; set CAIRN_DEBUG=1 to see the stack trace and report it)\n'}`);
    return EXIT.failed;
  }
}

const code = await main();
if (code !== null) process.exitCode = code;
