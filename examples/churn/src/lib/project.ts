// Where the project is, and how its pipeline steps reach the platform: each step opens the
// project's store the way the CLI does (cairn.yaml next to this project, CAIRN_* variables).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';

export const PROJECT_DIR = resolve(import.meta.dirname, '..', '..');
/** The end of the example's history: "now" for materialization and scoring. */
export const AS_OF = '2025-01-01T00:00:00Z';
export const MODEL_NAME = 'churn';

/** Opens the project's platform for the duration of `fn`. */
export async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const platform = await openPlatform(loadConfig({ cwd: PROJECT_DIR }));
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/** The tracking run of a pipeline run: where the run's model, metrics and training data are recorded. */
export async function pipelineTrackingRun(platform: Platform, pipelineRunId: string): Promise<string> {
  const run = await platform.pipelines.queries.getRunInfo(pipelineRunId);
  if (!run.trackingRunId) throw new Error(`Pipeline run ${pipelineRunId} has no tracking run (its experiment pipelines/${run.pipelineName} was deleted?).`);
  return run.trackingRunId;
}

/** sha256 of files (and folders, recursively), by path relative to the project. */
export function fileDigests(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (abs: string): void => {
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(join(abs, name));
    } else {
      out[relative(PROJECT_DIR, abs).split('\\').join('/')] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  for (const p of paths) visit(resolve(PROJECT_DIR, p));
  return out;
}

/** One digest for a folder: its files' relative paths and contents. */
export function folderDigest(dir: string): string {
  const hash = createHash('sha256');
  const visit = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const path = join(abs, name);
      if (statSync(path).isDirectory()) visit(path);
      else hash.update(`${relative(dir, path).split('\\').join('/')}\0`).update(readFileSync(path)).update('\0');
    }
  };
  visit(dir);
  return hash.digest('hex');
}

/**
 * A step version from the content of the modules its function calls. A step's cache key hashes
 * only the function's own source; naming its helpers here makes editing them re-run the step.
 */
export function codeVersion(...paths: string[]): string {
  const digests = fileDigests(paths);
  return createHash('sha256').update(JSON.stringify(digests)).digest('hex').slice(0, 16);
}
