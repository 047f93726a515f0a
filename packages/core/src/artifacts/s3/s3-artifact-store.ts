import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { stat as statFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CairnError } from '../../errors.js';
import { validateRelativePath } from '../../paths/validate-path.js';
import type { ArtifactBody, ArtifactDownload, ArtifactFileInfo, ArtifactStore, ByteRange, GetOptions, PutOptions, PutResult } from '../artifact-store.js';
import { artifactNotFound, checkMaxBytes, checkRange, rangeOutside, refuseInternalFolder } from '../artifact-checks.js';
import { digestKey, readDigest, writeDigest } from './s3-digests.js';
import { isS3Missing, s3Failure, type S3Where } from './s3-errors.js';
import { deleteUnder, hasObjectsUnder, listFolder, type S3Scope } from './s3-listing.js';
import { folderPrefix, objectKey, type S3Location } from './s3-location.js';
import { SHA256_METADATA, uploadObject } from './s3-upload.js';

export interface S3ArtifactStoreOptions extends S3Location {
  client: S3Client;
  /** The configured endpoint ('' for AWS), named in error messages. */
  endpoint?: string;
  /** Attempts per request the client makes, named in error messages. */
  maxAttempts?: number;
  /** Bytes per multipart-upload part (at least 5 MiB, S3's minimum). */
  partSize?: number;
  /** Parts of one upload in flight at once. */
  uploadConcurrency?: number;
  /** Keys per listing request (S3's maximum is 1,000; tests lower it to exercise paging). */
  pageSize?: number;
}

const MiB = 1024 * 1024;
/** Folders this process wrote below, remembered so repeated writes skip the "is an ancestor a file?" HEADs. */
const KNOWN_FOLDERS_MAX = 10_000;

/**
 * Artifact store in an S3 bucket (AWS, or MinIO, R2, Ceph through an endpoint). A store key maps to
 * the object `<prefix>/<key>`; folders are the `/`-separated prefixes of object keys, as S3 consoles
 * show them. Every key goes through `validateRelativePath` first, so a key can never name an object
 * outside the prefix. Writes stream (multipart above one part) with bounded memory and appear only
 * once complete; `put` keeps the tree shape of the local store, refusing a key that is a folder or
 * lies below a file. Objects whose keys no store key could address are left out of listings, as the
 * local store skips such names.
 *
 * @example
 * ```ts
 * const store = new S3ArtifactStore({ client: createS3Client(settings), bucket: 'ml-artifacts', prefix: 'cairn' });
 * await store.put('1/run-a/artifacts/model.pkl', createReadStream('model.pkl')); // s3://ml-artifacts/cairn/1/run-a/artifacts/model.pkl
 * ```
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly scope: S3Scope;
  private readonly where: S3Where;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly knownFolders = new Set<string>();
  private bucketChecked: Promise<void> | null = null;

  constructor(options: S3ArtifactStoreOptions) {
    this.scope = { client: options.client, bucket: options.bucket, prefix: options.prefix, pageSize: options.pageSize ?? 1000 };
    this.where = { bucket: options.bucket, prefix: options.prefix, endpoint: options.endpoint ?? '', maxAttempts: options.maxAttempts ?? 3 };
    this.partSize = Math.max(5 * MiB, options.partSize ?? 8 * MiB);
    this.queueSize = options.uploadConcurrency ?? 4;
  }

  /** `s3://bucket/prefix`, for messages. */
  get uri(): string {
    return `s3://${this.where.bucket}${this.where.prefix ? `/${this.where.prefix}` : ''}`;
  }

  async put(key: string, body: ArtifactBody, options: PutOptions = {}): Promise<PutResult> {
    const path = this.validate(key);
    const maxBytes = checkMaxBytes(options.maxBytes);
    await this.call(path, () => this.checkTreeShape(path));
    const target = { Bucket: this.scope.bucket, Key: objectKey(this.scope, path) };
    const written = await this.call(path, () => uploadObject(this.scope.client, target, body, { partSize: this.partSize, queueSize: this.queueSize, maxBytes }));
    if (written.multipart) await writeDigest(this.scope, path, written.sha256, written.etag);
    this.rememberFolders(path);
    return { path, size: written.size, sha256: written.sha256 };
  }

  async putFile(key: string, localPath: string): Promise<PutResult> {
    this.validate(key); // a bad key is reported as such, before the local file is looked at
    let stats: Stats;
    try {
      stats = await statFile(localPath);
    } catch (e) {
      throw new CairnError('NOT_FOUND', `Local file '${localPath}' does not exist or cannot be read.`, { cause: e });
    }
    if (!stats.isFile()) throw new CairnError('INVALID_ARGUMENT', `'${localPath}' is not a regular file; upload folders file by file.`);
    return this.put(key, createReadStream(localPath, { highWaterMark: MiB }));
  }

  async get(key: string, options: GetOptions = {}): Promise<ArtifactDownload> {
    const path = this.validate(key);
    const range = checkRange(options.range);
    return this.call(path, async () => {
      try {
        const out = await this.scope.client.send(new GetObjectCommand({
          Bucket: this.scope.bucket, Key: objectKey(this.scope, path), Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }));
        const body = out.Body as Readable;
        const length = Number(out.ContentLength ?? 0);
        if (!range) return { stream: body, size: length, totalSize: length };
        return servedRange(body, out.ContentRange, length, range);
      } catch (e) {
        if (isS3Missing(e)) throw artifactNotFound(path);
        if ((e as { name?: string }).name === 'InvalidRange') throw rangeOutside(path, range!.start, Number((e as { ActualObjectSize?: unknown }).ActualObjectSize ?? NaN));
        throw e;
      }
    });
  }

  async stat(key: string): Promise<ArtifactFileInfo | null> {
    const path = this.validate(key, true);
    return this.call(path, async () => {
      if (path !== '') {
        const head = await this.head(path);
        if (head) return { path, isDir: false, size: head.size };
      }
      return (await hasObjectsUnder(this.scope, path)) ? { path, isDir: true, size: null } : null;
    });
  }

  async list(prefix: string): Promise<ArtifactFileInfo[]> {
    const path = this.validate(prefix, true);
    return this.call(path, () => listFolder(this.scope, path));
  }

  async *listRecursive(prefix: string): AsyncIterable<ArtifactFileInfo> {
    const path = this.validate(prefix, true);
    // Folder by folder, so the order is the local store's (depth first, names in order), which
    // S3's flat key order is not ('a-b' sorts before 'a/x' there).
    for (const entry of await this.list(path)) {
      if (entry.isDir) yield* this.listRecursive(entry.path);
      else yield entry;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.validate(key);
    for (const folder of this.knownFolders) if (folder === path || folder.startsWith(`${path}/`)) this.knownFolders.delete(folder);
    await this.call(path, async () => {
      await deleteUnder(this.scope, folderPrefix(this.scope, path), [objectKey(this.scope, path)]);
      await deleteUnder(this.scope, `${digestKey(this.scope, path)}/`, [digestKey(this.scope, path)]);
    });
  }

  async digest(key: string): Promise<string> {
    const path = this.validate(key);
    const head = await this.call(path, () => this.head(path));
    if (!head) throw artifactNotFound(path);
    const known = head.sha256 ?? (await this.call(path, () => readDigest(this.scope, path, head.etag)));
    if (known) return known;
    const { stream } = await this.get(path);
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    await writeDigest(this.scope, path, sha256, head.etag);
    return sha256;
  }

  private validate(key: string, allowEmpty = false): string {
    const path = validateRelativePath(key, 'artifact path', { allowEmpty });
    refuseInternalFolder(path, key);
    return path;
  }

  /** Runs one operation after the bucket has been found once, mapping SDK failures to CairnErrors. */
  private async call<T>(key: string, run: () => Promise<T>): Promise<T> {
    try {
      this.bucketChecked ??= this.checkBucket();
      await this.bucketChecked;
      return await run();
    } catch (e) {
      throw s3Failure(e, this.where, key);
    }
  }

  // Once per process: a missing bucket, bad credentials or a dead endpoint are then reported as
  // such on the first use, never as a missing artifact. A listing rather than HeadBucket: a HEAD's
  // error has no body, so it cannot tell a wrong key from a missing permission.
  private async checkBucket(): Promise<void> {
    try {
      await this.scope.client.send(new ListObjectsV2Command({ Bucket: this.scope.bucket, MaxKeys: 1, Prefix: folderPrefix(this.scope, '') || undefined }));
    } catch (e) {
      this.bucketChecked = null;
      throw e;
    }
  }

  private async head(path: string): Promise<{ size: number; sha256: string | null; etag: string | undefined } | null> {
    try {
      const out = await this.scope.client.send(new HeadObjectCommand({ Bucket: this.scope.bucket, Key: objectKey(this.scope, path) }));
      const sha = out.Metadata?.[SHA256_METADATA];
      return { size: Number(out.ContentLength ?? 0), sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null, etag: out.ETag };
    } catch (e) {
      if (isS3Missing(e)) return null;
      throw e;
    }
  }

  // A key that is a folder, or lies below a file, is refused, as on a filesystem. The checks run
  // at once; ancestors this process already wrote below are known folders and are not asked again.
  // Two writers racing to make `a` a file and a folder can both win, which S3 allows.
  private async checkTreeShape(path: string): Promise<void> {
    const segments = path.split('/');
    const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/')).filter((a) => !this.knownFolders.has(a));
    const [isFolder, ...files] = await Promise.all([hasObjectsUnder(this.scope, path), ...ancestors.map((a) => this.head(a))]);
    if (isFolder) throw new CairnError('FAILED_PRECONDITION', `Cannot write artifact '${path}': it is a folder. Delete it or choose another path.`);
    const file = files.findIndex((f) => f !== null);
    if (file >= 0) {
      throw new CairnError('FAILED_PRECONDITION', `Cannot write artifact '${path}': '${ancestors[file]}' on its path is a file. Delete it or choose another path.`);
    }
  }

  private rememberFolders(path: string): void {
    if (this.knownFolders.size > KNOWN_FOLDERS_MAX) this.knownFolders.clear();
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) this.knownFolders.add(segments.slice(0, i).join('/'));
  }
}

/**
 * The asked-for range of a ranged GetObject. S3 answers exactly the range; a server that answers
 * more (the whole object, or a wider range: some S3-compatible servers do) is trimmed here.
 */
function servedRange(body: Readable, contentRange: string | undefined, length: number, range: ByteRange): ArtifactDownload {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
  const [from, to, total] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, length - 1, length];
  const end = Math.min(range.end ?? total - 1, total - 1);
  if (from === range.start && to === end) return { stream: body, size: length, totalSize: total };
  if (from > range.start || to < end) {
    body.destroy();
    throw new CairnError('INTERNAL', `The S3 server answered bytes ${from}-${to} for a request of bytes ${range.start}-${end}; it does not serve ranges correctly.`);
  }
  return { stream: body.pipe(sliceBytes(range.start - from, end - range.start + 1)), size: end - range.start + 1, totalSize: total };
}

/** Skips `skip` bytes, passes `take`, then drops the rest. */
function sliceBytes(skip: number, take: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, skip - offset);
      const to = Math.min(chunk.length, skip + take - offset);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}

