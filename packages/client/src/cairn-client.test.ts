import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CairnError } from '@cairn/core/errors';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from './cairn-client.js';

async function caught(p: Promise<unknown>): Promise<CairnError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(CairnError);
  return e as CairnError;
}

describe('CairnClient against a real server on loopback (auth enabled)', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let client: CairnClient;
  let url: string;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    app = buildApp(t.platform, { logger: false });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    const { secret } = await t.platform.tokens.create({ name: 'test-admin', role: 'admin' });
    client = new CairnClient({ baseUrl: `${url}/`, token: secret });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('covers the experiment routes', async () => {
    expect((await client.health()).status).toBe('ok');
    const exp = await client.createExperiment({ name: 'a/b c?', tags: { team: 'risk' } });
    expect(await client.getExperimentByName('a/b c?')).toEqual(exp);
    expect((await client.renameExperiment(exp.experimentId, 'renamed')).name).toBe('renamed');
    await client.setExperimentTag(exp.experimentId, 'owner', 'ana');
    await client.deleteExperimentTag(exp.experimentId, 'team');
    expect((await client.getExperiment(exp.experimentId)).tags).toEqual({ owner: 'ana' });
    await client.deleteExperiment(exp.experimentId);
    expect((await client.searchExperiments({ viewType: 'DELETED_ONLY' })).items.map((e) => e.name)).toEqual(['renamed']);
    expect((await client.restoreExperiment(exp.experimentId)).lifecycleStage).toBe('active');
  });

  it('encodes and decodes non-finite metric values both ways', async () => {
    const exp = await client.createExperiment({ name: 'values' });
    const run = await client.createRun({ experimentId: exp.experimentId, params: { p: '1' } });
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.25];
    await client.logBatch(run.info.runId, { metrics: values.map((value, step) => ({ key: 'v', value, step, timestamp: 5 })) });
    const history = await client.getMetricHistory(run.info.runId, 'v', { maxResults: 2 });
    expect(history.items.map((m) => m.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
    const rest = await client.getMetricHistory(run.info.runId, 'v', { pageToken: history.nextPageToken! });
    expect(rest.items.map((m) => m.value)).toEqual([Number.NEGATIVE_INFINITY, 0.25]);
    await client.logBatch(run.info.runId, { metrics: [{ key: 'inf', value: Number.NEGATIVE_INFINITY, step: 0, timestamp: 1 }] });
    const got = await client.getRun(run.info.runId);
    expect(got.data.metrics.find((m) => m.key === 'inf')?.value).toBe(Number.NEGATIVE_INFINITY);
    const found = await client.searchRuns({ experimentIds: [exp.experimentId], filter: 'metrics.v = 0.25' });
    expect(found.items.map((r) => r.info.runId)).toEqual([run.info.runId]);
    expect((await client.updateRun(run.info.runId, { status: 'FINISHED' })).status).toBe('FINISHED');
  });

  it('streams artifacts up (bytes, Node stream, file) and down', async () => {
    const exp = await client.createExperiment({ name: 'artifacts' });
    const { info } = await client.createRun({ experimentId: exp.experimentId });
    const file = join(t.dir, 'big.bin');
    const big = Buffer.alloc(2_000_000, 3);
    writeFileSync(file, big);
    expect((await client.uploadArtifact(info.runId, 'a.txt', Buffer.from('hello'))).size).toBe(5);
    expect((await client.uploadArtifact(info.runId, 'dir/s.txt', Readable.from([Buffer.from('str'), Buffer.from('eam')]))).size).toBe(6);
    const put = await client.uploadArtifact(info.runId, 'dir/big.bin', { file });
    expect(put).toMatchObject({ path: 'dir/big.bin', size: big.length });
    expect((await client.listArtifacts(info.runId, 'dir')).map((f) => f.path)).toEqual(['dir/big.bin', 'dir/s.txt']);
    expect((await buffer(await client.downloadArtifact(info.runId, 'dir/big.bin'))).equals(big)).toBe(true);
    await client.deleteArtifact(info.runId, 'a.txt');
    expect((await caught(client.downloadArtifact(info.runId, 'a.txt'))).code).toBe('NOT_FOUND');
    expect((await caught(client.uploadArtifact(info.runId, '../escape', Buffer.from('x')))).code).toBe('INVALID_ARGUMENT');
  });

  it('manages tokens and turns error bodies into CairnErrors with the server code', async () => {
    const { token, secret } = await client.createToken({ name: 'reader', role: 'reader' });
    expect((await client.listTokens()).map((x) => x.name)).toContain('reader');
    const reader = new CairnClient({ baseUrl: url, token: secret });
    const denied = await caught(reader.createExperiment({ name: 'nope' }));
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect(denied.details?.httpStatus).toBe(403);
    await client.revokeToken(token.tokenId);
    expect((await caught(reader.searchExperiments())).code).toBe('UNAUTHENTICATED');
    expect((await caught(new CairnClient({ baseUrl: url }).searchExperiments())).code).toBe('UNAUTHENTICATED');
    const missing = await caught(client.getRun('0123456789abcdef0123456789abcdef'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('does not exist');
  });
});

describe('CairnClient transport failures', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A stand-in for a proxy in front of Cairn: it answers without Cairn's error body.
    server = createServer((req, res) => {
      if (req.url?.startsWith('/api/v1/experiments/1')) res.writeHead(502).end('<html>Bad Gateway</html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('not json');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('maps a bare status to the nearest code and keeps an excerpt', async () => {
    const e = await caught(new CairnClient({ baseUrl: url }).getExperiment('1'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('HTTP 502');
    expect(e.message).toContain('Bad Gateway');
  });

  it('refuses a success body that is not JSON', async () => {
    expect((await caught(new CairnClient({ baseUrl: url }).getExperiment('2'))).code).toBe('INTERNAL');
  });

  it('reports an unreachable server as UNAVAILABLE and bad URLs as INVALID_ARGUMENT', async () => {
    const e = await caught(new CairnClient({ baseUrl: 'http://127.0.0.1:9' }).health());
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toMatch(/Cannot reach the Cairn server at http:\/\/127\.0\.0\.1:9 \(.+\)/);
    expect(() => new CairnClient({ baseUrl: 'ftp://x' })).toThrow(CairnError);
    expect(() => new CairnClient({ baseUrl: 'localhost:5050' })).toThrow(/not an http\(s\) URL|not a URL/);
  });
});
