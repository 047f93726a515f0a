import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachPlatform } from '../../testing/describe-platforms.js';
import { definitionsSource, H, T0, TRIP_COLUMNS, tripRows, writeFeatureProject } from '../testing/feature-project.js';
import { writeParquet } from '../testing/offline-fixtures.js';

describeEachPlatform('feature catalog', (t) => {
  it('answers freshness, statistics, expectation results and the history of a view', async () => {
    const { platform, dir } = t();
    const fs = platform.features;
    await writeFeatureProject(dir, tripRows(5, 6), { expectations: true });
    await fs.apply();
    // Before any materialization: online views are stale (never materialized), the offline-only way is not asked.
    const before = await fs.catalog.freshness();
    expect(before.map((f) => [f.view, f.stale, f.staleReason])).toEqual([['driver_clicks', true, 'never materialized'], ['driver_stats', true, 'never materialized']]);

    await fs.materialize(T0, T0 + 5 * H, { views: ['driver_stats'] });
    const view = await fs.catalog.view('driver_stats');
    expect(view.object.spec.kind).toBe('featureView');
    expect(view.freshness).toMatchObject({ view: 'driver_stats', watermark: T0 + 5 * H, ttlMs: 2 * H, lastRun: { status: 'SUCCEEDED', rows: 5 } });
    // The store's clock is real time, far past 2024 + 2h: stale by its TTL.
    expect(view.freshness).toMatchObject({ stale: true, staleReason: 'watermark older than the TTL' });
    expect(view.statistics.map((s) => [s.feature, s.count, s.distinct])).toEqual([['conv_rate', 5, 5], ['trips', 5, 5]]);
    expect(view.statisticsRunId).toBe(view.materializations[0]!.runId);
    expect(view.expectations.map((e) => [e.feature, e.expectation, e.status])).toEqual([
      ['conv_rate', 'not null', 'passed'], ['conv_rate', '>= 0', 'passed'], ['conv_rate', '<= 1', 'passed'],
    ]);
    expect(view.usedBy).toEqual([{ kind: 'featureService', name: 'ranking' }, { kind: 'onDemandFeatureView', name: 'adjusted' }]);

    // A change of the definition is a new version with its plan diff; a failed expectation shows as failed.
    writeFileSync(join(dir, 'features', 'drivers.ts'), definitionsSource({ ttl: '3h', expectations: true }));
    await fs.apply();
    await writeParquet(join(dir, 'data', 'trips.parquet'), TRIP_COLUMNS, [...tripRows(5, 6), { driver_id: 9, event_timestamp: T0 + 6 * H, created: T0 + 6 * H, conv_rate: 7, trips: 1 }]);
    await fs.materialize(T0, T0 + 7 * H, { views: ['driver_stats'] }).catch(() => null);
    const after = await fs.catalog.view('driver_stats');
    expect(after.versions.map((v) => [v.version, v.change, v.details])).toEqual([[1, 'added', []], [2, 'changed', ['ttlMs: 7200000 -> 10800000']]]);
    expect(after.materializations.map((m) => m.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(after.expectations.find((e) => e.expectation === '<= 1')).toMatchObject({ status: 'failed', runId: after.materializations[0]!.runId });
    expect(after.expectations.find((e) => e.expectation === '<= 1')!.note).toMatch(/1 violation/);
    // Statistics stay those of the last run that wrote rows; the watermark did not move.
    expect(after.statisticsRunId).toBe(after.materializations[1]!.runId);
    expect(after.freshness).toMatchObject({ watermark: T0 + 5 * H, lastRun: { status: 'FAILED' } });
    expect((await fs.catalog.freshness()).find((f) => f.view === 'driver_stats')!.lastRun!.status).toBe('FAILED');
  });

  it('answers a service with its views, training sets and the runs and models that used them', async () => {
    const { platform } = t();
    const fs = platform.features;
    const service = await fs.catalog.service('ranking');
    expect(service.views).toEqual([
      { kind: 'featureView', name: 'driver_stats', features: ['conv_rate', 'trips'] },
      { kind: 'onDemandFeatureView', name: 'adjusted', features: ['conv_plus_bonus'] },
    ]);
    expect(service.trainingSets).toEqual([]);
    const exp = await platform.experiments.create({ name: 'catalog' });
    const run = await platform.runs.create({ experimentId: exp.experimentId });
    const set = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + 3 * H, bonus: 0 }], featureService: 'ranking', runId: run.info.runId });
    await set.job.close();
    await platform.registry.createModel({ name: 'ranker' });
    await platform.registry.versions.create({ name: 'ranker', source: null, runId: run.info.runId });
    const used = await fs.catalog.service('ranking');
    expect(used.trainingSets.map((d) => d.datasetId)).toEqual([set.dataset.datasetId]);
    expect(used.runs).toEqual([run.info.runId]);
    expect(used.models).toEqual([{ name: 'ranker', version: '1' }]);
    expect((await fs.catalog.trainingSetsOfRun(run.info.runId)).map((d) => d.name)).toEqual([set.dataset.name]);
    expect(await fs.catalog.trainingSet(set.dataset.datasetId)).toMatchObject({ featureService: 'ranking', runId: run.info.runId });
    await expect(fs.catalog.trainingSet('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fs.catalog.view('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await fs.catalog.view('adjusted')).freshness).toBeNull();
  });
});
