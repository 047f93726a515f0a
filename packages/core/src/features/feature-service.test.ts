import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { backendAvailable, makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../testing/redis.js';
import type { FeatureViewSpec } from './entities.js';
import { onlineRows } from './online-serving.js';
import { definitionsSource, H, T0, tripRows, writeFeatureProject } from './testing/feature-project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const SETUPS = [
  { name: 'SQLite metadata, SQLite online', metadata: 'sqlite' as const, redis: false },
  { name: 'PostgreSQL metadata, Redis online', metadata: 'postgres' as const, redis: true },
];

for (const setup of SETUPS) {
  const up = (await backendAvailable(setup.metadata)) && (!setup.redis || (await redisAvailable()));
  describe.skipIf(!up)(`feature store end to end (${setup.name})`, () => {
    const open = async (): Promise<TestPlatform> => {
      let extra = {};
      if (setup.redis) {
        const admin = new Redis(REDIS_TEST_URI);
        const { prefix, clean } = freshRedisPrefix(admin);
        cleanups.push(async () => { await clean(); admin.disconnect(); });
        extra = { features: { online_store: { uri: REDIS_TEST_URI, key_prefix: prefix } } };
      }
      const tp = await makeTestPlatform(setup.metadata, extra);
      cleanups.push(() => tp.cleanup());
      await writeFeatureProject(tp.dir);
      return tp;
    };

    it('plans, applies in one version, keeps every version and refuses breaking changes unless forced', async () => {
      const { platform, dir } = await open();
      const fs = platform.features;
      const plan = await fs.plan();
      expect(plan.changes.map((c) => `${c.change} ${c.kind} ${c.name}`).sort()).toContain('added featureView driver_stats');
      const applied = await fs.apply();
      expect(applied).toMatchObject({ applied: true, version: 1 });
      expect((await fs.apply()).applied).toBe(false);

      writeFileSync(join(dir, 'features', 'drivers.ts'), definitionsSource({ convType: 'string', ttl: '1h' }));
      const breaking = await fs.plan();
      expect(breaking.changes.find((c) => c.name === 'driver_stats')?.details).toEqual(expect.arrayContaining(['feature conv_rate: float64 -> string', 'ttlMs: 7200000 -> 3600000']));
      expect(breaking.breaking).toEqual([expect.objectContaining({ service: 'ranking', feature: 'driver_stats:conv_rate', reason: 'retyped float64 -> string' })]);
      const refused = await fs.apply().catch((e: unknown) => e);
      expect(isCairnError(refused, 'FAILED_PRECONDITION')).toBe(true);
      expect(String((refused as Error).message)).toContain('driver_stats:conv_rate');
      expect((await fs.apply({ force: true })).version).toBe(2);
      const v1 = await fs.registry.getObjectVersion('featureView', 'driver_stats', 1);
      expect((v1!.spec as FeatureViewSpec).features[0]).toEqual({ name: 'conv_rate', type: 'float64' });
      expect((await fs.registry.getView('driver_stats')).version).toBe(2);
      expect((await fs.registry.versions()).map((v) => [v.version, v.forced])).toEqual([[2, true], [1, false]]);

      writeFileSync(join(dir, 'features', 'drivers.ts'), definitionsSource({ convType: 'string', ttl: '1h', dropService: true }));
      expect((await fs.plan()).breaking.map((b) => b.reason)).toContain("feature service 'ranking' is removed");
    });

    it('drops the online rows of views that apply removes, re-keys or retypes, and their watermarks', async () => {
      const { platform, dir } = await open();
      const fs = platform.features;
      await fs.apply();
      await fs.materializeIncremental(T0 + 5 * H, { views: ['driver_stats'] });
      await fs.push('clicks', [{ driver_id: 1, event_timestamp: T0, clicks: 10 }]);
      const read = async (feature: string) => (await fs.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: [feature], at: T0 + 5 * H })).results[0]!.statuses[0];
      const defs = join(dir, 'features', 'drivers.ts');
      // A TTL change keeps the stored rows: they still fit the definition.
      writeFileSync(defs, definitionsSource({ ttl: '3h' }));
      expect((await fs.apply()).applied).toBe(true);
      expect([await read('driver_stats:trips'), await read('driver_clicks:clicks')]).toEqual(['PRESENT', 'PRESENT']);
      // Retype driver_stats and remove driver_clicks; then bring back the original definitions.
      writeFileSync(defs, definitionsSource({ convType: 'string', ttl: '3h' }).replace(/^export const driverClicks.*$/m, ''));
      expect((await fs.apply({ force: true })).changes.map((c) => `${c.change} ${c.name}`)).toEqual(expect.arrayContaining(['changed driver_stats', 'removed driver_clicks']));
      expect(await read('driver_stats:trips')).toBe('NOT_FOUND');
      writeFileSync(defs, definitionsSource());
      await fs.apply({ force: true });
      expect([await read('driver_stats:trips'), await read('driver_clicks:clicks')]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      // A view added back after its removal continues its numbering (v1, removed as v2, back as v3).
      expect((await fs.registry.getView('driver_clicks')).version).toBe(3);
      // The watermark went with the rows: the next incremental run starts again at end - ttl.
      const [again] = await fs.materializeIncremental(T0 + 5 * H, { views: ['driver_stats'] });
      expect(again).toMatchObject({ start: T0 + 3 * H, rows: 5 });
      expect(await read('driver_stats:trips')).toBe('PRESENT');
    });

    it('names the runs and registered models a breaking change would affect', async () => {
      const { platform, dir } = await open();
      const fs = platform.features;
      await fs.apply();
      const exp = await platform.experiments.create({ name: 'consumers' });
      const run = await platform.runs.create({ experimentId: exp.experimentId });
      const set = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0, bonus: 0 }], featureService: 'ranking', runId: run.info.runId });
      await set.job.close();
      await platform.runs.logArtifact(run.info.runId, 'model/weights.txt', Buffer.from('w'));
      await platform.registry.createModel({ name: 'ranker' });
      await platform.registry.versions.create({ name: 'ranker', source: `runs:/${run.info.runId}/model` });
      writeFileSync(join(dir, 'features', 'drivers.ts'), definitionsSource({ convType: 'float32' }));
      const plan = await fs.plan();
      expect(plan.breaking[0]).toMatchObject({ service: 'ranking', runs: [run.info.runId], models: [{ name: 'ranker', version: '1' }] });
      const refused = await fs.apply().catch((e: Error) => e.message);
      expect(refused).toContain('ranker v1');
    });

    it('builds a point-in-time training set with on-demand features and records it for a run', async () => {
      const { platform } = await open();
      const fs = platform.features;
      await fs.apply();
      const exp = await platform.experiments.create({ name: 'fs' });
      const run = await platform.runs.create({ experimentId: exp.experimentId });
      const entities = [
        { driver_id: 1, event_timestamp: T0 + 2 * H + 1, bonus: 1 },
        { driver_id: 2, event_timestamp: T0 + 30 * 60_000, bonus: 0.5 },
        { driver_id: 9, event_timestamp: T0 + H, bonus: 0 },
        { driver_id: 1, event_timestamp: T0 + 20 * H, bonus: 0 },
      ];
      const set = await fs.getHistoricalFeatures({ entities, featureService: 'ranking', runId: run.info.runId });
      const rows = await set.job.toRows();
      await set.job.close();
      expect(rows.map((r) => [r.driver_id, r.conv_rate, r.trips, r.conv_plus_bonus])).toEqual([
        [1, 0.0102, 1002, 1.0102], [2, 0.02, 2000, 0.52], [9, null, null, null], [1, null, null, null],
      ]);
      expect(Object.keys(rows[0]!)).toEqual(['driver_id', 'event_timestamp', 'bonus', 'conv_rate', 'trips', 'conv_plus_bonus']);
      expect(set.dataset.definitions).toEqual(expect.arrayContaining([{ kind: 'featureView', name: 'driver_stats', version: 1 }, { kind: 'featureService', name: 'ranking', version: 1 }]));
      const stored = await fs.getTrainingDataset(set.dataset.datasetId);
      expect(stored).toMatchObject({ rowCount: 4, featureService: 'ranking', runId: run.info.runId });
      const logged = await platform.runs.get(run.info.runId);
      expect(logged.inputs[0]!.dataset).toMatchObject({ sourceType: 'cairn-training-set', digest: set.dataset.resultDigest });
      // The same request gives the same digests.
      const again = await fs.getHistoricalFeatures({ entities, featureService: 'ranking' });
      await again.job.close();
      expect([again.dataset.entityDigest, again.dataset.resultDigest]).toEqual([set.dataset.entityDigest, set.dataset.resultDigest]);
      // Digests name the DuckDB version whose hash() made them; the registry version is the one the definitions were read at.
      expect(set.dataset.resultDigest).toMatch(/^duckdb-hash128@v\d+\.\d+\.\d+[^:]*:[0-9a-f]{32}:4$/);
      expect(set.dataset.registryVersion).toBe(1);
    });

    it('names unknown views, unknown features and missing join keys', async () => {
      const { platform } = await open();
      await platform.features.apply();
      const err = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e.message);
      expect(await err(platform.features.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['nope:conv_rate'] }))).toContain("'nope'");
      expect(await err(platform.features.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['driver_stats:nope'] }))).toContain("'driver_stats:nope'");
      expect(await err(platform.features.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 }], features: ['driver_stats:nope'] }))).toContain("'driver_stats:nope'");
      expect(await err(platform.features.getOnlineFeatures({ entities: [{ id: 1 }], features: ['driver_stats:trips'] }))).toContain("'driver_id'");
    });

    it('serves online exactly the point-in-time values offline at the same time (no skew), TTL included', async () => {
      const { platform } = await open();
      const fs = platform.features;
      await fs.apply();
      const t = T0 + 5 * H + 30 * 60_000;
      const runs = await fs.materialize(T0 - 10 * H, t);
      expect(runs.map((r) => [r.view, r.status, r.rows])).toEqual([['driver_clicks', 'SUCCEEDED', 0], ['driver_stats', 'SUCCEEDED', 5]]);
      const entities = [1, 2, 3, 4, 5, 42].map((d) => ({ driver_id: d, bonus: 0.25 }));
      const features = ['driver_stats:conv_rate', 'driver_stats:trips', 'adjusted:conv_plus_bonus'];
      const online = await fs.getOnlineFeatures({ entities, features, at: t });
      const set = await fs.getHistoricalFeatures({ entities: entities.map((e) => ({ ...e, event_timestamp: t })), features });
      const offline = await set.job.toRows();
      await set.job.close();
      expect(onlineRows(online)).toEqual(offline.map((r) => ({ conv_rate: r.conv_rate, trips: r.trips, conv_plus_bonus: r.conv_plus_bonus })));
      // The JSON answer (HTTP) is the same answer, byte for byte.
      expect((await fs.getOnlineFeaturesJson({ entities, features, at: t })).toString()).toBe(JSON.stringify(online));
      expect(online.results[0]!.statuses).toEqual(['PRESENT', 'PRESENT', 'PRESENT', 'PRESENT', 'PRESENT', 'NOT_FOUND']);
      expect(online.results[2]!.statuses).toEqual(online.results[0]!.statuses);
      const nullKey = await fs.getOnlineFeatures({ entities: [{ driver_id: null }], features: ['driver_stats:trips'], at: t });
      expect(nullKey.results[0]!.statuses).toEqual(['NOT_FOUND']);
      // Three hours later the newest row (05:00) is older than the 2h TTL: offline null, online OUTSIDE_MAX_AGE.
      const late = t + 3 * H;
      const stale = await fs.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['driver_stats:conv_rate'], at: late });
      expect(stale.results[0]).toEqual({ values: [null], statuses: ['OUTSIDE_MAX_AGE'], eventTimestamps: [T0 + 5 * H] });
      expect((await fs.getOnlineFeaturesJson({ entities: [{ driver_id: 1 }], features: ['driver_stats:conv_rate'], at: late })).toString()).toBe(JSON.stringify(stale));
      // On-demand outputs carry their inputs' status (their value is computed, as offline).
      const staleOdfv = await fs.getOnlineFeatures({ entities: [{ driver_id: 1, bonus: 1 }, { driver_id: 42, bonus: 1 }], features: ['adjusted:conv_plus_bonus'], at: late });
      expect(staleOdfv.results[0]).toEqual({ values: [null, null], statuses: ['OUTSIDE_MAX_AGE', 'NOT_FOUND'], eventTimestamps: [null, null] });
      expect((await fs.getOnlineFeaturesJson({ entities: [{ driver_id: 1, bonus: 1 }, { driver_id: 42, bonus: 1 }], features: ['adjusted:conv_plus_bonus'], at: late })).toString()).toBe(JSON.stringify(staleOdfv));
      const lateSet = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: late }], features: ['driver_stats:conv_rate'] });
      expect((await lateSet.job.toRows())[0]!.conv_rate).toBeNull();
      await lateSet.job.close();
      // Before the newest materialized row (05:00) the online store cannot know what offline picks
      // (an older row it no longer holds): it answers NOT_FOUND with nulls, never a newer value.
      const early = T0 + 2 * H + 30 * 60_000;
      const past = await fs.getOnlineFeatures({ entities, features, at: early });
      expect(past.results.map((r) => r.statuses)).toEqual(features.map(() => entities.map(() => 'NOT_FOUND')));
      expect(onlineRows(past)).toEqual(entities.map(() => ({ conv_rate: null, trips: null, conv_plus_bonus: null })));
      expect((await fs.getOnlineFeaturesJson({ entities, features, at: early })).toString()).toBe(JSON.stringify(past));
      const earlySet = await fs.getHistoricalFeatures({ entities: entities.map((e) => ({ ...e, event_timestamp: early })), features: ['driver_stats:trips'] });
      expect((await earlySet.job.toRows()).map((r) => r.trips)).toEqual([1002, 2002, 3002, 4002, 5002, null]);
      await earlySet.job.close();
    });

    it('materializes incrementally from the watermark and keeps statistics per run', async () => {
      const { platform } = await open();
      const fs = platform.features;
      await fs.apply();
      const first = await fs.materializeIncremental(T0 + 2 * H, { views: ['driver_stats'] });
      // The first run starts at end - ttl (2h), later ones at the watermark.
      expect(first[0]).toMatchObject({ start: T0, end: T0 + 2 * H, rows: 5 });
      const second = await fs.materializeIncremental(T0 + 10 * H, { views: ['driver_stats'] });
      expect(second[0]).toMatchObject({ start: T0 + 2 * H, end: T0 + 10 * H, rows: 5 });
      const online = await fs.getOnlineFeatures({ entities: [{ driver_id: 3 }], features: ['driver_stats:trips'], at: T0 + 5 * H });
      expect(online.results[0]!.values).toEqual([3005]);
      const stats = second[0]!.statistics.find((s) => s.feature === 'trips')!;
      expect(stats).toMatchObject({ count: 5, nulls: 0, min: 1005, max: 5005, mean: 3005, distinct: 5, distinctExact: true });
      expect(stats.stddev).toBeCloseTo(Math.sqrt(2.5e6), 6);
      expect(stats.quantiles!.p50).toBe(3005);
      expect(stats.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(5);
      expect((await fs.listMaterializations('driver_stats')).length).toBe(2);
    });

    it('fails a materialization whose rows break expectations, writing nothing, with the offending values', async () => {
      const { platform, dir } = await open();
      const fs = platform.features;
      const rows = tripRows(3, 2);
      rows[1]!.conv_rate = 7;
      rows[3]!.conv_rate = null;
      await writeFeatureProject(dir, rows, { expectations: true });
      await fs.apply();
      const err = await fs.materialize(T0, T0 + 5 * H, { views: ['driver_stats'] }).catch((e: Error) => e);
      expect(isCairnError(err, 'FAILED_PRECONDITION')).toBe(true);
      expect((err as Error).message).toMatch(/conv_rate <= 1: 1 violation, e\.g\. \[1\] = 7/);
      expect((err as Error).message).toMatch(/conv_rate not null: 1 violation, e\.g\. \[2\] = null/);
      const online = await fs.getOnlineFeatures({ entities: [{ driver_id: 3 }], features: ['driver_stats:trips'], at: T0 + H });
      expect(online.results[0]!.statuses).toEqual(['NOT_FOUND']);
      const [run] = await fs.listMaterializations('driver_stats');
      expect(run!.status).toBe('FAILED');
      expect((await fs.materializeIncremental(T0 + H, { views: ['driver_stats'] }).catch((e: Error) => e)) instanceof Error).toBe(true);
    });

    it('pushes rows online (newest wins) and keeps them for offline retrieval', async () => {
      const { platform } = await open();
      const fs = platform.features;
      await fs.apply();
      await fs.push('clicks', [{ driver_id: 1, event_timestamp: T0 + H, clicks: 10 }, { driver_id: 2, event_timestamp: new Date(T0).toISOString(), clicks: 20 }]);
      await fs.push('clicks', [{ driver_id: 1, event_timestamp: T0, clicks: 5 }]);
      const online = await fs.getOnlineFeatures({ entities: [{ driver_id: 1 }, { driver_id: 2 }], features: ['driver_clicks:clicks'] });
      expect(online.results[0]!.values).toEqual([10, 20]);
      const set = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + 30 * 60_000 }, { driver_id: 1, event_timestamp: T0 + 2 * H }], features: ['driver_clicks:clicks'] });
      expect((await set.job.toRows()).map((r) => r.clicks)).toEqual([5, 10]);
      await set.job.close();
      await expect(fs.push('clicks', [{ driver_id: 'x', event_timestamp: T0, clicks: 1 }])).rejects.toThrow(/driver_id.*int64/);
      await expect(fs.push('nope', [{ a: 1 }])).rejects.toThrow(/'nope'/);
    });

    it('reports a source file that disappeared, naming the source', async () => {
      const { platform, dir } = await open();
      await platform.features.apply();
      const { rmSync } = await import('node:fs');
      rmSync(join(dir, 'data', 'trips.parquet'));
      const err = await platform.features.materialize(T0, T0 + H, { views: ['driver_stats'] }).catch((e: Error) => e);
      expect(isCairnError(err, 'FAILED_PRECONDITION')).toBe(true);
      expect((err as Error).message).toContain("'trips'");
      expect(readFileSync(join(dir, 'features', 'drivers.ts'), 'utf8')).toContain('trips');
    });
  });
}
