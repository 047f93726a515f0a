import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CairnError, isCairnError } from '../../errors.js';
import { resolveUnderRoot, validateRelativePath } from '../../paths/validate-path.js';
import type { ArtifactBody, ArtifactDownload, ArtifactFileInfo, ArtifactStore, GetOptions, PutOptions, PutResult } from '../artifact-store.js';
import { artifactNotFound, checkMaxBytes, checkRange, INTERNAL_FOLDER, rangeOutside, refuseInternalFolder } from '../artifact-checks.js';
import { fsFailure, isMissing, syncFolder, writeAtomically } from './local-file-ops.js';
import { sweepUploadTempFiles } from './upload-temp-files.js';

/** Folder under the root that holds uploads in progress; hidden from listings and reserved as a key. */
export const LOCAL_TEMP_FOLDER = INTERNAL_FOLDER;

interface Located {
  /** The normalized key. */
  path: string;
  /** The absolute local path, proven to be inside the root. */
  file: string;
}

interface Entry {
  info: ArtifactFileInfo;
  file: string;
  /** Device and inode, to stop a walk that a symbolic link loops back into. */
  id: string;
}

function describe(path: string, stats: Stats): ArtifactFileInfo | null {
  if (stats.isDirectory()) return { path, isDir: true, size: null };
  if (stats.isFile()) return { path, isDir: false, size: stats.size };
  return null;
}

/**
 * Artifact store on a local (or mounted) filesystem. Writes stream into a temp file inside the
 * root, are fsynced and renamed into place, so readers see either the old file or the whole new
 * one. Every key goes through `validateRelativePath` and `resolveUnderRoot`, so neither `..` tricks
 * nor symbolic links lead outside `rootDir`. The root is created on the first write.
 *
 * @example
 * ```ts
 * const store = new LocalArtifactStore('/var/lib/cairn/artifacts');
 * await store.put('1/run-a/artifacts/model.pkl', createReadStream('model.pkl'), { maxBytes: 5 * 2 ** 30 });
 * const { stream } = await store.get('1/run-a/artifacts/model.pkl');
 * ```
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  /**
   * Removes what uploads cut off by a dead process left in the temp folder (never a live upload's
   * file); the platform calls it when it opens the store. Returns how many files were removed.
   */
  sweepLeftoverUploads(): Promise<number> {
    return sweepUploadTempFiles(join(this.root, LOCAL_TEMP_FOLDER));
  }

  private locate(key: string, allowEmpty = false): Located {
    const path = validateRelativePath(key, 'artifact path', { allowEmpty });
    refuseInternalFolder(path, key);
    return { path, file: resolveUnderRoot(this.root, path) };
  }

  async put(key: string, body: ArtifactBody, options: PutOptions = {}): Promise<PutResult> {
    const { path, file } = this.locate(key);
    const maxBytes = checkMaxBytes(options.maxBytes);
    // Fail before the upload streams in, rather than after, when the key is a folder.
    if ((await this.stat(path))?.isDir) {
      throw new CairnError('FAILED_PRECONDITION', `Cannot write artifact '${path}': it is a folder. Delete it or choose another path.`);
    }
    try {
      const written = await writeAtomically(join(this.root, LOCAL_TEMP_FOLDER), body, maxBytes, async (tempFile) => {
        await mkdir(dirname(file), { recursive: true });
        // The folders now exist; check again that none of them is a link out of the root.
        const target = resolveUnderRoot(this.root, path);
        await rename(tempFile, target);
        await syncFolder(dirname(target));
      });
      return { path, ...written };
    } catch (e) {
      throw fsFailure(e, path);
    }
  }

  async putFile(key: string, localPath: string): Promise<PutResult> {
    this.locate(key); // a bad key is reported as such, before the local file is looked at
    let stats: Stats;
    try {
      stats = await stat(localPath);
    } catch (e) {
      if (isMissing(e)) throw new CairnError('NOT_FOUND', `Local file '${localPath}' does not exist.`, { cause: e });
      throw fsFailure(e, key);
    }
    if (!stats.isFile()) throw new CairnError('INVALID_ARGUMENT', `'${localPath}' is not a regular file; upload folders file by file.`);
    return this.put(key, createReadStream(localPath));
  }

  async get(key: string, options: GetOptions = {}): Promise<ArtifactDownload> {
    const { path, file } = this.locate(key);
    const range = checkRange(options.range);
    // Refuse folders (and FIFOs, which would block) before opening anything.
    if ((await this.stat(path))?.isDir !== false) throw artifactNotFound(path);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (e) {
      throw isMissing(e) ? artifactNotFound(path) : fsFailure(e, path);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw artifactNotFound(path);
      if (!range) return { stream: createReadStream(file, { fd: handle }), size: stats.size, totalSize: stats.size };
      if (range.start >= stats.size) throw rangeOutside(path, range.start, stats.size);
      const end = Math.min(range.end ?? stats.size - 1, stats.size - 1);
      return { stream: createReadStream(file, { fd: handle, start: range.start, end }), size: end - range.start + 1, totalSize: stats.size };
    } catch (e) {
      await handle.close();
      throw fsFailure(e, path);
    }
  }

  async stat(key: string): Promise<ArtifactFileInfo | null> {
    const { path, file } = this.locate(key, true);
    try {
      return describe(path, await stat(file));
    } catch (e) {
      if (isMissing(e)) return null;
      throw fsFailure(e, path);
    }
  }

  async list(prefix: string): Promise<ArtifactFileInfo[]> {
    const { path, file } = this.locate(prefix, true);
    return (await this.readFolder(path, file)).map((entry) => entry.info);
  }

  async *listRecursive(prefix: string): AsyncIterable<ArtifactFileInfo> {
    const { path, file } = this.locate(prefix, true);
    const seen = new Set<string>();
    try {
      const start = await stat(file);
      seen.add(`${start.dev}:${start.ino}`);
    } catch (e) {
      if (isMissing(e)) return;
      throw fsFailure(e, path);
    }
    yield* this.walk(path, file, seen);
  }

  async delete(key: string): Promise<void> {
    const { path, file } = this.locate(key);
    try {
      await rm(file, { recursive: true, force: true });
    } catch (e) {
      if (!isMissing(e)) throw fsFailure(e, path);
    }
  }

  async digest(key: string): Promise<string> {
    const { stream } = await this.get(key);
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  private async *walk(path: string, folder: string, seen: Set<string>): AsyncGenerator<ArtifactFileInfo> {
    for (const entry of await this.readFolder(path, folder)) {
      if (!entry.info.isDir) {
        yield entry.info;
      } else if (!seen.has(entry.id)) {
        seen.add(entry.id);
        yield* this.walk(entry.info.path, entry.file, seen);
      }
    }
  }

  /**
   * One folder's entries, sorted by name. Entries no key could address (names the validator would
   * change or refuse, links out of the root, sockets) are skipped: listing only shows what `get` serves.
   */
  private async readFolder(path: string, folder: string): Promise<Entry[]> {
    let dirents;
    try {
      dirents = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return [];
      throw fsFailure(e, path);
    }
    const entries: Entry[] = [];
    for (const dirent of dirents) {
      if (path === '' && dirent.name === LOCAL_TEMP_FOLDER) continue;
      const childPath = path === '' ? dirent.name : `${path}/${dirent.name}`;
      const childFile = join(folder, dirent.name);
      try {
        if (validateRelativePath(childPath) !== childPath) continue;
        if (dirent.isSymbolicLink()) resolveUnderRoot(this.root, childPath);
        const stats = await stat(childFile);
        const info = describe(childPath, stats);
        if (info) entries.push({ info, file: childFile, id: `${stats.dev}:${stats.ino}` });
      } catch (e) {
        if (isCairnError(e, 'INVALID_ARGUMENT') || isCairnError(e, 'PERMISSION_DENIED') || isMissing(e)) continue;
        throw fsFailure(e, childPath);
      }
    }
    return entries.sort((a, b) => (a.info.path < b.info.path ? -1 : a.info.path > b.info.path ? 1 : 0));
  }
}
