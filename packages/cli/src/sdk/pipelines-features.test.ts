import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, cancellable } from '../../../core/src/pipelines/fixtures/basic-pipelines.js';
import { Cairn } from './cairn.js';

// Feature definitions written the way a project would: helpers imported from @cairn/cli.
const CLI_INDEX = fileURLToPath(new URL('../index.ts', import.meta.url));
const DEFINITIONS = `import { entity, featureService, featureView, pushSource } from ${JSON.stringify(CLI_INDEX)};
export const user = entity({ name: 'user', joinKeys: { user_id: 'int64' } });
export const events = pushSource({ name: 'events', timestampField: 'event_timestamp' });
export const activity = featureView({ name: 'activity', entities: [user], source: events, schema: { clicks: 'int64', last_seen: 'timestamp' } });
export const activityService = featureService({ name: 'activity_service', features: [activity] });
`;
const T = Date.UTC(2024, 5, 1, 12);

// The same SDK calls in-process and over HTTP (a real server on a loopback port) give the same results.
describe('cairn.pipelines and cairn.features', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let serverUrl = '';
  let first = '';
  let cached = '';
  const seen: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    mkdirSync(join(t.dir, 'features'));
    writeFileSync(join(t.dir, 'features', 'activity.ts'), DEFINITIONS);
    await t.platform.features.apply();
    await t.platform.features.push('events', [{ user_id: 1, event_timestamp: T, clicks: 3, last_seen: T - 60_000 }]);
    first = (await t.platform.pipelines.run(basic, { overrides: { n: '3' } })).run.runId;
    cached = (await t.platform.pipelines.run(basic, { overrides: { n: '3' } })).run.runId;
    for (const name of ['nightly-in-process', 'nightly-http']) {
      await t.platform.pipelines.schedules.add({ name, pipelineName: 'basic', source: { file: 'pipelines/basic.ts', exportName: 'basic' }, cron: '0 3 * * *' });
    }
    app = buildApp(t.platform, { logger: false });
    serverUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const connect = (mode: 'in-process' | 'http') =>
    Cairn.connect(mode === 'http' ? { uri: serverUrl } : { uri: t.storeUri, cwd: t.dir, env: { CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') } });

  for (const mode of ['in-process', 'http'] as const) {
    it(`reads pipeline runs, steps, logs, explanations and lineage (${mode})`, async () => {
      const cairn = await connect(mode);
      try {
        expect((await cairn.pipelines.list()).find((p) => p.name === 'basic')).toMatchObject({ stepCount: 3, lastRun: { runId: cached, status: 'COMPLETED' } });
        expect((await cairn.pipelines.runs({ pipeline: 'basic' })).map((r) => r.runId)).toEqual([cached, first]);
        expect((await cairn.pipelines.runs({ pipeline: 'basic', maxResults: 1 })).map((r) => r.runId)).toEqual([cached]);
        const detail = await cairn.pipelines.get(cached);
        expect(detail.steps.map((s) => [s.stepId, s.status])).toEqual([['load', 'CACHED'], ['summarize', 'CACHED'], ['report', 'CACHED']]);
        const logs = await cairn.pipelines.logs(first, { step: 'load' });
        expect(logs.map((l) => l.text)).toEqual(['loading 3 rows', 'loaded via ctx.log']);
        const followed = [];
        for await (const line of cairn.pipelines.followLogs(first)) followed.push(line);
        expect(followed).toEqual(await cairn.pipelines.logs(first));
        const explain = await cairn.pipelines.explain(cached, 'load');
        expect(explain).toMatchObject({ status: 'hit', stepId: 'load' });
        const lineage = await cairn.pipelines.lineage(first);
        expect(lineage.map((n) => [n.step.stepId, n.outputs.map((o) => o.name)])).toEqual([['load', ['rows']], ['summarize', ['count', 'firstDay', 'mean']], ['report', ['file', 'text']]]);
        seen[mode] = { detail, logs, explain, lineage, runs: await cairn.pipelines.runs({ pipeline: 'basic' }) };
        await expect(cairn.pipelines.get('0'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(cairn.pipelines.explain(first, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(cairn.pipelines.cancel(first)).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
      } finally {
        await cairn.close();
      }
    });

    it(`cancels a running run and manages schedules (${mode})`, async () => {
      const cairn = await connect(mode);
      try {
        const handle = await t.platform.pipelines.start(cancellable);
        await cairn.pipelines.cancel(handle.runId);
        const { run, steps } = await cairn.pipelines.waitForEnd(handle.runId, { timeoutMs: 20_000, pollMs: 50 });
        expect(run.status).toBe('CANCELLED');
        expect(steps.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
        await handle.done;

        const name = `nightly-${mode}`;
        expect((await cairn.pipelines.schedules.list()).map((s) => s.name)).toContain(name);
        expect(await cairn.pipelines.schedules.get(name)).toMatchObject({ schedule: { name, cron: '0 3 * * *', enabled: true }, ticks: [] });
        expect(await cairn.pipelines.schedules.pause(name)).toMatchObject({ enabled: false, nextTickTime: null });
        expect((await cairn.pipelines.schedules.resume(name)).enabled).toBe(true);
        await cairn.pipelines.schedules.remove(name);
        await expect(cairn.pipelines.schedules.get(name)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        await cairn.close();
      }
    });

    it(`serves online features, pushes rows and lists definitions (${mode})`, async () => {
      const cairn = await connect(mode);
      try {
        const online = await cairn.features.getOnline({ entities: [{ user_id: 1 }, { user_id: 2 }], featureService: 'activity_service', at: T });
        expect(online).toEqual({
          featureNames: ['clicks', 'last_seen'],
          results: [
            { values: [3, null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [T, null] },
            { values: [new Date(T - 60_000).toISOString(), null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [T, null] },
          ],
        });
        const user = mode === 'http' ? 20 : 10;
        expect(await cairn.features.push('events', [{ user_id: user, event_timestamp: T, clicks: 7, last_seen: new Date(T).toISOString() }])).toEqual({ rows: 1, views: ['activity'] });
        expect(await cairn.features.getOnlineRows({ entities: [{ user_id: user }, { user_id: 2 }], features: ['activity:clicks', 'activity:last_seen'], at: T })).toEqual([
          { user_id: user, clicks: 7, last_seen: new Date(T).toISOString() },
          { user_id: 2, clicks: null, last_seen: null },
        ]);
        expect((await cairn.features.list('featureView')).map((o) => o.name)).toEqual(['activity']);
        expect((await cairn.features.get('activity_service'))[0]).toMatchObject({ kind: 'featureService', name: 'activity_service', version: 1 });
        await expect(cairn.features.get('nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(cairn.features.getOnline({ entities: [{ user_id: 1 }], features: ['nope:x'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(cairn.features.push('nope', [{ user_id: 1 }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        await cairn.close();
      }
    });
  }

  it('gives the same entities in-process and over HTTP', () => {
    expect(seen.http).toEqual(seen['in-process']);
  });
});
