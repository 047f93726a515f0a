import { CairnError } from '../../errors.js';
import { validateRelativePath } from '../../paths/validate-path.js';

/** Where a Cairn artifact store lives in S3: a bucket and a key prefix ('' for the bucket's root). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

// S3's rules for new buckets (3-63 characters: lowercase letters, digits, '.', '-', starting and ending with a letter or digit).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function refuse(uri: string, reason: string): CairnError {
  return new CairnError(
    'INVALID_ARGUMENT',
    `Invalid artifact.uri '${uri.slice(0, 200)}': ${reason}. Set artifact.uri in cairn.yaml (or CAIRN_ARTIFACT_URI) to s3://<bucket>[/<prefix>], e.g. s3://ml-artifacts/cairn.`,
    { details: { field: 'artifact.uri' } },
  );
}

/**
 * Parses `s3://bucket[/prefix]`. The prefix goes through the same path validator as every key, so
 * it is a normalized relative path and keys joined below it can never climb out of it.
 *
 * @example
 * ```ts
 * parseS3Uri('s3://ml-artifacts/teams/fraud/'); // { bucket: 'ml-artifacts', prefix: 'teams/fraud' }
 * parseS3Uri('s3://ml-artifacts');              // { bucket: 'ml-artifacts', prefix: '' }
 * ```
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(uri);
  if (!match) throw refuse(uri, "it does not start with 's3://'");
  const bucket = match[1]!;
  if (!BUCKET.test(bucket) || bucket.includes('..')) throw refuse(uri, `'${bucket.slice(0, 80)}' is not a valid bucket name`);
  let prefix: string;
  try {
    prefix = validateRelativePath(match[2] ?? '', 'artifact.uri prefix', { allowEmpty: true });
  } catch (e) {
    throw refuse(uri, `its prefix is not a plain relative path (${(e as Error).message.split('. ')[0]})`);
  }
  return { bucket, prefix };
}

/** The object key of a normalized store key ('' is the prefix itself). */
export function objectKey(location: S3Location, key: string): string {
  if (!location.prefix) return key;
  return key ? `${location.prefix}/${key}` : location.prefix;
}

/** The `Prefix` that lists everything below a normalized store key (`''` lists the whole store). */
export function folderPrefix(location: S3Location, key: string): string {
  const full = objectKey(location, key);
  return full ? `${full}/` : '';
}
