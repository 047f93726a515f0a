import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ownProcessArgs } from '../../loader/own-files.js';

const ENTRY = fileURLToPath(new URL('../fixtures/platform-process.ts', import.meta.url));

export interface PlatformProcess {
  child: ChildProcess;
  /** Resolves with the first output line matching `re` (rejects if the process exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts fixtures/platform-process.ts (`node --import tsx …`): a real process to run or kill. */
export function startPlatformProcess(config: Record<string, unknown>, args: string[]): PlatformProcess {
  const child = spawn(process.execPath, [...ownProcessArgs(), ENTRY, JSON.stringify(config), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    out += c.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re} in:\n${out}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`process exited before printing ${re}:\n${out}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
