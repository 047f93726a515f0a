import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { CairnError } from '../../errors.js';
import { importUserModule } from '../../loader/user-modules.js';
import { isPipeline, type Pipeline } from '../define.js';
import type { PipelineSource } from '../entities.js';

export interface FoundPipeline {
  pipeline: Pipeline;
  exportName: string;
}

/**
 * Imports a pipeline file (TypeScript or JavaScript) into this process, so it shares Cairn's modules
 * with the caller. `fresh` re-imports a file that changed since it was loaded (long-running workers
 * pick up new code).
 */
export async function importPipelineFile(file: string, fresh = false): Promise<Record<string, unknown>> {
  try {
    statSync(file);
  } catch {
    throw new CairnError('NOT_FOUND', `Pipeline file ${file} does not exist.`);
  }
  try {
    return await importUserModule(file, { fresh });
  } catch (e) {
    throw loadError(file, e);
  }
}

function loadError(file: string, e: unknown): CairnError {
  const message = (e as Error)?.message ?? String(e);
  // Without "type": "module" a .ts file is compiled as CommonJS, which cannot load Cairn's ES modules.
  const hint = /require\(\)? (of )?ES Module|require\(esm\)/i.test(message) ? ' Add "type": "module" to the package.json next to it, or name it .mts.' : '';
  return new CairnError('INVALID_ARGUMENT', `Loading pipeline file ${file} failed: ${message}${hint}`, { cause: e });
}

/** The pipelines a module exports (the default export first). */
export function pipelinesIn(mod: Record<string, unknown>): FoundPipeline[] {
  const out: FoundPipeline[] = [];
  for (const [exportName, value] of Object.entries(mod)) {
    if (isPipeline(value) && !out.some((f) => f.pipeline === value)) out.push({ pipeline: value, exportName });
  }
  return out.sort((a, b) => (a.exportName === 'default' ? -1 : b.exportName === 'default' ? 1 : 0));
}

/** Picks one pipeline from a file: by name when given, else the only (or default) one. */
export async function loadPipelineFile(file: string, name?: string | null, fresh = false): Promise<FoundPipeline> {
  const found = pipelinesIn(await importPipelineFile(file, fresh));
  if (!found.length) throw new CairnError('INVALID_ARGUMENT', `${file} exports no pipeline: export one made with pipeline({ name, params }, (p) => { … }).`);
  if (name) {
    const hit = found.find((f) => f.pipeline.name === name || f.exportName === name);
    if (!hit) throw new CairnError('NOT_FOUND', `${file} has no pipeline '${name}'; it has ${found.map((f) => f.pipeline.name).join(', ')}.`);
    return hit;
  }
  if (found.length > 1 && found[0]!.exportName !== 'default') {
    throw new CairnError('INVALID_ARGUMENT', `${file} exports several pipelines (${found.map((f) => f.pipeline.name).join(', ')}): choose one with --pipeline NAME.`);
  }
  return found[0]!;
}

/** Loads the pipeline a run or schedule recorded. */
export async function loadRecordedPipeline(source: PipelineSource, pipelineName: string, projectDir: string, fresh = false): Promise<Pipeline> {
  const file = isAbsolute(source.file) ? source.file : resolve(projectDir, source.file);
  const mod = await importPipelineFile(file, fresh);
  const byExport = source.exportName ? mod[source.exportName] : undefined;
  const pipeline = isPipeline(byExport) ? byExport : pipelinesIn(mod).find((f) => f.pipeline.name === pipelineName)?.pipeline;
  if (!pipeline || pipeline.name !== pipelineName) {
    throw new CairnError('FAILED_PRECONDITION', `${file} no longer defines pipeline '${pipelineName}'${source.exportName ? ` as export '${source.exportName}'` : ''}; restore it or start a new run.`);
  }
  return pipeline;
}

/** How a run records its source file: relative to the project folder when inside it. */
export function recordedSource(file: string | null, exportName: string | null, projectDir: string): PipelineSource | null {
  if (!file) return null;
  const rel = relative(projectDir, file);
  return { file: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file, exportName };
}
