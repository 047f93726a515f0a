import { execFile } from 'node:child_process';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { RunSource } from '@cairn/core';

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((done) => {
    // argv array, no shell: nothing in the path or environment is interpreted.
    execFile('git', args, { cwd, timeout: 5000, windowsHide: true, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      done(error ? null : stdout);
    });
  });
}

/**
 * Where the running code comes from: git commit and dirty flag (null outside a repository or when
 * git is missing), the entry script relative to the repository (or `cwd`), and the Node version.
 *
 * @example
 * ```ts
 * const source = await detectRunSource();
 * // { gitCommit: '3f2a…', gitDirty: false, entryPoint: 'train/fit.ts', nodeVersion: 'v20.11.0' }
 * ```
 */
export async function detectRunSource(cwd = process.cwd(), entry = process.argv[1]): Promise<RunSource> {
  const [top, head, status] = await Promise.all([
    git(['rev-parse', '--show-toplevel'], cwd),
    git(['rev-parse', '--verify', '--quiet', 'HEAD'], cwd),
    git(['status', '--porcelain'], cwd),
  ]);
  const root = top?.trim() || cwd;
  let entryPoint: string | null = null;
  if (entry) {
    const abs = resolve(cwd, entry);
    const rel = relative(root, abs);
    entryPoint = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
  }
  return {
    gitCommit: head?.trim() || null,
    gitDirty: status === null ? null : status.trim().length > 0,
    entryPoint,
    nodeVersion: process.version,
  };
}
