import type { Readable } from 'node:stream';

/** One entry of an artifact listing. `path` is relative to the store root; folders have no size. */
export interface ArtifactFileInfo {
  path: string;
  isDir: boolean;
  size: number | null;
}

/** What a completed write stored: the normalized key, its byte count and its sha256 (hex). */
export interface PutResult {
  path: string;
  size: number;
  sha256: string;
}

/** Anything `put` accepts as content. Strings are written as UTF-8. */
export type ArtifactBody = Buffer | Uint8Array | string | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** Refuse the write with `RESOURCE_EXHAUSTED` once more than this many bytes arrive. */
  maxBytes?: number;
}

/**
 * Where artifact bytes live: the plug-in point for local disk now and object stores next. Keys are
 * relative `/`-separated paths; every method validates its key with `validateRelativePath`, so a
 * caller cannot reach outside the store's root whatever it passes. Writes are all-or-nothing: a
 * failed `put` leaves the key as it was.
 *
 * Errors: `INVALID_ARGUMENT` for a refused key, `NOT_FOUND` for reading a missing file,
 * `RESOURCE_EXHAUSTED` when `maxBytes` is exceeded, `FAILED_PRECONDITION` when a key collides with
 * an existing folder or file on the way.
 *
 * @example
 * ```ts
 * const { sha256 } = await store.put('exp-1/run-9/model.pkl', fs.createReadStream(localFile), { maxBytes: 1 << 30 });
 * const { stream, size } = await store.get('exp-1/run-9/model.pkl');
 * for (const entry of await store.list('exp-1/run-9')) console.log(entry.path, entry.isDir, entry.size);
 * ```
 */
export interface ArtifactStore {
  /** Stores `body` at `key`, replacing any file there, hashing and counting bytes as they stream in. */
  put(key: string, body: ArtifactBody, options?: PutOptions): Promise<PutResult>;
  /** Copies a server-local file (a trusted path, not user input) to `key`. */
  putFile(key: string, localPath: string): Promise<PutResult>;
  /** Streams a file. `NOT_FOUND` if `key` is missing or is a folder. */
  get(key: string): Promise<{ stream: Readable; size: number }>;
  /** Describes `key` (`''` is the root folder), or returns null if nothing is there. */
  stat(key: string): Promise<ArtifactFileInfo | null>;
  /** Lists one level under `prefix` (`''` is the root), sorted by path. A missing prefix or a file gives []. */
  list(prefix: string): Promise<ArtifactFileInfo[]>;
  /** Yields every file (never a folder) below `prefix`, depth first with each folder in name order. */
  listRecursive(prefix: string): AsyncIterable<ArtifactFileInfo>;
  /** Deletes a file or a whole folder. Deleting something missing succeeds; the root cannot be deleted. */
  delete(key: string): Promise<void>;
  /** The sha256 (lowercase hex) of the file at `key`. `NOT_FOUND` if missing or a folder. */
  digest(key: string): Promise<string>;
}
