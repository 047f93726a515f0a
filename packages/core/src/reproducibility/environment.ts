import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { redactConfig, type CairnConfig } from '../config/config.js';
import { canonicalJson } from '../pipelines/materializers/json-check.js';
import type { RunSource } from '../tracking/entities.js';
import { LIMITS } from '../tracking/validation.js';

/** What a run needs recorded to be re-run the same way: code, dependencies, runtime and config. */
export interface RunEnvironment {
  gitCommit: string | null;
  /** True when the work tree differs from the commit (tracked changes or untracked files). */
  gitDirty: boolean | null;
  /** sha256 of the uncommitted diff (`git diff HEAD`) and of every untracked file; null when clean. */
  gitDiffDigest: string | null;
  /** The lockfile found from the project folder upwards, relative to the project folder. */
  lockfile: string | null;
  lockfileDigest: string | null;
  nodeVersion: string;
  platform: string;
  /** sha256 of the effective configuration (canonical JSON, secrets redacted, project paths left out). */
  configDigest: string;
  /** The effective configuration, secrets redacted. */
  config: string;
}

/** Tag keys the environment is recorded under, on a pipeline's tracking run. */
export const ENVIRONMENT_TAGS: Record<keyof RunEnvironment, string> = {
  gitCommit: 'cairn.repro.git_commit',
  gitDirty: 'cairn.repro.git_dirty',
  gitDiffDigest: 'cairn.repro.git_diff_digest',
  lockfile: 'cairn.repro.lockfile',
  lockfileDigest: 'cairn.repro.lockfile_digest',
  nodeVersion: 'cairn.repro.node_version',
  platform: 'cairn.repro.platform',
  configDigest: 'cairn.repro.config_digest',
  config: 'cairn.repro.config',
};

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];
const sha256 = (data: string | Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function git(args: string[], cwd: string): Promise<Buffer | null> {
  return new Promise((done) => {
    // argv array, no shell; a missing git or a folder outside a repository simply records nothing.
    execFile('git', args, { cwd, timeout: 10_000, windowsHide: true, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (error, stdout) => done(error ? null : stdout));
  });
}

/** Hides passwords in URIs (`postgres://user:secret@host` → `postgres://user:***@host`). */
export function redactSecrets(text: string): string {
  return text.replace(/(\/\/[^:/@\s"]*):[^@\s"/]*@/g, '$1:***@');
}

async function gitState(dir: string): Promise<Pick<RunEnvironment, 'gitCommit' | 'gitDirty' | 'gitDiffDigest'>> {
  const [top, head] = await Promise.all([git(['rev-parse', '--show-toplevel'], dir), git(['rev-parse', '--verify', '--quiet', 'HEAD'], dir)]);
  if (!top) return { gitCommit: null, gitDirty: null, gitDiffDigest: null };
  const root = top.toString('utf8').trim();
  const [diff, untracked] = await Promise.all([
    git(['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff'], root),
    git(['ls-files', '--others', '--exclude-standard', '-z'], root),
  ]);
  const files = (untracked?.toString('utf8') ?? '').split('\0').filter(Boolean).sort();
  if (!diff?.length && !files.length) return { gitCommit: head?.toString('utf8').trim() || null, gitDirty: false, gitDiffDigest: null };
  const hash = createHash('sha256').update(diff ?? Buffer.alloc(0));
  for (const f of files) {
    const content = await readFile(join(root, f)).catch(() => null);
    hash.update(`\0untracked\0${f}\0`).update(content ?? 'unreadable');
  }
  return { gitCommit: head?.toString('utf8').trim() || null, gitDirty: true, gitDiffDigest: `sha256:${hash.digest('hex')}` };
}

async function lockfile(projectDir: string): Promise<Pick<RunEnvironment, 'lockfile' | 'lockfileDigest'>> {
  for (let dir = projectDir; ; dir = dirname(dir)) {
    for (const name of LOCKFILES) {
      const path = join(dir, name);
      if (existsSync(path)) return { lockfile: relative(projectDir, path).split('\\').join('/'), lockfileDigest: sha256(await readFile(path)) };
    }
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return { lockfile: null, lockfileDigest: null };
  }
}

/**
 * Captures the environment a pipeline run starts in: git commit and a digest of any uncommitted
 * change, the lockfile's digest, the Node version and platform, and the effective configuration.
 *
 * @example
 * ```ts
 * const env = await captureEnvironment(config);
 * console.log(env.gitCommit, env.gitDirty ? env.gitDiffDigest : 'clean', env.lockfileDigest);
 * ```
 */
export async function captureEnvironment(config: CairnConfig): Promise<RunEnvironment> {
  const { projectDir: _dir, configFile: _file, ...settings } = redactConfig(config);
  const text = redactSecrets(canonicalJson(settings));
  const [g, l] = await Promise.all([gitState(config.projectDir), lockfile(config.projectDir)]);
  return { ...g, ...l, nodeVersion: process.version, platform: `${platform()}-${arch()}`, configDigest: sha256(text), config: text };
}

/** The environment as run tags (absent values are left out). */
export function environmentTags(env: RunEnvironment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, tag] of Object.entries(ENVIRONMENT_TAGS) as Array<[keyof RunEnvironment, string]>) {
    const v = env[key];
    if (v !== null && v !== undefined) out[tag] = String(v).slice(0, LIMITS.tagValueLength);
  }
  return out;
}

/** The environment recorded in a run's tags (null for what was not recorded). */
export function environmentFromTags(tags: Record<string, string>): Partial<Record<keyof RunEnvironment, string | null>> {
  return Object.fromEntries(Object.entries(ENVIRONMENT_TAGS).map(([key, tag]) => [key, tags[tag] ?? null]));
}

/** The part of the environment a tracking run keeps in its source fields. */
export function environmentSource(env: RunEnvironment, entryPoint: string | null): RunSource {
  return { gitCommit: env.gitCommit, gitDirty: env.gitDirty, entryPoint, nodeVersion: env.nodeVersion };
}
