// The one loader of a project's own code: pipeline files, feature definitions, quickstart.ts, run by
// the CLI, the SDK, workers and step child processes. Cairn itself is plain JavaScript once built
// (dist/); a user's TypeScript file is compiled by tsx, whose loader is registered the first time a
// .ts file is imported, so a process that never loads one never loads tsx either.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNNING_FROM_SOURCE } from './own-files.js';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

let tsxRegistered: Promise<void> | null = null;

/** Registers tsx's ESM loader in this process, once (a no-op when Cairn runs from its sources). */
export function ensureTypeScriptLoader(): Promise<void> {
  if (RUNNING_FROM_SOURCE) return Promise.resolve();
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return tsxRegistered;
}

export interface ImportOptions {
  /**
   * Import the file as it is now, even if this process imported an older version (a long-running
   * worker picking up new code): the URL carries the file's mtime.
   */
  fresh?: boolean;
}

/**
 * Imports a user's module (TypeScript or JavaScript) into this process, sharing Cairn's module
 * instances with it. Throws what the import throws; callers add what the file was for.
 *
 * @example
 * ```ts
 * const mod = await importUserModule(resolve('pipelines/train.ts'));
 * ```
 */
export async function importUserModule(file: string, options: ImportOptions = {}): Promise<Record<string, unknown>> {
  let url = pathToFileURL(file).href;
  if (options.fresh) url += `?mtime=${Math.round(statSync(file).mtimeMs)}`;
  if (TYPESCRIPT.has(extname(file).toLowerCase())) await ensureTypeScriptLoader();
  return (await import(url)) as Record<string, unknown>;
}

/**
 * Imports a user's module and everything it imports afresh, apart from modules imported before
 * (tsx's `tsImport`, a namespace of its own per call): each call sees the files as they are now.
 */
export async function importUserModuleIsolated(file: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}
