import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CairnError } from '../../errors.js';
import { bodyChunks } from '../artifact-body.js';
import type { ArtifactBody } from '../artifact-store.js';

/** Object metadata holding the sha256 of single-request uploads, so `digest` needs no download. */
export const SHA256_METADATA = 'cairn-sha256';

export interface UploadTarget {
  Bucket: string;
  Key: string;
}

export interface UploadSettings {
  partSize: number;
  queueSize: number;
  maxBytes: number | undefined;
}

/** Thrown by the body wrapper: a failure of the caller's stream (or its size limit), never of S3. */
class BodyFailure {
  constructor(readonly error: unknown) {}
}

// A stream we never finished reading (say S3 failed) would hold its source open.
function releaseBody(body: ArtifactBody): void {
  const destroy = (body as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') destroy.call(body);
}

/** What an upload stored; `multipart` uploads carry no sha256 metadata. */
export interface Uploaded {
  size: number;
  sha256: string;
  etag: string | undefined;
  multipart: boolean;
}

/**
 * Streams `body` to S3, hashing and counting bytes as they pass. A body that fits in one part is
 * sent with one PutObject (its sha256 stored as metadata); a larger one as a multipart upload
 * (@aws-sdk/lib-storage) holding about `partSize × (queueSize + 1)` bytes at a time, whatever the
 * size. If the body or S3 fails half-way the multipart upload is aborted, and nothing ever appears
 * under the key: S3 shows an object only once CompleteMultipartUpload succeeds.
 */
export async function uploadObject(client: S3Client, target: UploadTarget, body: ArtifactBody, settings: UploadSettings): Promise<Uploaded> {
  const hash = createHash('sha256');
  let size = 0;
  // The caller's failure, remembered: lib-storage reports an abort's own error when aborting fails too.
  let bodyFailure: BodyFailure | null = null;
  const source = bodyChunks(body);
  const fail = (e: unknown): never => {
    bodyFailure = new BodyFailure(e);
    throw bodyFailure;
  };
  async function* counted(): AsyncGenerator<Uint8Array> {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await source.next();
      } catch (e) {
        return fail(e);
      }
      if (next.done) return;
      const chunk = next.value;
      size += chunk.byteLength;
      if (settings.maxBytes !== undefined && size > settings.maxBytes) {
        fail(new CairnError('RESOURCE_EXHAUSTED', `The artifact is larger than the ${settings.maxBytes}-byte limit for this upload.`));
      }
      hash.update(chunk);
      yield chunk;
    }
  }
  const chunks = counted();
  let stream: Readable | null = null;
  try {
    // Read up to one part: most artifacts end there and need a single request.
    const first: Uint8Array[] = [];
    let buffered = 0;
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        const sha256 = hash.digest('hex');
        const out = await client.send(new PutObjectCommand({ ...target, Body: Buffer.concat(first), ContentLength: buffered, Metadata: { [SHA256_METADATA]: sha256 } }));
        return { size, sha256, etag: out.ETag, multipart: false };
      }
      first.push(next.value);
      buffered += next.value.byteLength;
      if (buffered > settings.partSize) break;
    }
    stream = Readable.from((async function* () {
      yield* first.splice(0);
      yield* chunks;
    })(), { objectMode: false, highWaterMark: 1 });
    const upload = new Upload({ client, params: { ...target, Body: stream }, partSize: settings.partSize, queueSize: settings.queueSize, leavePartsOnError: false });
    const out = await upload.done();
    return { size, sha256: hash.digest('hex'), etag: out.ETag, multipart: true };
  } catch (e) {
    releaseBody(body);
    stream?.destroy();
    if (!stream) void chunks.return(undefined).catch(() => undefined);
    throw bodyFailure ? (bodyFailure as BodyFailure).error : e;
  }
}
