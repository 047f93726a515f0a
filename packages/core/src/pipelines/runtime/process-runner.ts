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
}

/** The text of an AbortSignal's reason. */
export function abortText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'cancelled';
}

/**
 * Runs a program from an argv array (never through a shell), streaming its stdout and stderr into
 * the step's log. It gets its own process group, so stopping it (abort: SIGTERM, then SIGKILL after
 * a grace period) also stops what it started.
 */
export function runProcess(argv: string[], options: RunProcessOptions): { child: ChildProcess; done: Promise<ProcessResult> } {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
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
      resolve({ code, signal, spawnError, stoppedBecause });
    });
  });
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  return { child, done };
}
