import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, writeFeatureProject } from '../../core/src/features/testing/feature-project.js';
import { basic } from '../../core/src/pipelines/fixtures/basic-pipelines.js';
import { FeaturesClient } from './features-client.js';
import { PipelinesClient } from './pipelines-client.js';

// Route, query and body shapes and role policies, against a real server on loopback with auth on.
describe('PipelinesClient and FeaturesClient against a real server (auth enabled)', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url = '';
  let runId = '';
  const tokens: Record<'reader' | 'editor', string> = { reader: '', editor: '' };

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    await writeFeatureProject(t.dir);
    await t.platform.features.apply();
    runId = (await t.platform.pipelines.run(basic, { overrides: { n: '2' } })).run.runId;
    await t.platform.pipelines.schedules.add({ name: 'hourly.v2', pipelineName: 'basic', source: { file: 'p.ts', exportName: null }, cron: '0 * * * *' });
    for (const role of ['reader', 'editor'] as const) tokens[role] = (await t.platform.tokens.create({ name: role, role })).secret;
    app = buildApp(t.platform, { logger: false });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('reads pipelines with a reader token; changes need an editor', async () => {
    const reader = new PipelinesClient({ baseUrl: url, token: tokens.reader });
    const editor = new PipelinesClient({ baseUrl: url, token: tokens.editor });
    expect((await reader.listPipelines()).map((p) => p.name)).toEqual(['basic']);
    expect((await reader.listRuns({ pipelineName: 'basic', status: 'COMPLETED', maxResults: 5 })).map((r) => r.runId)).toEqual([runId]);
    expect(await reader.listRuns({ status: 'FAILED' })).toEqual([]);
    expect((await reader.getRun(runId)).steps).toHaveLength(3);
    const lines = await reader.logs(runId, { step: 'load', maxLines: 1 });
    expect(lines.map((l) => l.text)).toEqual(['loading 2 rows']);
    expect(await reader.logs(runId, { step: 'load', sinceTime: lines[0]!.time + 60_000 })).toEqual([]);
    expect((await reader.explain(runId, 'summarize')).status).toBe('miss');
    expect((await reader.lineage(runId))[1]!.inputs.map((i) => i.name)).toEqual(['rows']);
    expect((await reader.getSchedule('hourly.v2')).ticks).toEqual([]);

    await expect(reader.cancel(runId)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(reader.pauseSchedule('hourly.v2')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(new PipelinesClient({ baseUrl: url }).listRuns()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(editor.cancel(runId)).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', details: { httpStatus: 400 } });
    await expect(editor.listRuns({ maxResults: 5000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await editor.pauseSchedule('hourly.v2')).enabled).toBe(false);
    expect((await editor.listSchedules()).map((s) => [s.name, s.enabled])).toEqual([['hourly.v2', false]]);
    await editor.removeSchedule('hourly.v2');
    await expect(editor.removeSchedule('hourly.v2')).rejects.toMatchObject({ code: 'NOT_FOUND', details: { httpStatus: 404 } });
  });

  it('serves online features to a reader; pushing needs an editor', async () => {
    const reader = new FeaturesClient({ baseUrl: url, token: tokens.reader });
    const editor = new FeaturesClient({ baseUrl: url, token: tokens.editor });
    const row = { driver_id: 3, event_timestamp: T0, clicks: 7 };
    await expect(reader.push('clicks', [row])).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await editor.push('clicks', [row], { to: 'online' })).toEqual({ rows: 1, views: ['driver_clicks'] });
    expect(await reader.getOnlineFeatures({ entities: [{ driver_id: 3 }, { driver_id: 4 }], features: ['driver_clicks:clicks'], fullFeatureNames: true })).toEqual({
      featureNames: ['driver_clicks__clicks'],
      results: [{ values: [7, null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [T0, null] }],
    });
    expect((await reader.listObjects('entity')).map((o) => o.name)).toEqual(['driver']);
    expect((await reader.listObjects()).length).toBeGreaterThan(4);
    expect((await reader.getObjects('driver_stats'))[0]).toMatchObject({ kind: 'featureView', version: 1 });
    await expect(reader.getObjects('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(reader.getOnlineFeatures({ entities: [], features: ['driver_clicks:clicks'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
