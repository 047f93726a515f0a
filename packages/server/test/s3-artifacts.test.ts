import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { startS3FaultProxy, startTestS3Server, useTestS3Credentials, type S3FaultProxy, type TestS3Server } from '@cairn/core/testing/s3';
import { buildApp } from '../src/app.js';
import { call, seedRun } from './helpers.js';

const MiB = 1024 * 1024;
const MAX_UPLOAD = 20 * MiB;
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

// Cairn's artifact routes, the MLflow artifact proxy and registry files over an S3 artifact store
// (s3rver started here): the same requests as on a local disk, and the bytes land in the bucket.
describe('artifact routes over the S3 artifact store', () => {
  let s3: TestS3Server;
  let t: TestPlatform;
  let app: FastifyInstance;
  let restoreEnv: () => void;
  let proxy: S3FaultProxy;

  /** Object keys under `prefix`, without the store's internal folder (digests of multipart objects) unless asked. */
  const objectKeys = async (prefix: string, internal = false): Promise<string[]> => {
    const out = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key!).filter((k) => internal || !k.includes('/.cairn-tmp/')).sort();
  };

  beforeAll(async () => {
    s3 = await startTestS3Server();
    // Cairn reaches the server through a recording proxy, to see which S3 requests it sends.
    proxy = await startS3FaultProxy(s3.port);
    restoreEnv = useTestS3Credentials();
    t = await makeTestPlatform('sqlite', { artifact: s3.artifactConfig('team/cairn', { part_size_mb: 5, endpoint: proxy.endpoint }) });
    app = buildApp(t.platform, { logger: false, maxUploadBytes: MAX_UPLOAD });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
    restoreEnv?.();
    await proxy?.close();
    await s3?.close();
  });

  it('uploads (multipart above one part), lists, downloads whole and in ranges, and deletes through /api/v1', async () => {
    const { experimentId, runId } = await seedRun(app);
    const base = `/api/v1/runs/${runId}/artifacts`;
    const big = randomBytes(11 * MiB + 5);
    const put = await call(app, 'PUT', `${base}/content?path=model/weights.bin`, big, { 'content-type': 'application/octet-stream' });
    expect(put.status).toBe(200);
    expect(put.body.file).toMatchObject({ path: 'model/weights.bin', size: big.length });
    expect(await objectKeys('team/cairn/')).toEqual([`team/cairn/${experimentId}/${runId}/artifacts/model/weights.bin`]);
    expect(existsSync(join(t.dir, 'artifacts'))).toBe(false);

    expect((await call(app, 'GET', `${base}?path=model`)).body.files).toEqual([{ path: 'model/weights.bin', isDir: false, size: big.length }]);
    const whole = await app.inject({ method: 'GET', url: `${base}/content?path=model/weights.bin` });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(big)).toBe(true);
    const part = await app.inject({ method: 'GET', url: `${base}/content?path=model/weights.bin`, headers: { range: `bytes=${6 * MiB}-${6 * MiB + 99}` } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes ${6 * MiB}-${6 * MiB + 99}/${big.length}`);
    expect(part.rawPayload.equals(big.subarray(6 * MiB, 6 * MiB + 100))).toBe(true);
    const tail = await app.inject({ method: 'GET', url: `${base}/content?path=model/weights.bin`, headers: { range: `bytes=${big.length - 3}-` } });
    expect(tail.rawPayload.equals(big.subarray(big.length - 3))).toBe(true);
    const outside = await app.inject({ method: 'GET', url: `${base}/content?path=model/weights.bin`, headers: { range: `bytes=${big.length}-` } });
    expect(outside.statusCode).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${big.length}`);

    expect(await objectKeys(`team/cairn/.cairn-tmp/sha256/${experimentId}/`, true)).toEqual([`team/cairn/.cairn-tmp/sha256/${experimentId}/${runId}/artifacts/model/weights.bin`]);
    expect((await call(app, 'DELETE', `${base}/content?path=model`)).status).toBe(200);
    expect(await objectKeys('team/cairn/', true)).toEqual([]);
  });

  it('refuses an upload above the limit with 413 and leaves no object', async () => {
    const { runId } = await seedRun(app);
    const tooBig = await call(app, 'PUT', `/api/v1/runs/${runId}/artifacts/content?path=huge.bin`, randomBytes(MAX_UPLOAD + 1), { 'content-type': 'application/octet-stream', 'content-length': '' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error_code).toBe('RESOURCE_EXHAUSTED');
    expect((await objectKeys('team/cairn/')).filter((k) => k.endsWith('huge.bin'))).toEqual([]);
  });

  it('aborts the multipart upload when the client disconnects half-way: no object, old version kept', async () => {
    const { experimentId, runId } = await seedRun(app);
    const path = `/api/v1/runs/${runId}/artifacts/content?path=model.bin`;
    await call(app, 'PUT', path, Buffer.from('version 1'), { 'content-type': 'application/octet-stream' });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const aborts = () => proxy.seen.filter((r) => r.startsWith('DELETE') && r.includes('uploadId=')).length;
    const before = aborts();
    // Declares 16 MiB, sends 12 (two parts' worth, so parts are uploaded), then drops the connection.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${16 * MiB}\r\n\r\n`);
    for (let i = 0; i < 12; i++) await new Promise((r) => socket.write(randomBytes(MiB), r));
    while (!proxy.seen.some((r) => r.includes('partNumber=') && r.includes('model.bin'))) await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    while (aborts() === before) await new Promise((r) => setTimeout(r, 50));
    const key = `team/cairn/${experimentId}/${runId}/artifacts/model.bin`;
    expect(await objectKeys(`team/cairn/${experimentId}/${runId}/`)).toEqual([key]);
    const got = await app.inject({ method: 'GET', url: path });
    expect(got.body).toBe('version 1');
  });

  it('serves the MLflow artifact proxy from the bucket, and refuses paths that leave a run', async () => {
    const run = await call(app, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: Date.now() });
    const root = String(run.body.run.info.artifact_uri).replace('mlflow-artifacts:/', '');
    const bytes = Buffer.from('{"weights": [1, 2, 3]}');
    expect((await app.inject({ method: 'PUT', url: `${PROXY}/${root}/model/model.json`, payload: bytes, headers: { 'content-type': 'application/json' } })).statusCode).toBe(200);
    expect(await objectKeys(`team/cairn/${root}/`)).toEqual([`team/cairn/${root}/model/model.json`]);
    const listed = await app.inject({ method: 'GET', url: `${PROXY}?path=${encodeURIComponent(`${root}/model`)}` });
    expect(listed.json()).toEqual({ files: [{ path: 'model.json', is_dir: false, file_size: bytes.length }] });
    const got = await app.inject({ method: 'GET', url: `${PROXY}/${root}/model/model.json`, headers: { range: 'bytes=1-9' } });
    expect([got.statusCode, got.body]).toEqual([206, '"weights"']);
    for (const hostile of [`${root}/../../../x`, `${root}/..%2f..%2fx`, '..%252f..%252fx']) {
      const res = await app.inject({ method: 'PUT', url: `${PROXY}/${hostile}`, payload: 'planted' });
      // A raw '../' is resolved by URL parsing before routing (404); encoded forms reach the validator (400).
      expect([hostile, [400, 404].includes(res.statusCode)]).toEqual([hostile, true]);
    }
    expect((await objectKeys('team/')).every((k) => k.startsWith('team/cairn/'))).toBe(true);
    expect((await app.inject({ method: 'DELETE', url: `${PROXY}/${root}/model/model.json` })).statusCode).toBe(200);
    expect(await objectKeys(`team/cairn/${root}/`)).toEqual([]);
  });

  it('copies a run’s files into the registry on register, and serves them from the bucket', async () => {
    const { runId } = await seedRun(app);
    await call(app, 'PUT', `/api/v1/runs/${runId}/artifacts/content?path=model/model.onnx`, Buffer.from('onnx bytes'), { 'content-type': 'application/octet-stream' });
    expect((await call(app, 'POST', '/api/v1/models', { name: 's3-model' })).status).toBe(201);
    const v = await call(app, 'POST', '/api/v1/models/s3-model/versions', { source: `runs:/${runId}/model` });
    expect(v.status).toBe(201);
    const registryKeys = (await objectKeys('team/cairn/registry/')).map((k) => k.split('/').slice(-1)[0]);
    expect(registryKeys).toEqual(['model.onnx']);
    const file = await app.inject({ method: 'GET', url: '/api/v1/models/s3-model/versions/1/artifacts/content?path=model.onnx' });
    expect([file.statusCode, file.body]).toEqual([200, 'onnx bytes']);
    const uri = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/model-versions/get-download-uri?name=s3-model&version=1' });
    const key = String(uri.json<{ artifact_uri: string }>().artifact_uri).replace('mlflow-artifacts:/', '');
    expect((await app.inject({ method: 'GET', url: `${PROXY}/${key}/model.onnx` })).body).toBe('onnx bytes');
  });
});
