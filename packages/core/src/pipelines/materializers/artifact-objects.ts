import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { ArtifactStore } from '../../artifacts/index.js';
import { CairnError, isCairnError } from '../../errors.js';
import type { ArtifactRecord, ValueKind } from '../entities.js';
import type { Materializer } from './materializer.js';

const MANIFEST = '.cairn-manifest.json';
/** Top-level folder of pipeline artifacts in the artifact store. */
export const OBJECTS_PREFIX = 'pipelines/objects';

interface ManifestFile { path: string; sha256: string; size: number }
interface Manifest { materializer: string; kind: ValueKind; files: ManifestFile[] }

export type SavedArtifact = Omit<ArtifactRecord, 'createdTime'>;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await streamPipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Content-addressed artifacts on top of the artifact store. An artifact is a folder of files plus a
 * manifest (each file's path, sha256 and size, and the materializer); its digest is the manifest's
 * sha256 and its key `pipelines/objects/<2 hex>/<digest>`. Equal outputs are stored once; the
 * manifest is written last, so its presence means the artifact is complete. Reads go through a
 * local cache folder keyed by digest (contents never change), verified against the manifest.
 */
export class ArtifactObjects {
  constructor(private readonly store: ArtifactStore, private readonly cacheDir: string) {}

  /** Writes a value with `materializer` (or adopts a command's output) and stores it unless already present. */
  async save(materializer: Materializer, write: (dir: string) => Promise<void>): Promise<SavedArtifact> {
    const tmp = join(this.cacheDir, 'tmp', randomBytes(8).toString('hex'));
    await mkdir(tmp, { recursive: true });
    try {
      await write(tmp);
      const files: ManifestFile[] = [];
      for (const full of (await walk(tmp)).sort()) {
        const path = relative(tmp, full).split(sep).join('/');
        if (path.startsWith('.cairn')) continue;
        files.push({ path, sha256: await sha256File(full), size: (await stat(full)).size });
      }
      const manifest: Manifest = { materializer: materializer.id, kind: materializer.kind, files };
      const manifestText = JSON.stringify(manifest);
      const digest = createHash('sha256').update(manifestText).digest('hex');
      const uri = `${OBJECTS_PREFIX}/${digest.slice(0, 2)}/${digest}`;
      if (!(await this.store.stat(`${uri}/${MANIFEST}`))) {
        for (const f of files) await this.store.putFile(`${uri}/${f.path}`, join(tmp, ...f.path.split('/')));
        await this.store.put(`${uri}/${MANIFEST}`, manifestText);
      }
      await writeFile(join(tmp, MANIFEST), manifestText);
      await this.adoptIntoCache(tmp, digest);
      return {
        artifactId: digest,
        digest,
        materializer: materializer.id,
        kind: materializer.kind,
        uri,
        size: files.reduce((n, f) => n + f.size, 0),
        fileCount: files.length,
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Whether the artifact is still complete in the artifact store (a cache hit requires it). */
  async exists(record: Pick<ArtifactRecord, 'uri'>): Promise<boolean> {
    return (await this.store.stat(`${record.uri}/${MANIFEST}`)) !== null;
  }

  /** A local folder holding the artifact's files (downloaded once, then reused). */
  async fetch(record: Pick<ArtifactRecord, 'uri' | 'digest'>): Promise<string> {
    const local = this.localDir(record.digest);
    if (existsSync(join(local, MANIFEST))) return local;
    const tmp = join(this.cacheDir, 'tmp', randomBytes(8).toString('hex'));
    try {
      let manifestText: string;
      try {
        manifestText = await this.readText(`${record.uri}/${MANIFEST}`);
      } catch (e) {
        if (isCairnError(e, 'NOT_FOUND')) throw new CairnError('NOT_FOUND', `Artifact ${record.digest.slice(0, 12)} is missing from the artifact store (${record.uri}); re-run the step that produced it with --no-cache.`);
        throw e;
      }
      const manifest = JSON.parse(manifestText) as Manifest;
      for (const f of manifest.files) {
        const target = join(tmp, ...f.path.split('/'));
        await mkdir(dirname(target), { recursive: true });
        const { stream } = await this.store.get(`${record.uri}/${f.path}`);
        const hash = createHash('sha256');
        stream.on('data', (c: Buffer) => hash.update(c));
        await streamPipeline(stream, createWriteStream(target));
        if (hash.digest('hex') !== f.sha256) throw new CairnError('INTERNAL', `Artifact file ${record.uri}/${f.path} does not match its recorded sha256: the artifact store copy is corrupt.`);
      }
      await writeFile(join(tmp, MANIFEST), manifestText);
      await this.adoptIntoCache(tmp, record.digest);
      return local;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private localDir(digest: string): string {
    return join(this.cacheDir, 'objects', digest.slice(0, 2), digest);
  }

  // Another process may have filled the same digest meanwhile; contents are equal, so the first copy
  // stays: it may be being read (a step reading its inputs), so a complete copy is never removed.
  private async adoptIntoCache(tmp: string, digest: string): Promise<void> {
    const local = this.localDir(digest);
    if (existsSync(join(local, MANIFEST))) return;
    await mkdir(dirname(local), { recursive: true });
    const taken = (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      return true;
    };
    if (!(await rename(tmp, local).then(() => false, taken))) return;
    if (existsSync(join(local, MANIFEST))) return;
    // A folder without its manifest is a leftover (copies are renamed in whole): replace it.
    await rm(local, { recursive: true, force: true });
    await rename(tmp, local).catch(taken);
  }

  private async readText(key: string): Promise<string> {
    const { stream } = await this.store.get(key);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
