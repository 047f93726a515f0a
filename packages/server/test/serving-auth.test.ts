import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ModelServer } from '@cairn/core';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { jsonModel, registerJsonModel } from '@cairn/core/testing/serving';
import { buildServingApp } from '../src/serving/serving-app.js';
import { call } from './helpers.js';

const RUNTIME = { allowUnsafe: false, python: 'python3', pythonTimeoutMs: 5000, onnxThreads: 1 };

describe('model server with auth on, JSON logs with the request id, and runs:/ models', () => {
  let t: TestPlatform;
  let server: ModelServer;
  let app: FastifyInstance;
  const lines: string[] = [];
  let reader = '';
  let editor = '';

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { auth: 'enabled', serving: { request_log: true } });
    await registerJsonModel(t.platform, 'guarded');
    reader = (await t.platform.tokens.create({ name: 'r', role: 'reader' })).secret;
    editor = (await t.platform.tokens.create({ name: 'e', role: 'editor' })).secret;
    server = await ModelServer.open(t.platform, { uri: 'guarded/1', runtime: RUNTIME, aliasPollMs: 60_000, logger: null });
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    app = buildServingApp(t.platform, server, { logger: { level: 'info', stream } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await server?.close();
    await t?.cleanup();
  });

  const body = JSON.stringify({ dataframe_records: [{ x: 1 }] });
  const json = { 'content-type': 'application/json' };

  it('needs a reader token to score and an editor token for feedback; probes stay public', async () => {
    expect((await call(app, 'POST', '/invocations', body, json)).status).toBe(401);
    expect((await call(app, 'POST', '/invocations', body, { ...json, authorization: `Bearer ${reader}` })).status).toBe(200);
    expect((await call(app, 'POST', '/feedback', { request_id: 'a', label: 1 }, { authorization: `Bearer ${reader}` })).status).toBe(403);
    expect((await call(app, 'POST', '/feedback', { request_id: 'a', label: 1 }, { authorization: `Bearer ${editor}` })).status).toBe(200);
    expect((await call(app, 'GET', '/metrics')).status).toBe(401);
    for (const path of ['/ping', '/health', '/version']) expect((await call(app, 'GET', path)).status, path).toBe(200);
  });

  it('logs JSON lines that carry the request id', async () => {
    await call(app, 'POST', '/invocations', body, { ...json, authorization: `Bearer ${reader}`, 'x-request-id': 'trace-42' });
    const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === 'trace-42');
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.some((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 200)).toBe(true);
  });

  it('serves a model logged to a run (runs:/), detecting its format from the files', async () => {
    const exp = await t.platform.experiments.create({ name: 'unregistered' });
    const run = await t.platform.runs.create({ experimentId: exp.experimentId });
    await t.platform.runs.logArtifact(run.info.runId, 'model/model.json', Buffer.from(jsonModel()));
    const fromRun = await ModelServer.open(t.platform, { uri: `runs:/${run.info.runId}/model`, runtime: RUNTIME, aliasPollMs: 60_000, logger: null });
    try {
      expect(fromRun.info).toMatchObject({ name: `run-${run.info.runId}`, version: 0, format: 'cairn-json' });
      const r = await fromRun.predict({ columns: ['x', 'region'], rows: [[0, 'north']] });
      expect(r.predictions[0]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 12);
      // Its feedback is taken too, though the registry has no model of that name.
      const app = buildServingApp(t.platform, fromRun, { logger: false });
      try {
        const fb = await app.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': 'application/json', authorization: `Bearer ${editor}` }, payload: { request_id: r.requestId, label: 1 } });
        expect(fb.statusCode, fb.body).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      await fromRun.close();
    }
  });
});
