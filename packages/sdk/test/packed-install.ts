// Test and benchmark helper: packs the published packages from this checkout (`npm pack`, which
// builds them first) and installs the tarballs into a folder outside the checkout, as a user's
// project installs them from the registry. Third-party dependencies come from the npm registry or
// npm's cache (`--prefer-offline`).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');

/** The packages published to npm, in dependency order. */
export const PUBLISHED = ['@cairn/core', '@cairn/client', '@cairn/server', '@cairn/cli', '@cairn/sdk'];

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Whether `path` lies inside this checkout (where Node would find the checkout's node_modules). */
export function insideCheckout(path: string): boolean {
  const rel = relative(REPO, resolve(path));
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The environment of a user's shell: no CAIRN_* variables, no npm_* settings a parent `npm test`
 * passes down (its workspace, its prefix), and no PATH entries into this checkout.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('CAIRN_') || k.toLowerCase().startsWith('npm_') || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '').split(':').filter((p) => p && !insideCheckout(p)).join(':');
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a program (argv, no shell) to completion. */
export function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv(), timeoutMs = 1_200_000): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(argv[0]!, argv.slice(1), { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function mustSucceed(what: string, r: CommandResult): CommandResult {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Packs the published packages into `destination` (`npm pack` runs their prepack build) and returns the tarballs. */
export async function packTarballs(destination: string): Promise<string[]> {
  mkdirSync(destination, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', destination, ...PUBLISHED.flatMap((p) => ['-w', p])];
  const r = mustSucceed('npm pack', await run(['npm', ...args], REPO, { ...userEnv(), PATH: process.env.PATH ?? '' }));
  const packed = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string }[];
  return packed.map((p) => join(destination, p.filename));
}

/** The `npm install` arguments that install the tarballs (offline when npm's cache has the rest). */
export function installArgs(tarballs: string[]): string[] {
  return ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs];
}

export interface InstalledProject {
  dir: string;
  /** The installed `cairn` command, to run with `node`. */
  bin: string;
}

/**
 * A project folder outside the checkout with the packed packages installed, kept between runs
 * under the OS temp folder and reused while the packed contents are the same (installing compiles
 * better-sqlite3 where no prebuilt binary can be downloaded: minutes). For benchmarks.
 */
export async function installedProject(log: (line: string) => void = () => {}): Promise<InstalledProject> {
  const work = join(tmpdir(), 'cairn-packed');
  const tarballs = await packTarballs(join(work, 'tarballs'));
  const hash = createHash('sha256');
  for (const t of tarballs.slice().sort()) hash.update(readFileSync(t));
  const dir = join(work, `project-${hash.digest('hex').slice(0, 12)}`);
  const bin = join(dir, 'node_modules', '.bin', 'cairn');
  if (existsSync(join(dir, 'installed'))) return { dir, bin };
  for (const old of existsSync(work) ? readdirSync(work).filter((f) => f.startsWith('project-')) : []) rmSync(join(work, old), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'cairn-bench-project', private: true, type: 'module' }, null, 2)}\n`);
  log(`installing the packed packages into ${dir} (compiling better-sqlite3 may take minutes)`);
  mustSucceed('npm install', await run(['npm', ...installArgs(tarballs)], dir));
  writeFileSync(join(dir, 'installed'), '');
  return { dir, bin };
}
