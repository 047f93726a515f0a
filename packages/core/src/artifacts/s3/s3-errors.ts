import { CairnError } from '../../errors.js';
import type { S3Location } from './s3-location.js';

/** What an S3 error is reported against: the store's location and the endpoint it talks to. */
export interface S3Where extends S3Location {
  /** The configured endpoint ('' for AWS). */
  endpoint: string;
  maxAttempts: number;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'InvalidClientTokenId']);
const REGION = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'IncorrectEndpoint']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TimeoutError', 'RequestTimeout']);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'BandwidthLimitExceeded']);

const asSdk = (e: unknown): SdkError => (typeof e === 'object' && e !== null ? (e as SdkError) : {});

/** The S3 error code of a failure (`NoSuchKey`, `SlowDown`, a Node network code), or undefined. */
export function s3ErrorName(e: unknown): string | undefined {
  const err = asSdk(e);
  return err.code && NETWORK.has(err.code) ? err.code : err.name;
}

/** True for "nothing there": a missing key (or a HEAD answered 404). */
export function isS3Missing(e: unknown): boolean {
  const name = s3ErrorName(e);
  return name === 'NoSuchKey' || name === 'NotFound' || (name !== 'NoSuchBucket' && asSdk(e).$metadata?.httpStatusCode === 404);
}

function unavailable(message: string, setting: string, cause: unknown): CairnError {
  return new CairnError('UNAVAILABLE', message, { cause, details: { setting } });
}

/** The bucket of artifact.uri does not exist. */
function bucketMissing(where: S3Where, cause: unknown): CairnError {
  const at = where.endpoint ? ` at ${where.endpoint}` : '';
  return unavailable(`The bucket '${where.bucket}' named by artifact.uri (CAIRN_ARTIFACT_URI) does not exist${at}. Create it, or fix artifact.uri${where.endpoint ? ' or artifact.s3.endpoint' : ''}.`, 'artifact.uri', cause);
}

/**
 * Maps an S3 SDK failure to a CairnError that says what to fix and names the setting. Server-side
 * faults (credentials, bucket, endpoint, throttling) are UNAVAILABLE: the caller's request was
 * fine, the store behind Cairn is not. Other errors (a CairnError, a failure of the caller's own
 * body stream) pass through.
 */
export function s3Failure(e: unknown, where: S3Where, key: string): unknown {
  if (e instanceof CairnError) return e;
  const err = asSdk(e);
  const name = s3ErrorName(e);
  const fromSdk = err.$metadata !== undefined || '$fault' in err || (err.code !== undefined && NETWORK.has(err.code)) || name === 'CredentialsProviderError' || /Region is missing/i.test(err.message ?? '');
  if (!fromSdk) return e;
  const status = err.$metadata?.httpStatusCode;
  const store = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
  const at = where.endpoint ? ` at ${where.endpoint}` : '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(err.message ?? '')) {
    return unavailable(`No AWS credentials for the S3 artifact store ${store}. Give the Cairn process credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or an instance/container role).`, 'AWS_ACCESS_KEY_ID', e);
  }
  if (name && CREDENTIALS.has(name)) {
    return unavailable(`The S3 artifact store ${store}${at} refused Cairn's credentials (${name}). Fix the Cairn process's AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE); they must be valid for the server named by artifact.s3.endpoint.`, 'AWS_ACCESS_KEY_ID', e);
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return unavailable(`The S3 artifact store ${store}${at} denied access to '${key.slice(0, 200)}'. Grant the Cairn process's AWS credentials s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on the prefix of artifact.uri.`, 'artifact.uri', e);
  }
  if (name === 'NoSuchBucket') return bucketMissing(where, e);
  if ((name && REGION.has(name)) || status === 301 || /Region is missing/i.test(err.message ?? '')) {
    return unavailable(`The S3 artifact store ${store} is not reachable in the configured region (${name ?? status}). Set artifact.s3.region (CAIRN_ARTIFACT_S3_REGION) to the bucket's region.`, 'artifact.s3.region', e);
  }
  if (name && THROTTLED.has(name)) {
    return unavailable(`The S3 artifact store ${store}${at} is throttling requests (${name}) and still did after ${err.$metadata?.attempts ?? where.maxAttempts} attempts. Retry later, or raise artifact.s3.max_attempts (CAIRN_ARTIFACT_S3_MAX_ATTEMPTS).`, 'artifact.s3.max_attempts', e);
  }
  if ((name && NETWORK.has(name)) || (err.code && NETWORK.has(err.code))) {
    const where_ = where.endpoint ? `the S3 endpoint ${where.endpoint}` : 'S3';
    return unavailable(`Cannot reach ${where_} for the artifact store ${store} (${name}). Check artifact.s3.endpoint (CAIRN_ARTIFACT_S3_ENDPOINT) and that the server is up and reachable from this machine.`, 'artifact.s3.endpoint', e);
  }
  if (status !== undefined && status >= 500) {
    return unavailable(`The S3 artifact store ${store}${at} failed (${name ?? status}) after ${err.$metadata?.attempts ?? where.maxAttempts} attempts. Retry later; check the storage server's health.`, 'artifact.s3.endpoint', e);
  }
  return new CairnError('INTERNAL', `The S3 artifact store ${store}${at} refused an operation on '${key.slice(0, 200)}' (${name ?? status ?? 'unknown error'}: ${(err.message ?? '').slice(0, 200)}). Check the server log.`, { cause: e });
}
