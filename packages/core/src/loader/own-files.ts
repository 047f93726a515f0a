// Where Cairn's own code runs from: its TypeScript sources in the checkout (the dev `cairn` bin,
// Vitest), or the built JavaScript of the installed package (dist/, bundled: a module's code may sit
// in a shared chunk, so paths to other files are taken from the package root, not from this file).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Whether Cairn runs from its TypeScript sources; a TypeScript loader is active then. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The folder of the @cairn/core package (holding package.json, src/ or dist/). */
export const CORE_PACKAGE_DIR = dirname(require.resolve('@cairn/core/package.json'));

/**
 * The path of one of core's own entry points, given without extension relative to src/: the
 * TypeScript source in the checkout, the built JavaScript once installed.
 *
 * @example
 * ```ts
 * ownEntryPoint('pipelines/runtime/child-entry'); // …/dist/pipelines/runtime/child-entry.js
 * ```
 */
export function ownEntryPoint(relative: string, extension = RUNNING_FROM_SOURCE ? '.ts' : '.js'): string {
  return join(CORE_PACKAGE_DIR, RUNNING_FROM_SOURCE ? 'src' : 'dist', relative + extension);
}

/**
 * The `node` arguments a child process running one of Cairn's own entry points needs: none when
 * Cairn is built; from the sources, tsx's loader (by absolute URL, so it resolves from any working
 * folder) and the "@cairn/source" export condition, so that `@cairn/*` imports reach the sources too.
 */
export function ownProcessArgs(): string[] {
  if (!RUNNING_FROM_SOURCE) return [];
  return ['--conditions=@cairn/source', '--import', pathToFileURL(require.resolve('tsx')).href];
}
