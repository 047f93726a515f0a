// Helpers for the end-to-end suites that run the churn example the way a user does: a private
// copy of examples/churn, and a shell that runs documented commands in it, in order.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');
export const EXAMPLE = join(REPO, 'examples', 'churn');

/**
 * Copies examples/churn to a temporary folder (without its store, data or anything generated),
 * with node_modules linked to the repository's so `@cairn/*`, tsx and `cairn` resolve as in the
 * repository. Returns the copy's path and a cleanup.
 */
export function copyExample(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cairn-churn-'));
  const dir = join(root, 'churn');
  const skip = new Set(['.cairn', 'data', 'node_modules', 'report.md']);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !skip.has(relative(EXAMPLE, src).split(sep)[0]!) });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface ShellResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for commands: no CAIRN_* from the parent, the copy's node_modules/.bin first on PATH. */
export function commandEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_') && !k.startsWith('GITHUB_')) env[k] = v;
  // NODE_OPTIONS: a documented `npx tsx file.ts` importing @cairn/* runs the checkout's sources (the
  // "@cairn/source" export condition), as the tests do, never a dist/ built before the last edit.
  return { ...env, PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}`, NO_COLOR: '1', NODE_OPTIONS: '--conditions=@cairn/source', ...extra };
}

/** Runs a bash script (`-eo pipefail`, as GitHub Actions does) in `cwd`. */
export function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<ShellResult> {
  return new Promise((done) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ command: script, code, stdout, stderr });
    });
  });
}

export interface DocCommand {
  command: string;
  /** From a trailing `# exits N` comment; 0 otherwise. */
  expectCode: number;
  /** `NAME=$(…)`: the output is kept in NAME for later commands. */
  assigns: string | null;
}

/**
 * The commands of every ```sh block of a Markdown file, in order: one per line (a trailing `\`
 * continues it), blank lines and comment lines skipped.
 */
export function shellCommands(markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const line of lines) {
      const expect = /#\s*exits\s+(\d+)/.exec(line);
      const command = line.replace(/\s+#[^'"]*$/, '').trim();
      const assign = /^([A-Z_][A-Z0-9_]*)=\$\((.*)\)$/.exec(command);
      out.push({ command, expectCode: expect ? Number(expect[1]) : 0, assigns: assign ? assign[1]! : null });
    }
  }
  return out;
}

/** `npx cairn …` and `npx tsx …` run the copy's local binaries: the same thing, without npx's start-up. */
export const withoutNpx = (command: string): string => command.replace(/\bnpx (cairn|tsx)\b/g, '$1');
