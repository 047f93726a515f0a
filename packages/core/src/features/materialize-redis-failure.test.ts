import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { makeTestPlatform } from '../testing/platforms.js';
import { redisAvailable, startPrivateRedis } from '../testing/redis.js';
import { H, T0, tripRows, writeFeatureProject } from './testing/feature-project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// A private redis-server is started and killed here; the shared one is never touched.
describe.skipIf(!(await redisAvailable()))('materialization when Redis goes away', () => {
  it('fails cleanly, leaves the watermark, and the next run resumes from it', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const extra = { features: { online_store: { uri: redis.uri } } };
    const first = await makeTestPlatform('sqlite', extra);
    cleanups.push(() => first.cleanup());
    await writeFeatureProject(first.dir, tripRows(3000, 3));
    await first.platform.features.apply();
    const end = T0 + 3 * H;
    let killed = false;
    const err = await first.platform.features.materializeIncremental(end, {
      views: ['driver_stats'], batchSize: 200,
      onProgress: (p) => {
        if (!killed && p.rows >= 400) {
          killed = true;
          redis.process.kill('SIGKILL');
        }
      },
    }).catch((e: unknown) => e);
    expect(killed).toBe(true);
    expect(isCairnError(err, 'UNAVAILABLE')).toBe(true);
    expect(String((err as Error).message)).toMatch(/watermark unchanged/);
    const [failed] = await first.platform.features.listMaterializations('driver_stats');
    expect(failed).toMatchObject({ status: 'FAILED', start: end - 2 * H });
    expect(failed!.rows).toBeGreaterThanOrEqual(400);
    expect(failed!.rows).toBeLessThan(3000);

    // Redis comes back (empty: no persistence); a new process resumes from the unchanged watermark.
    await redis.stop();
    const again = await startPrivateRedis(redis.port);
    cleanups.push(() => again.stop());
    const { loadConfig, openPlatform } = await import('../index.js');
    const platform = await openPlatform(loadConfig({ cwd: first.dir, env: {}, overrides: { store: { uri: first.storeUri }, ...extra } }));
    cleanups.push(() => platform.close());
    const [resumed] = await platform.features.materializeIncremental(end, { views: ['driver_stats'], batchSize: 500 });
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', start: end - 2 * H, rows: 3000 });
    const online = await platform.features.getOnlineFeatures({ entities: [{ driver_id: 1 }, { driver_id: 3000 }], features: ['driver_stats:trips'], at: end });
    expect(online.results[0]!.values).toEqual([1002, 3_000_002]);
  });
});
