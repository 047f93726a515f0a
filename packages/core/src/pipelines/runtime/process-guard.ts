import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ownEntryPoint } from '../../loader/own-files.js';

const ENTRY = ownEntryPoint('pipelines/runtime/process-guard-entry', '.mjs');

/** The environment variable that marks a step process as one of this guard's. */
export const GUARD_ENV = 'CAIRN_PROCESS_GUARD';

/**
 * Ties the life of step processes (command steps, isolated steps) to the process that runs them.
 * Step processes run in process groups of their own (so a timeout can stop what they started), so
 * nothing kills them when their runner or worker dies, even with SIGKILL. The guard is a small
 * process in a session of its own, started on first use (process-guard-entry.mjs), holding the
 * read end of a pipe from this process: when this process exits, however it exits, the pipe
 * closes and the guard kills every step process group still registered, plus (on Linux) every
 * process marked with its token in the environment, then exits.
 *
 * @example
 * ```ts
 * const guard = new ProcessGuard();
 * guard.arm();
 * const child = spawn(cmd, args, { detached: true, env: { ...process.env, ...guard.env } });
 * guard.watch(child.pid!);
 * child.once('close', () => guard.release(child.pid!));
 * ```
 */
export class ProcessGuard {
  private readonly token = randomBytes(9).toString('hex');
  private readonly groups = new Set<number>();
  private child: ChildProcess | null = null;
  private closed = false;

  /** Environment entries for a guarded process. */
  get env(): Record<string, string> {
    return { [GUARD_ENV]: this.token };
  }

  /** The guard's own pid (once started), for tests that must stop it. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts the guard if it is not running; call it before spawning a step process. */
  arm(): void {
    if (this.child || this.closed) return;
    const child = spawn(process.execPath, [ENTRY, this.token], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {});
    child.stdin!.on('error', () => {});
    // Neither the guard nor its pipe keeps this process alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    child.once('exit', () => {
      if (this.child !== child) return;
      // Killed by someone: start another one for the groups still running.
      this.child = null;
      if (this.groups.size && !this.closed) this.arm();
    });
    this.child = child;
    for (const pgid of this.groups) this.send(`+${pgid}`);
  }

  /** Registers a step process group (its leader's pid). */
  watch(pgid: number): void {
    this.groups.add(pgid);
    this.arm();
    this.send(`+${pgid}`);
  }

  /** Forgets a group whose process has ended. */
  release(pgid: number): void {
    if (this.groups.delete(pgid)) this.send(`-${pgid}`);
  }

  /** Stops the guard; it kills whatever is still registered. */
  close(): void {
    this.closed = true;
    this.child?.stdin?.end();
    this.child = null;
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }
}
