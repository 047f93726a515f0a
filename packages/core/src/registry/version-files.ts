import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../artifacts/index.js';
import type { RESERVED_ARTIFACT_FOLDERS } from '../artifacts/reserved-folders.js';
import { CairnError } from '../errors.js';
import type { ModelFile } from './entities.js';
import { MLMODEL_MAX_BYTES } from './model-format.js';
import { REGISTRY_LIMITS } from './validation.js';

/** Where the registry keeps version files, relative to the artifact root (a reserved folder: no client writes there). */
export const REGISTRY_PREFIX = 'registry' satisfies (typeof RESERVED_ARTIFACT_FOLDERS)[number];

export function storagePathOf(modelId: string, version: number): string {
  return `${REGISTRY_PREFIX}/${modelId}/${version}`;
}

/** Lists the files under `prefix` (or the single file at it) with paths relative to it. */
export async function sourceFiles(artifacts: ArtifactStore, prefix: string): Promise<Array<{ path: string; key: string }>> {
  const info = await artifacts.stat(prefix);
  if (!info) return [];
  if (!info.isDir) return [{ path: prefix.slice(prefix.lastIndexOf('/') + 1), key: prefix }];
  const out: Array<{ path: string; key: string }> = [];
  for await (const f of artifacts.listRecursive(prefix)) {
    if (out.length >= REGISTRY_LIMITS.filesPerVersion) {
      throw new CairnError('RESOURCE_EXHAUSTED', `The source holds more than ${REGISTRY_LIMITS.filesPerVersion} files; package the model into fewer files.`);
    }
    out.push({ path: f.path.slice(prefix.length + 1), key: f.path });
  }
  return out;
}

/** Copies files into the version's storage, hashing as they stream; returns the manifest. */
export async function copyFiles(artifacts: ArtifactStore, files: Array<{ path: string; key: string }>, to: string): Promise<ModelFile[]> {
  const manifest: ModelFile[] = [];
  for (const f of files) {
    const { stream } = await artifacts.get(f.key);
    const put = await artifacts.put(`${to}/${f.path}`, stream);
    manifest.push({ path: f.path, size: put.size, sha256: put.sha256 });
  }
  return manifest.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The manifest of files already in the version's storage (an upload being finalized). */
export async function manifestOf(artifacts: ArtifactStore, prefix: string): Promise<ModelFile[]> {
  const manifest: ModelFile[] = [];
  for (const f of await sourceFiles(artifacts, prefix)) {
    manifest.push({ path: f.path, size: (await artifacts.stat(f.key))?.size ?? 0, sha256: await artifacts.digest(f.key) });
  }
  return manifest.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The content digest of a version: sha256 over one line per file (`<sha256> <size> <path>`) in
 * path order, so it changes when any file's bytes, size or name change, and nothing else.
 */
export function manifestDigest(files: ModelFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.sha256} ${f.size} ${f.path}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** The text of the version's top-level MLmodel file, when there is one of a readable size. */
export async function readMlmodelText(artifacts: ArtifactStore, prefix: string, files: ModelFile[]): Promise<string | null> {
  const f = files.find((x) => x.path === 'MLmodel');
  if (!f || f.size > MLMODEL_MAX_BYTES) return null;
  const { stream } = await artifacts.get(`${prefix}/MLmodel`);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}
