import { spawn, type ChildProcess } from 'node:child_process';
import type { StepLogSink } from './log-capture.js';

/** How long a process gets between SIGTERM and SIGKILL when it is stopped. */
export const KILL_GRACE_MS = 2000;

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started (ENOENT, EACCES). */
  spawnError: NodeJS.ErrnoException | null;
  /** Set when we stopped it: the abort reason's text. */
  stoppedBecause: string | null;
}

export interface RunProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  sink: StepLogSink;
  signal: AbortSignal;
  /** Open an IPC channel (for Cairn's own child processes). */
  ipc?: (message: unknown) => void;
  /** Ties the process's life to this one's and records it (StepRunner's attempt processes). */
  processes?: StepProcesses;
}

/** What a step's runner does with the processes an attempt starts. */
export interface StepProcesses {
  /** Environment entries that mark the process as this attempt's (merged over `env`). */
  env: Record<string, string>;
  /** Called before spawning. */
  starting(): void;
  /** Called with the pid (= process group) of the started process. */
  started(pid: number): void;
  /** Called once it has exited and its group has been stopped. */
  ended(pid: number): void;
}

/** The text of an AbortSignal's reason. */
export function abortText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'cancelled';
}

/**
 * Runs a program from an argv array (never through a shell), streaming its stdout and stderr into
 * the step's log. It gets its own process group, so stopping it (abort: SIGTERM, then SIGKILL after
 * a grace period) also stops what it started; once it has exited, whatever it left running in its
 * group is killed too. With `processes`, the group is also killed if this process dies first.
 */
export function runProcess(argv: string[], options: RunProcessOptions): { child: ChildProcess; done: Promise<ProcessResult> } {
  options.processes?.starting();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.processes ? { ...options.env, ...options.processes.env } : options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid !== undefined) options.processes?.started(child.pid);
  let stoppedBecause: string | null = null;
  let spawnError: NodeJS.ErrnoException | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const stop = () => {
    if (stoppedBecause !== null || child.exitCode !== null) return;
    stoppedBecause = abortText(options.signal);
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  child.stdout!.on('data', (c: Buffer) => options.sink.write('stdout', c));
  child.stderr!.on('data', (c: Buffer) => options.sink.write('stderr', c));
  if (options.ipc) child.on('message', options.ipc);
  const done = new Promise<ProcessResult>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError, stoppedBecause });
    });
    child.once('close', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      options.signal.removeEventListener('abort', stop);
      // What it started in the background dies with the step (it would outlive it otherwise).
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Nothing left.
        }
        options.processes?.ended(child.pid);
      }
      resolve({ code, signal, spawnError, stoppedBecause });
    });
  });
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  return { child, done };
}
