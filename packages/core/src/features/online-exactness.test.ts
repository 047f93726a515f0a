import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { backendAvailable, makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../testing/redis.js';
import type { MaterializationOutcome } from './entities.js';
import { parseIsoTime } from './micro-time.js';
import { DEFINE } from './testing/feature-project.js';

// Online must equal offline to the last digit: int64 values beyond 2^53, timestamps to the
// microsecond (values, event times and the materialization window), and every view materialized
// even when one fails. Each setup runs the same checks on its online store.

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const SETUPS = [
  { name: 'SQLite metadata, SQLite online', metadata: 'sqlite' as const, redis: false },
  { name: 'PostgreSQL metadata, Redis online', metadata: 'postgres' as const, redis: true },
];

const DEFINITIONS = `import { entity, featureView, fileSource, pushSource } from ${JSON.stringify(DEFINE)};
export const thing = entity({ name: 'thing', joinKeys: { id: 'int64' } });
export const big = featureView({ name: 'big_view', entities: [thing], schema: { big: 'int64' },
  source: fileSource({ name: 'a', path: 'data/a.csv', timestampField: 'ts' }) });
export const times = featureView({ name: 'time_view', entities: [thing], schema: { when: 'timestamp' },
  source: fileSource({ name: 't', path: 'data/t.csv', timestampField: 'ts' }) });
export const bad = featureView({ name: 'aaa_bad', entities: [thing], schema: { x: 'int64' },
  source: fileSource({ name: 'bad', path: 'data/bad.csv', timestampField: 'ts' }) });
export const other = featureView({ name: 'zzz_other', entities: [thing], schema: { n: 'int64' },
  source: fileSource({ name: 'z', path: 'data/z.csv', timestampField: 'ts' }) });
export const pushed = featureView({ name: 'pushed', entities: [thing], schema: { big: 'int64', at: 'timestamp' },
  source: pushSource({ name: 'clicks', timestampField: 'event_timestamp' }) });
`;

const A_CSV = `id,ts,big
1,2024-01-01T10:00:00Z,9007199254740993
2,2024-01-01T10:00:00Z,-9223372036854775808
9007199254740993,2024-01-01T09:00:00Z,9223372036854775807
`;
const T_CSV = `id,ts,when
1,2024-01-01T10:00:00Z,2024-03-14 23:15:23.622236+00
2,2024-01-01T10:00:00.000001Z,2024-03-14 23:15:23.000001+00
`;

const START = '2024-01-01T00:00:00Z';
const AT = '2024-01-02T00:00:00Z';

for (const setup of SETUPS) {
  const up = (await backendAvailable(setup.metadata)) && (!setup.redis || (await redisAvailable()));
  describe.skipIf(!up)(`online values equal offline ones exactly (${setup.name})`, () => {
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
      mkdirSync(join(tp.dir, 'features'), { recursive: true });
      mkdirSync(join(tp.dir, 'data'), { recursive: true });
      writeFileSync(join(tp.dir, 'features', 'defs.ts'), DEFINITIONS);
      writeFileSync(join(tp.dir, 'data', 'a.csv'), A_CSV);
      writeFileSync(join(tp.dir, 'data', 't.csv'), T_CSV);
      writeFileSync(join(tp.dir, 'data', 'bad.csv'), 'id,ts,x\n1,2024-01-01T10:00:00Z,notanumber\n');
      writeFileSync(join(tp.dir, 'data', 'z.csv'), 'id,ts,n\n1,2024-01-01T10:00:00Z,7\n');
      await tp.platform.features.apply();
      return tp;
    };
    const online = async (tp: TestPlatform, entities: Array<Record<string, unknown>>, features: string[]) => {
      const input = { entities, features, at: AT };
      const json = (await tp.platform.features.getOnlineFeaturesJson(input)).toString('utf8');
      return { json, result: await tp.platform.features.getOnlineFeatures(input) };
    };

    it('materializes and serves int64 values beyond 2^53 exactly, as offline reads them', async () => {
      const tp = await open();
      const fs = tp.platform.features;
      const [run] = await fs.materialize(START, '2024-01-01T10:00:00Z', { views: ['big_view'] });
      expect(run).toMatchObject({ status: 'SUCCEEDED', rows: 3 });
      // The big key can be given as a BigInt or as a string of digits (JSON's way to keep it exact).
      const { json, result } = await online(tp, [{ id: 1 }, { id: 9007199254740993n }, { id: '9007199254740993' }], ['big_view:big']);
      expect(result.results[0]!.values).toEqual([9007199254740993n, 9223372036854775807n, 9223372036854775807n]);
      expect(json).toContain('"values":[9007199254740993,9223372036854775807,9223372036854775807]');
      const set = await fs.getHistoricalFeatures({ entities: [{ id: 1, event_timestamp: AT }, { id: 9007199254740993n, event_timestamp: AT }], features: ['big_view:big'] });
      const offline = (await set.job.toRows()).map((r) => r.big);
      await set.job.close();
      expect(offline).toEqual(result.results[0]!.values.slice(0, 2));
    });

    it('keeps microseconds: the window bounds, event times and timestamp values', async () => {
      const tp = await open();
      const fs = tp.platform.features;
      // Entity 2's row is at 10:00:00.000001: outside a window ending at 10:00:00, inside one ending a microsecond later.
      await fs.materialize(START, '2024-01-01T10:00:00Z', { views: ['time_view'] });
      expect((await online(tp, [{ id: 2 }], ['time_view:when'])).result.results[0]!.statuses).toEqual(['NOT_FOUND']);
      const [run] = await fs.materialize(START, '2024-01-01T10:00:00.000001Z', { views: ['time_view'] });
      expect(run).toMatchObject({ status: 'SUCCEEDED', end: 1704103200000.001, watermark: 1704103200000 });
      const { json, result } = await online(tp, [{ id: 1 }, { id: 2 }], ['time_view:when']);
      expect(result.results[0]!.statuses).toEqual(['PRESENT', 'PRESENT']);
      expect(result.results[0]!.eventTimestamps).toEqual([1704103200000, 1704103200000.001]);
      expect(json).toContain('"values":["2024-03-14T23:15:23.622236Z","2024-03-14T23:15:23.000001Z"]');
      expect(json).toContain('"eventTimestamps":[1704103200000,1704103200000.001]');
      // Offline gives the same instants, to the microsecond (DuckDB's CSV text of the training set).
      const set = await fs.getHistoricalFeatures({ entities: [{ id: 1, event_timestamp: AT }, { id: 2, event_timestamp: AT }], features: ['time_view:when'] });
      const csv = join(tp.dir, 'train.csv');
      await set.job.writeCsv(csv);
      await set.job.close();
      const offline = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => parseIsoTime(l.split(',').at(-1)!));
      const served = [...json.matchAll(/"(2024-03-14T[^"]+)"/g)].map((m) => parseIsoTime(m[1]!));
      expect(served).toEqual(offline);
      expect(offline).toEqual([1710458123622.236, 1710458123000.001]);
    });

    it('materializes every view when one fails, and reports each outcome', async () => {
      const tp = await open();
      const fs = tp.platform.features;
      const err = await fs.materialize(START, '2024-01-01T12:00:00Z').catch((e: unknown) => e);
      expect(isCairnError(err, 'INVALID_ARGUMENT')).toBe(true);
      const views = (err as { details: { views: MaterializationOutcome[] } }).details.views;
      const noon = Date.parse('2024-01-01T12:00:00Z');
      expect(views.map((v) => [v.view, v.status, v.rows, v.watermark])).toEqual([
        ['aaa_bad', 'FAILED', 0, null], ['big_view', 'SUCCEEDED', 3, noon], ['pushed', 'SUCCEEDED', 0, noon], ['time_view', 'SUCCEEDED', 2, noon], ['zzz_other', 'SUCCEEDED', 1, noon],
      ]);
      expect(views[0]!.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Materializing 'aaa_bad' failed \(run [0-9a-f]{32}; watermark unchanged\).*notanumber/) });
      expect((err as Error).message).toMatch(/^1 of 5 views failed to materialize \(4 succeeded;/);
      const { result } = await online(tp, [{ id: 1 }], ['big_view:big', 'zzz_other:n']);
      expect(result.results.map((r) => r.statuses[0])).toEqual(['PRESENT', 'PRESENT']);
      // The incremental run starts each view from its own watermark and again reports every view.
      const again = await fs.materializeIncremental('2024-01-01T13:00:00Z').catch((e: unknown) => e);
      expect((again as { details: { views: MaterializationOutcome[] } }).details.views.map((v) => [v.view, v.status, v.start])).toEqual([
        ['aaa_bad', 'FAILED', 0], ['big_view', 'SUCCEEDED', noon], ['pushed', 'SUCCEEDED', noon], ['time_view', 'SUCCEEDED', noon], ['zzz_other', 'SUCCEEDED', noon],
      ]);
    });

    it('pushes int64 digits and microsecond times, served as offline keeps them', async () => {
      const tp = await open();
      const fs = tp.platform.features;
      await fs.push('clicks', [{ id: '9007199254740993', event_timestamp: '2024-01-01T10:00:00.000001Z', big: '9007199254740995', at: '2024-01-01T00:00:00.000002Z' }]);
      const { json, result } = await online(tp, [{ id: '9007199254740993' }], ['pushed:big', 'pushed:at']);
      expect(json).toContain('"values":[9007199254740995],"statuses":["PRESENT"],"eventTimestamps":[1704103200000.001]');
      expect(json).toContain('"values":["2024-01-01T00:00:00.000002Z"]');
      const set = await fs.getHistoricalFeatures({ entities: [{ id: 9007199254740993n, event_timestamp: AT }], features: ['pushed:big'] });
      expect((await set.job.toRows())[0]!.big).toBe(result.results[0]!.values[0]);
      await set.job.close();
    });
  });
}

describe('materialization when a store cannot be opened', () => {
  it('still reports every view, each FAILED with the reason', async () => {
    const tp = await makeTestPlatform('sqlite', { features: { online_store: { uri: 'sqlite:not-a-folder/online.db' } } });
    cleanups.push(() => tp.cleanup());
    mkdirSync(join(tp.dir, 'features'), { recursive: true });
    writeFileSync(join(tp.dir, 'features', 'defs.ts'), DEFINITIONS);
    writeFileSync(join(tp.dir, 'not-a-folder'), 'a file where the online store folder should be\n');
    await tp.platform.features.apply();
    const err = await tp.platform.features.materialize(START, '2024-01-01T12:00:00Z').catch((e: unknown) => e);
    const views = (err as { details: { views: MaterializationOutcome[] } }).details.views;
    expect(views.map((v) => [v.view, v.status, v.runId])).toEqual(['aaa_bad', 'big_view', 'pushed', 'time_view', 'zzz_other'].map((v) => [v, 'FAILED', null]));
    expect(views[0]!.error!.message).toMatch(/not-a-folder/);
    expect((err as Error).message).toMatch(/^5 of 5 views failed to materialize/);
  });
});
