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

/** Bytes `start` to `end` inclusive (as in HTTP's Range header); no `end` reads to the end of the file. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetOptions {
  /** Read only these bytes. A range past the end is clamped; one starting at or after it is INVALID_ARGUMENT. */
  range?: ByteRange;
}

/** An open download: the bytes (`size` of them, the range's when one was asked for) and the file's whole size. */
export interface ArtifactDownload {
  stream: Readable;
  size: number;
  totalSize: number;
}

export interface PutOptions {
  /** Refuse the write with `RESOURCE_EXHAUSTED` once more than this many bytes arrive. */
  maxBytes?: number;
}

/**
 * Where artifact bytes live: the plug-in point for local disk and S3 (`artifact.uri`). Keys are
 * relative `/`-separated paths; every method validates its key with `validateRelativePath`, so a
 * caller cannot reach outside the store's root whatever it passes. Writes are all-or-nothing: a
 * failed `put` leaves the key as it was.
 *
 * Errors: `INVALID_ARGUMENT` for a refused key, `NOT_FOUND` for reading a missing file,
 * `RESOURCE_EXHAUSTED` when `maxBytes` is exceeded, `FAILED_PRECONDITION` when a key collides with
 * an existing folder or file on the way, `UNAVAILABLE` when the storage behind the store fails (an
 * S3 endpoint that is down, refuses the credentials, lacks the bucket or keeps throttling; the
 * message names the setting to fix).
 *
 * @example
 * ```ts
 * const { sha256 } = await store.put('exp-1/run-9/model.pkl', fs.createReadStream(localFile), { maxBytes: 1 << 30 });
 * const { stream, size } = await store.get('exp-1/run-9/model.pkl');
 * const head = await store.get('exp-1/run-9/model.pkl', { range: { start: 0, end: 1023 } }); // the first KiB
 * for (const entry of await store.list('exp-1/run-9')) console.log(entry.path, entry.isDir, entry.size);
 * ```
 */
export interface ArtifactStore {
  /** Stores `body` at `key`, replacing any file there, hashing and counting bytes as they stream in. */
  put(key: string, body: ArtifactBody, options?: PutOptions): Promise<PutResult>;
  /** Copies a server-local file (a trusted path, not user input) to `key`. */
  putFile(key: string, localPath: string): Promise<PutResult>;
  /** Streams a file, or a byte range of it. `NOT_FOUND` if `key` is missing or is a folder. */
  get(key: string, options?: GetOptions): Promise<ArtifactDownload>;
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
