// Test helpers: run the real `cairn` binary (bin/cairn.js) in a child process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAIRN_BIN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Extra environment; the parent's CAIRN_* variables are never passed on. */
  env?: Record<string, string>;
  /** Run as this user (see {@link unprivileged}). */
  user?: { uid?: number; gid?: number };
}

/**
 * A user for which file permissions apply: `nobody` when the tests run as root (root may write
 * anywhere, so a read-only folder proves nothing), else the current user. Folders the child must
 * write to need {@link openToAll} then.
 */
export function unprivileged(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
}

/**
 * Why an {@link unprivileged} child cannot run this checkout's code (a folder above it is closed
 * to other users, as `mktemp -d` makes one), or null when it can.
 */
export function unprivilegedBlocked(): string | null {
  if (process.getuid?.() !== 0) return null;
  for (let d = dirname(CAIRN_BIN); ; d = dirname(d)) {
    const mode = statSync(d).mode & 0o777;
    if (!(mode & 0o001)) return `${d} is closed to other users (mode ${mode.toString(8)}), so Cairn cannot be run as 'nobody' from this checkout: chmod o+x ${d} (.ci/run does this for its checkout)`;
    if (dirname(d) === d) return null;
  }
}

/**
 * For a test that runs Cairn as {@link unprivileged}: skips it, saying why, when that user cannot
 * reach this checkout; with CI=true that is a failure instead (CI must run it).
 */
export function needUnprivileged(skip: (note?: string) => void): void {
  const why = unprivilegedBlocked();
  if (!why) return;
  if (process.env.CI === 'true') throw new Error(why);
  skip(why);
}

/** Lets an {@link unprivileged} child write in `dir` (a temp folder is private to its creator). */
export function openToAll(dir: string): void {
  chmodSync(dir, 0o777);
}

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Cairn's settings stay out (each test sets its own); CAIRN_CLI_FROM_DIST picks the CLI's build (bin/cairn.js).
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_') || k === 'CAIRN_CLI_FROM_DIST') env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `cairn ...args` to completion. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CAIRN_BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: 60_000, ...options.user }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliServer {
  url: string;
  process: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `cairn server --port 0` and waits for the URL it prints. */
export function startCliServer(options: CliOptions, args: string[] = []): Promise<CliServer> {
  const child = spawn(process.execPath, [CAIRN_BIN, ...args, 'server', '--port', '0'], { cwd: options.cwd, env: childEnv(options.env) });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /Cairn server listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        resolve({
          url: m[1]!,
          process: child,
          output: () => output,
          stop: () => new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`cairn server exited with ${code} before listening:\n${output}`)));
  });
}
