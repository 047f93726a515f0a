import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError, type CairnError } from '../../errors.js';
import { startS3FaultProxy, type S3FaultProxy } from '../../testing/s3-fault-proxy.js';
import { startTestS3Server, TEST_S3_CREDENTIALS, type TestS3Server } from '../../testing/s3.js';
import { runArtifactStoreContract } from '../artifact-store.contract.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import { createS3Client } from './s3-client.js';

let s3: TestS3Server;
let n = 0;
beforeAll(async () => {
  s3 = await startTestS3Server();
});
afterAll(() => s3.close());

async function readObject(key: string): Promise<Buffer | null> {
  try {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch {
    return null;
  }
}

// Each case gets its own prefix, with a canary object beside it that `../canary.txt` would name
// if a key were joined naively. Small pages make every listing page through continuation tokens.
runArtifactStoreContract('s3', async () => {
  const base = `contract-${n++}`;
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${base}/canary.txt`, Body: 'do not touch' }));
  return {
    store: new S3ArtifactStore({ client: s3.client, bucket: s3.bucket, prefix: `${base}/store`, endpoint: s3.endpoint, pageSize: 3 }),
    cleanup: async () => {},
    canary: { name: 'canary.txt', read: () => readObject(`${base}/canary.txt`) },
  };
});

const MiB = 1024 * 1024;

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'OK';
  } catch (e) {
    return isCairnError(e) ? e.code : `OTHER: ${String(e)}`;
  }
}

async function failure(run: () => Promise<unknown>): Promise<CairnError> {
  try {
    await run();
  } catch (e) {
    if (isCairnError(e)) return e;
    throw e;
  }
  throw new Error('expected a CairnError');
}

/** A store reaching the test server through `endpoint` (a fault proxy, or nothing at all). */
function storeVia(endpoint: string, options: { bucket?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; maxAttempts?: number } = {}): S3ArtifactStore {
  const maxAttempts = options.maxAttempts ?? 3;
  const client = createS3Client({ endpoint, region: 'us-east-1', force_path_style: true, max_attempts: maxAttempts }, { credentials: options.credentials ?? TEST_S3_CREDENTIALS });
  return new S3ArtifactStore({ client, bucket: options.bucket ?? s3.bucket, prefix: `faults-${n++}`, endpoint, maxAttempts, partSize: 5 * MiB, uploadConcurrency: 2 });
}

async function* slowly(bytes: Buffer, failAfter?: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += MiB) {
    if (failAfter !== undefined && i >= failAfter) throw new Error('client disconnected');
    yield bytes.subarray(i, i + MiB);
  }
}

describe('S3ArtifactStore', () => {
  let proxy: S3FaultProxy | null = null;
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
  });

  it('uploads a body larger than a part as a multipart upload, and records its digest for that version only', async () => {
    proxy = await startS3FaultProxy(s3.port);
    const store = storeVia(proxy.endpoint);
    const bytes = randomBytes(12 * MiB + 3);
    const put = await store.put('big/model.bin', slowly(bytes));
    expect(put).toEqual({ path: 'big/model.bin', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(proxy.seen.filter((r) => /^POST .*\?uploads/.test(r))).toHaveLength(1);
    expect(proxy.seen.filter((r) => /^PUT .*partNumber=/.test(r))).toHaveLength(3);
    const gets = () => proxy!.seen.filter((r) => r.startsWith('GET ') && r.includes('big/model.bin') && !r.includes('.cairn-tmp')).length;
    expect(await store.digest('big/model.bin')).toBe(put.sha256);
    expect(gets()).toBe(0); // read from the recorded digest, not by downloading 12 MiB
    expect(await store.list('')).toEqual([{ path: 'big', isDir: true, size: null }]); // the digests folder stays hidden
    expect(await codeOf(() => store.get('.cairn-tmp/sha256/big/model.bin'))).toBe('INVALID_ARGUMENT');
    const { stream, size } = await store.get('big/model.bin', { range: { start: 6 * MiB, end: 6 * MiB + 9 } });
    expect(size).toBe(10);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes.subarray(6 * MiB, 6 * MiB + 10))).toBe(true);
    // Replaced behind Cairn's back: the recorded digest no longer matches the ETag and is ignored.
    const replaced = randomBytes(1000);
    const key = `${(store as unknown as { scope: { prefix: string } }).scope.prefix}/big/model.bin`;
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: replaced }));
    expect(await store.digest('big/model.bin')).toBe(createHash('sha256').update(replaced).digest('hex'));
    await store.delete('big');
    expect(await store.stat('big/model.bin')).toBeNull();
    expect((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${key.split('/')[0]}/` }))).KeyCount).toBe(0);
  });

  it('aborts the multipart upload when the body fails half-way, and nothing appears under the key', async () => {
    proxy = await startS3FaultProxy(s3.port);
    const store = storeVia(proxy.endpoint);
    await store.put('up/model.bin', 'the old version');
    const bytes = randomBytes(16 * MiB);
    expect(await codeOf(() => store.put('up/model.bin', slowly(bytes, 12 * MiB)))).toBe('OTHER: Error: client disconnected');
    expect(await codeOf(() => store.put('up/other.bin', slowly(bytes), { maxBytes: 11 * MiB }))).toBe('RESOURCE_EXHAUSTED');
    expect(proxy.seen.filter((r) => /^PUT .*partNumber=/.test(r)).length).toBeGreaterThan(0);
    expect(proxy.seen.filter((r) => /^DELETE .*uploadId=/.test(r))).toHaveLength(2);
    expect(proxy.seen.filter((r) => /^POST .*uploadId=/.test(r))).toEqual([]); // never completed
    expect(await store.stat('up/other.bin')).toBeNull();
    const { stream } = await store.get('up/model.bin');
    expect((await stream.toArray()).join('')).toBe('the old version');
  });

  it('retries a throttled request (503 SlowDown) and succeeds', async () => {
    let throttled = 0;
    proxy = await startS3FaultProxy(s3.port, (req) => (req.method === 'PUT' && throttled++ < 2 ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : 'pass'));
    const store = storeVia(proxy.endpoint, { maxAttempts: 3 });
    expect((await store.put('t.txt', 'after two SlowDowns')).size).toBe(19);
    expect(proxy.seen.filter((r) => r.startsWith('PUT '))).toHaveLength(3);
  });

  it('names artifact.s3.max_attempts when throttling outlasts the retries', async () => {
    proxy = await startS3FaultProxy(s3.port, (req) => (req.method === 'PUT' ? { status: 503, code: 'SlowDown' } : 'pass'));
    const e = await failure(() => storeVia(proxy!.endpoint, { maxAttempts: 2 }).put('t.txt', 'x'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('SlowDown');
    expect(e.message).toContain('artifact.s3.max_attempts (CAIRN_ARTIFACT_S3_MAX_ATTEMPTS)');
    expect(proxy.seen.filter((r) => r.startsWith('PUT '))).toHaveLength(2);
  });

  it('names the credentials when the server refuses them', async () => {
    // s3rver checks the key id only (it takes any secret), so the wrong key is the case tested here.
    for (const credentials of [{ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'S3RVER' }]) {
      const store = storeVia(s3.endpoint, { credentials });
      for (const run of [() => store.put('a.txt', 'x'), () => store.get('a.txt'), () => store.list('')]) {
        const e = await failure(run);
        expect(e.code).toBe('UNAVAILABLE');
        expect(e.message).toMatch(/refused Cairn's credentials \((InvalidAccessKeyId|SignatureDoesNotMatch)\)/);
        expect(e.message).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      }
    }
  });

  it('names artifact.uri when the bucket does not exist', async () => {
    const store = storeVia(s3.endpoint, { bucket: 'no-such-bucket' });
    for (const run of [() => store.put('a.txt', 'x'), () => store.stat('a.txt'), () => store.digest('a.txt'), () => store.delete('a')]) {
      const e = await failure(run);
      expect(e.code).toBe('UNAVAILABLE');
      expect(e.message).toContain("The bucket 'no-such-bucket' named by artifact.uri (CAIRN_ARTIFACT_URI) does not exist");
    }
  });

  it('names artifact.s3.endpoint when nothing answers there', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(() => storeVia(`http://127.0.0.1:${port}`, { maxAttempts: 2 }).put('a.txt', 'x'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain(`Cannot reach the S3 endpoint http://127.0.0.1:${port}`);
    expect(e.message).toContain('artifact.s3.endpoint (CAIRN_ARTIFACT_S3_ENDPOINT)');
  });

  it('names the credential variables when the standard chain finds none', async () => {
    const saved = { ...process.env };
    try {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
      Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' });
      const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', force_path_style: true, max_attempts: 1 });
      const e = await failure(() => new S3ArtifactStore({ client, bucket: s3.bucket, prefix: 'x', endpoint: s3.endpoint }).list(''));
      expect(e.code).toBe('UNAVAILABLE');
      expect(e.message).toContain('No AWS credentials for the S3 artifact store');
      expect(e.message).toContain('AWS_PROFILE');
    } finally {
      process.env = saved;
    }
  });

  it('keeps the tree shape: no file where a folder is, nothing below a file', async () => {
    const store = storeVia(s3.endpoint);
    await store.put('dir/file', 'x');
    expect(await codeOf(() => store.put('dir', 'x'))).toBe('FAILED_PRECONDITION');
    expect(await codeOf(() => store.put('dir/file/below', 'x'))).toBe('FAILED_PRECONDITION');
    expect(await store.list('dir')).toEqual([{ path: 'dir/file', isDir: false, size: 1 }]);
  });

  it('skips objects no key could address and folder markers when listing', async () => {
    const prefix = `odd-${n++}`;
    for (const key of ['ok.txt', 'folder/', 'semi;colon', 'folder/inner.txt', 'x%2e']) {
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}`, Body: 'x' }));
    }
    const store = new S3ArtifactStore({ client: s3.client, bucket: s3.bucket, prefix, endpoint: s3.endpoint });
    expect((await store.list('')).map((e) => e.path)).toEqual(['folder', 'ok.txt']);
    expect(await store.list('folder')).toEqual([{ path: 'folder/inner.txt', isDir: false, size: 1 }]);
  });
});
