import { describe, expect, it } from 'vitest';
import { CairnError } from '../../errors.js';
import { s3Failure } from './s3-errors.js';

const where = { bucket: 'ml-artifacts', prefix: 'cairn', endpoint: 'http://minio:9000', maxAttempts: 5 };
/** An error shaped like the SDK's: a name (S3's code) and `$metadata` with the HTTP status. */
const sdk = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status, attempts: 5 }, $fault: status >= 500 ? 'server' : 'client', ...extra });

// Faults the running servers meet rarely (a wrong region, a denied permission, 5xx) mapped here from
// the SDK's error shapes; the common ones run against a real server in s3-artifact-store.test.ts.
describe('s3Failure', () => {
  it.each([
    [sdk('PermanentRedirect', 301), 'artifact.s3.region', 'Set artifact.s3.region (CAIRN_ARTIFACT_S3_REGION)'],
    [sdk('AuthorizationHeaderMalformed', 400), 'artifact.s3.region', "bucket's region"],
    [Object.assign(new Error('Region is missing'), { name: 'Error' }), 'artifact.s3.region', 'artifact.s3.region'],
    [sdk('AccessDenied', 403), 'artifact.uri', 's3:PutObject'],
    [sdk('ExpiredToken', 400), 'AWS_ACCESS_KEY_ID', "refused Cairn's credentials (ExpiredToken)"],
    [sdk('InternalError', 500), 'artifact.s3.endpoint', 'failed (InternalError) after 5 attempts'],
    [sdk('SlowDown', 503), 'artifact.s3.max_attempts', 'throttling requests (SlowDown)'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND minio'), { code: 'ENOTFOUND', $metadata: { attempts: 5 } }), 'artifact.s3.endpoint', 'Cannot reach the S3 endpoint http://minio:9000'],
    [sdk('NoSuchBucket', 404), 'artifact.uri', "The bucket 'ml-artifacts' named by artifact.uri"],
  ])('maps %s to UNAVAILABLE naming %s', (error, setting, text) => {
    const mapped = s3Failure(error, where, 'a/b.txt') as CairnError;
    expect(mapped).toBeInstanceOf(CairnError);
    expect([mapped.code, mapped.details?.setting]).toEqual(['UNAVAILABLE', setting]);
    expect(mapped.message).toContain(text);
    expect(mapped.cause).toBe(error);
  });

  it('passes CairnErrors and failures of the caller’s own body through unchanged', () => {
    const mine = new Error('client disconnected');
    expect(s3Failure(mine, where, 'k')).toBe(mine);
    const cairn = new CairnError('RESOURCE_EXHAUSTED', 'too big');
    expect(s3Failure(cairn, where, 'k')).toBe(cairn);
  });

  it('reports an unexpected S3 refusal as INTERNAL with its code', () => {
    const mapped = s3Failure(sdk('InvalidObjectState', 409), where, 'a/b.txt') as CairnError;
    expect(mapped.code).toBe('INTERNAL');
    expect(mapped.message).toContain('InvalidObjectState');
  });
});
