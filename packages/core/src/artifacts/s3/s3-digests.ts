import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { INTERNAL_FOLDER } from '../artifact-checks.js';
import { isS3Missing } from './s3-errors.js';
import type { S3Scope } from './s3-listing.js';
import { objectKey } from './s3-location.js';

/**
 * The sha256 of multipart objects. A single-request upload carries its sha256 as object metadata,
 * but a multipart upload's metadata is fixed before its bytes are seen, and S3's own multipart
 * checksums are checksums of parts. So the digest is written after completion to a small object
 * in the store's internal folder (`.cairn-tmp/sha256/<key>`), with the ETag of the object it
 * describes: a digest whose ETag no longer matches (the object was replaced) is ignored, never trusted.
 */
export const DIGESTS_FOLDER = `${INTERNAL_FOLDER}/sha256`;

export function digestKey(scope: S3Scope, path: string): string {
  return objectKey(scope, `${DIGESTS_FOLDER}/${path}`);
}

/** Records `sha256` for the object at `path` whose ETag is `etag`. Best effort: `digest` can always recompute. */
export async function writeDigest(scope: S3Scope, path: string, sha256: string, etag: string | undefined): Promise<void> {
  if (!etag) return;
  await scope.client.send(new PutObjectCommand({ Bucket: scope.bucket, Key: digestKey(scope, path), Body: JSON.stringify({ sha256, etag }), ContentType: 'application/json' })).catch(() => undefined);
}

/** The recorded sha256 of the object at `path`, if it was recorded for this very version (`etag`). */
export async function readDigest(scope: S3Scope, path: string, etag: string | undefined): Promise<string | null> {
  if (!etag) return null;
  try {
    const out = await scope.client.send(new GetObjectCommand({ Bucket: scope.bucket, Key: digestKey(scope, path) }));
    const recorded = JSON.parse(await out.Body!.transformToString()) as { sha256?: unknown; etag?: unknown };
    return recorded.etag === etag && typeof recorded.sha256 === 'string' && /^[0-9a-f]{64}$/.test(recorded.sha256) ? recorded.sha256 : null;
  } catch (e) {
    if (isS3Missing(e) || e instanceof SyntaxError) return null;
    throw e;
  }
}
