import { CairnError } from '../errors.js';
import type { Platform } from '../platform.js';
import type { ModelVersion } from '../registry/entities.js';
import { detectFormat, readMlmodel } from '../registry/model-format.js';
import { parseModelRef } from '../registry/model-uri.js';
import { resolveSource } from '../registry/version-source.js';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fetchVersionFiles } from './load-model.js';

/** What `cairn models serve` was asked to serve. */
export type ModelTarget =
  | { kind: 'registry'; uri: string; name: string; alias: string | null }
  | { kind: 'run'; uri: string; runId: string };

const HOW = 'Serve models:/NAME@ALIAS, models:/NAME/VERSION (or NAME@ALIAS, NAME/VERSION) or runs:/<run id>/<path>.';

export function parseModelTarget(uri: string): ModelTarget {
  if (typeof uri !== 'string' || !uri) throw new CairnError('INVALID_ARGUMENT', `Which model? ${HOW}`);
  if (/^runs:/i.test(uri)) {
    const m = /^runs:\/([A-Za-z0-9_-]{1,64})(?:\/|$)/.exec(uri);
    if (!m) throw new CairnError('INVALID_ARGUMENT', `Invalid run URI ${JSON.stringify(uri.slice(0, 100))}. ${HOW}`);
    return { kind: 'run', uri, runId: m[1]! };
  }
  const ref = parseModelRef(uri);
  if (ref.kind === 'stage') throw new CairnError('INVALID_ARGUMENT', `Stages are MLflow's deprecated way to name versions; serve an alias instead. ${HOW}`);
  return { kind: 'registry', uri, name: ref.name, alias: ref.kind === 'alias' ? ref.alias : null };
}

/** A model logged to a run but not registered: its files, with the format and signature its files tell. */
export async function fetchRunModel(platform: Platform, uri: string): Promise<{ version: ModelVersion; dir: string; remove(): Promise<void> }> {
  const source = await resolveSource(uri, null, { runInfo: (id) => platform.runs.getInfo(id) });
  if (source.kind !== 'run') throw new CairnError('INVALID_ARGUMENT', `${uri} does not name a run's artifacts.`);
  const dir = await mkdtemp(join(tmpdir(), 'cairn-run-model-'));
  const paths: string[] = [];
  let mlmodel: string | null = null;
  try {
    const info = await platform.artifacts.stat(source.prefix);
    const keys: Array<{ key: string; path: string }> = [];
    if (info && !info.isDir) keys.push({ key: source.prefix, path: source.prefix.slice(source.prefix.lastIndexOf('/') + 1) });
    else for await (const f of platform.artifacts.listRecursive(source.prefix)) keys.push({ key: f.path, path: f.path.slice(source.prefix.length + 1) });
    if (!keys.length) throw new CairnError('NOT_FOUND', `${uri} holds no files. Log the model's files to the run first.`);
    for (const { key, path } of keys) {
      const { stream } = await platform.artifacts.get(key);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
      const bytes = Buffer.concat(chunks);
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), bytes);
      paths.push(path);
      if (path === 'MLmodel') mlmodel = bytes.toString('utf8');
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const ml = mlmodel === null ? null : readMlmodel(mlmodel);
  const format = detectFormat(paths, ml);
  const now = Date.now();
  const version: ModelVersion = {
    name: `run-${source.runId}`, version: 0, creationTime: now, lastUpdatedTime: now, userId: null, description: null, source: source.source, runId: source.runId,
    status: 'READY', statusMessage: null, stage: 'None', tags: {}, aliases: [], format, unsafe: format !== 'onnx' && format !== 'cairn-json' && format !== 'safetensors',
    signature: ml?.signature ?? null, inputExample: null, size: null, digest: null, fileCount: paths.length, storagePath: source.prefix, externalUri: null,
  };
  return { version, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The files of the version a registry target names now. */
export async function fetchRegistryModel(platform: Platform, target: Extract<ModelTarget, { kind: 'registry' }>): Promise<{ version: ModelVersion; dir: string; remove(): Promise<void> }> {
  const version = await platform.registry.resolve(target.uri);
  if (version.status !== 'READY') throw new CairnError('FAILED_PRECONDITION', `${target.uri} is ${version.status}; only READY versions can be served.`);
  // Cairn never fetches an external version's pointer (no SSRF, no file read), so it has nothing to load.
  if (version.externalUri !== null) {
    throw new CairnError('FAILED_PRECONDITION', `${target.uri} is version ${version.version}, an external version: Cairn holds no files for it, only the pointer ${version.externalUri}. Register the model's files (from a run of this server, or an upload) to serve it.`);
  }
  const files = await fetchVersionFiles(platform.registry, version);
  return { version, ...files };
}
