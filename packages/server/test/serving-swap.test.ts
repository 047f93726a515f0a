import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ModelServer } from '@cairn/core';
import { describeEachPlatform } from '@cairn/core/testing/describe';
import { registerFiles, registerJsonModel } from '@cairn/core/testing/serving';
import { buildServingApp } from '../src/serving/serving-app.js';

const RUNTIME = { allowUnsafe: false, python: 'python3', pythonTimeoutMs: 5000, onnxThreads: 1 };

// Real HTTP load on loopback with keep-alive while the alias moves: every answer must be a 200 from
// one of the two versions, and after each move the new version must answer.
describeEachPlatform('model server follows its alias', (t, backend) => {
  let server: ModelServer;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    const p = t().platform;
    await registerJsonModel(p, 'swapper', [0, 1, 0, 0]);
    await registerJsonModel(p, 'swapper', [2, 1, 0, 0]);
    await p.registry.aliases.set('swapper', 'champion', 1);
    server = await ModelServer.open(p, { uri: 'models:/swapper@champion', runtime: RUNTIME, aliasPollMs: backend === 'postgres' ? 60_000 : 100, logger: null });
    app = buildServingApp(p, server, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/invocations`;
  });
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const body = JSON.stringify({ dataframe_records: [{ x: 0 }] });
  const post = () => new Promise<{ status: number; version: string }>((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, version: String(res.headers['x-cairn-model-version']) }));
    });
    req.on('error', () => resolve({ status: -1, version: '' }));
    req.end(body);
  });
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it(`swaps to the new version and back with zero failed requests under load (${backend === 'postgres' ? 'LISTEN/NOTIFY' : 'polling'})`, async () => {
    const results: Array<{ status: number; version: string }> = [];
    let running = true;
    const loaders = Array.from({ length: 8 }, async () => {
      while (running) results.push(await post());
    });
    const seen = () => new Set(results.slice(-20).map((r) => r.version));
    await until(() => results.length > 50);
    await t().platform.registry.aliases.set('swapper', 'champion', 2);
    await until(() => server.info.version === 2 && seen().has('2') && !seen().has('1'));
    expect(server.info.version).toBe(2);
    // Rolling back is the same move.
    await t().platform.registry.aliases.set('swapper', 'champion', 1);
    await until(() => server.info.version === 1 && seen().has('1') && !seen().has('2'));
    running = false;
    await Promise.all(loaders);
    const failed = results.filter((r) => r.status !== 200);
    expect(failed.length, JSON.stringify(failed.slice(0, 5))).toBe(0);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set(['1', '2']));
    expect(server.health().swaps).toBe(2);
    expect(server.health().follower.mode).toBe(backend === 'postgres' ? 'notify' : 'poll');
  });

  it('keeps serving the previous version when the new one fails to load, and says so in /health', async () => {
    const p = t().platform;
    const broken = await registerFiles(p, 'swapper', { 'model.json': '{"format": "cairn-logistic@1", "weights": "not a list"}' }, { format: 'cairn-json' });
    await p.registry.aliases.set('swapper', 'champion', broken.version);
    await until(() => server.health().lastError !== null);
    const health = (await app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.model.version).toBe(1);
    expect(health.lastError).toMatchObject({ version: broken.version });
    expect(health.lastError.message).toMatch(/model\.json is not a cairn-json model/);
    expect((await post())).toEqual({ status: 200, version: '1' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/cairn_model_load_failing\{[^}]*\} 1/);
    // Fixed by moving the alias to a good version.
    await p.registry.aliases.set('swapper', 'champion', 2);
    await until(() => server.info.version === 2);
    expect(server.health()).toMatchObject({ status: 'ok', lastError: null });
  });
});
