// Helpers for the fault tests: real `cairn` processes to kill at a bad moment, and what /proc says
// about the processes they leave.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CAIRN_BIN } from '../src/testing/cli-process.js';

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to its whole process group, as `kill -9 -PGID` from a shell. */
  killGroup(): Promise<void>;
}

/** `cairn …args` as a long-running process leading a process group of its own. */
export function startCli(args: string[], cwd: string, env: Record<string, string>): CliProcess {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) clean[k] = v;
  const child = spawn(process.execPath, [CAIRN_BIN, ...args], { cwd, env: { ...clean, NO_COLOR: '1', ...env }, detached: true });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    output: () => output,
    exited,
    async killGroup() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    },
  };
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Alive and not a zombie (an orphan in a container may wait a while to be reaped). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** The pids the orphan fixtures wrote for an attempt: the isolated step's child, the command's bash and bash's child. */
export function stepPids(dir: string, attempt: number): number[] | null {
  const files = [`isolated.${attempt}.pid`, `command.${attempt}.pid`, `command-child.${attempt}.pid`].map((f) => `${dir}/${f}`);
  if (!files.every((f) => existsSync(f) && readFileSync(f, 'utf8').trim())) return null;
  return files.map((f) => Number(readFileSync(f, 'utf8')));
}

/** The process guard a `cairn` process started (process-guard-entry.mjs, its child). */
export function guardOf(pid: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('process-guard-entry')) return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  return null;
}

/**
 * Takes the process guard of `pid` out of play, as if the machine killed it along with its parent:
 * stopped first (so it cannot act when its parent dies), then killed once the parent is gone.
 */
export function stopGuard(pid: number): { kill(): void } {
  const guard = guardOf(pid);
  if (guard === null) throw new Error(`process ${pid} has no process guard`);
  process.kill(guard, 'SIGSTOP');
  return { kill: () => process.kill(guard, 'SIGKILL') };
}
