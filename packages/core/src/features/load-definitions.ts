import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CairnError } from '../errors.js';
import { importUserModuleIsolated } from '../loader/user-modules.js';
import type { Definition } from './define.js';
import { DEFINITION_ORIGIN, definitionKind } from './define.js';

const SKIP_DIRS = new Set(['node_modules', '.git', '.cairn']);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) out.push(...listFiles(full));
    else if (entry.isFile() && /\.(m?ts|m?js)$/.test(entry.name) && !/\.(test|spec|d)\.[mc]?[tj]s$/.test(entry.name)) out.push(full);
  }
  return out;
}

// Errors about a definition name the file and export it came from (see definition-checks.ts).
function tagOrigin(d: Definition, file: string, exportName: string): void {
  if (Object.hasOwn(d, DEFINITION_ORIGIN) || !Object.isExtensible(d)) return;
  Object.defineProperty(d, DEFINITION_ORIGIN, { value: { file, exportName }, enumerable: false });
}

/**
 * Imports every TypeScript (and JavaScript) file under `dir`, afresh (each call sees the files as
 * they are now), and collects the definitions they export (directly, or inside exported arrays).
 * These are the project's own files, run as code.
 *
 * @example
 * ```ts
 * const defs = await loadDefinitions(join(projectDir, 'features'));
 * ```
 */
export async function loadDefinitions(dir: string): Promise<Definition[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CairnError('NOT_FOUND', `The feature definitions folder ${dir} does not exist. Create it and define entities and feature views in .ts files there (see docs/features.md), or set features.dir in cairn.yaml.`);
  }
  const found: Definition[] = [];
  for (const file of listFiles(dir)) {
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModuleIsolated(file);
    } catch (e) {
      throw new CairnError('INVALID_ARGUMENT', `Cannot load feature definitions from ${relative(process.cwd(), file) || file}: ${(e as Error).message}`, { cause: e });
    }
    for (const [exportName, value] of Object.entries(mod)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (!definitionKind(v) || found.includes(v as Definition)) continue;
        found.push(v as Definition);
        tagOrigin(v as Definition, relative(process.cwd(), file) || file, exportName);
      }
    }
  }
  return found;
}
