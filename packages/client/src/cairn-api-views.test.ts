import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLineage, type LineageFixture } from '../../core/src/lineage/testing/lineage-fixture.js';
import { CairnApi } from './cairn-api.js';
import { isCairnError } from './browser.js';

// The browser-safe API the web UI's model, feature, pipeline and lineage pages read through,
// against a real server on loopback with auth on.
describe('CairnApi: models, features, pipelines and lineage (auth enabled)', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let f: LineageFixture;
  let reader: CairnApi;
  let editor: CairnApi;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    f = await seedLineage(t.platform, t.dir);
    app = buildApp(t.platform, { logger: false });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    reader = new CairnApi({ baseUrl, token: (await t.platform.tokens.create({ name: 'r', role: 'reader' })).secret });
    editor = new CairnApi({ baseUrl, token: (await t.platform.tokens.create({ name: 'e', role: 'editor' })).secret });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('reads the registry, previews version files, and promotes only as an editor', async () => {
    expect((await reader.models.searchModels({ filter: "alias = 'champion'" })).items.map((m) => m.name)).toEqual(['ranker']);
    expect((await reader.models.previewVersionFile('ranker', 1, 'model.json')).text).toBe('{"weights":[1,2]}\n');
    expect((await reader.models.aliasHistory('ranker', 'champion')).events.map((e) => e.action)).toEqual(['alias.moved']);
    const refused = await reader.models.promote('ranker', 1, 'staging').catch((e: unknown) => e);
    expect(isCairnError(refused, 'PERMISSION_DENIED')).toBe(true);
    expect(await editor.models.promote('ranker', 1, 'staging')).toMatchObject({ passed: true, moved: true, gated: false });
  });

  it('reads features, pipelines and the lineage graph', async () => {
    expect((await reader.features.freshness()).map((v) => v.view)).toEqual(['driver_clicks', 'driver_stats']);
    expect((await reader.features.view('driver_stats')).usedBy).toContainEqual({ kind: 'featureService', name: 'ranking' });
    expect((await reader.features.service('ranking')).models).toEqual([{ name: 'ranker', version: '1' }]);
    expect((await reader.features.objectVersions('source', 'trips')).map((v) => v.change)).toEqual(['added']);
    expect((await reader.features.trainingSet(f.datasetId)).featureService).toBe('ranking');
    expect(await reader.features.materializations()).toEqual([]);
    const page = await reader.pipelines.followStepLogs(f.pipelineRunId, 'load', { waitMs: 1000 });
    expect(page).toMatchObject({ done: true, stepStatus: 'COMPLETED' });
    expect(page.lines.map((l) => l.text)).toEqual(['loading 2 rows', 'loaded via ctx.log']);
    expect((await reader.pipelines.getRun(f.pipelineRunId)).steps).toHaveLength(3);
    const graph = await reader.lineage('alias', 'ranker@champion', { direction: 'upstream', depth: 8 });
    expect(graph.nodes.some((n) => n.id === 'data:file:data/trips.parquet')).toBe(true);
    const resume = await reader.pipelines.resume(f.pipelineRunId).catch((e: unknown) => e);
    expect(isCairnError(resume, 'PERMISSION_DENIED')).toBe(true);
  });
});
