import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cairn } from './cairn.js';

// The same SDK calls in-process and over HTTP (a real server on a loopback port) give the same results.
describe('cairn.models', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let serverUrl = '';
  let runId = '';

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    app = buildApp(t.platform, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const exp = await t.platform.experiments.create({ name: 'sdk-models' });
    runId = (await t.platform.runs.create({ experimentId: exp.experimentId })).info.runId;
    await t.platform.runs.logArtifact(runId, 'model/model.onnx', 'weights');
    await t.platform.runs.logBatch(runId, { metrics: [{ key: 'auc', value: 0.9, timestamp: 1, step: 0 }] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  for (const mode of ['in-process', 'http'] as const) {
    it(`registers, promotes, gets and downloads (${mode})`, async () => {
      const cairn = await Cairn.connect(mode === 'http' ? { uri: serverUrl } : { uri: t.storeUri, env: { CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') } });
      try {
        const name = `sdk-${mode}`;
        const v1 = await cairn.models.register({ name, source: `runs:/${runId}/model` });
        expect(v1).toMatchObject({ name, version: 1, status: 'READY', format: 'onnx' });
        const folder = join(t.dir, `upload-${mode}`);
        mkdirSync(join(folder, 'sub'), { recursive: true });
        writeFileSync(join(folder, 'model.json'), '{}');
        writeFileSync(join(folder, 'sub', 'w.bin'), 'w');
        const v2 = await cairn.models.register({ name, path: folder, runId });
        expect(v2).toMatchObject({ version: 2, status: 'READY', format: 'cairn-json', fileCount: 2 });

        await cairn.models.setGate({ model: name, alias: 'champion', conditions: ['metrics.auc >= 0.95'] });
        const refused = await cairn.models.promote(name, 1, 'champion');
        expect(refused).toMatchObject({ passed: false, moved: false, conditions: [{ passed: false, values: { 'metrics.auc': 0.9 } }] });
        await cairn.models.setGate({ model: name, alias: 'champion', conditions: ['metrics.auc >= 0.85'] });
        expect((await cairn.models.promote(name, 2, 'champion')).moved).toBe(true);
        expect((await cairn.models.get(`${name}@champion`)).version).toBe(2);
        expect((await cairn.models.aliasAt(name, 'champion', Date.now() + 1000)).version).toBe(2);
        expect((await cairn.models.lineage(`${name}@champion`)).run?.runId).toBe(runId);
        expect((await cairn.models.history(name, { action: 'promotion.*' })).map((e) => e.action)).toEqual(['promotion.passed', 'promotion.failed']);

        const dir = join(t.dir, `download-${mode}`);
        const { files } = await cairn.models.download(`models:/${name}@champion`, dir);
        expect(files.map((f) => f.path)).toEqual(['model.json', 'sub/w.bin']);
        expect(readFileSync(join(dir, 'sub', 'w.bin'), 'utf8')).toBe('w');
        await expect(cairn.models.get(`${name}@nope`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(cairn.models.register({ name, source: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      } finally {
        await cairn.close();
      }
    });
  }
});
