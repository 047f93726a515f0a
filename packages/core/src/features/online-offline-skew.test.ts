import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestPlatform } from '../testing/platforms.js';
import { onlineRows } from './online-serving.js';
import { writeParquet } from './testing/offline-fixtures.js';
import { definitionsSource, T0, TRIP_COLUMNS, writeFeatureProject } from './testing/feature-project.js';

const M = 10 * 60_000;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('online serving never disagrees with offline retrieval (property, SQLite)', () => {
  it('at any time: a served value is the point-in-time value, and a hidden one is null', async () => {
    const tp = await makeTestPlatform('sqlite');
    cleanups.push(() => tp.cleanup());
    await writeFeatureProject(tp.dir);
    writeFileSync(join(tp.dir, 'features', 'drivers.ts'), definitionsSource());
    const fs = tp.platform.features;
    await fs.apply();
    let run = 0;
    // Times on a 10-minute grid so event-time ties and the 2h TTL boundary are hit exactly.
    const row = fc.record({ d: fc.integer({ min: 0, max: 3 }), t: fc.integer({ min: 0, max: 30 }), c: fc.integer({ min: 0, max: 5 }), v: fc.option(fc.integer({ min: 0, max: 99 }), { freq: 5 }) });
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), fc.integer({ min: -6, max: 50 }), async (raw, atStep) => {
      // Each run uses its own drivers, so rows left online by earlier runs never interfere.
      const base = ++run * 10;
      const seen = new Set<string>();
      const rows = raw.map((r, j) => ({ driver_id: base + r.d, event_timestamp: T0 + r.t * M, created: T0 + r.c * M + j, conv_rate: r.v === null ? null : r.v / 100, trips: r.v }))
        .filter((r) => { const k = `${r.driver_id}:${r.event_timestamp}:${r.created}`; return !seen.has(k) && seen.add(k); });
      await writeParquet(join(tp.dir, 'data', 'trips.parquet'), TRIP_COLUMNS, rows);
      await fs.materialize(T0, T0 + 30 * M, { views: ['driver_stats'] });
      const at = T0 + atStep * M;
      const entities = [0, 1, 2, 3].map((d) => ({ driver_id: base + d, bonus: 1 }));
      const features = ['driver_stats:conv_rate', 'driver_stats:trips', 'adjusted:conv_plus_bonus'];
      const online = await fs.getOnlineFeatures({ entities, features, at });
      const set = await fs.getHistoricalFeatures({ entities: entities.map((e) => ({ ...e, event_timestamp: at })), features });
      const offline = (await set.job.toRows()).map((r) => ({ conv_rate: r.conv_rate, trips: r.trips, conv_plus_bonus: r.conv_plus_bonus }));
      await set.job.close();
      const served = onlineRows(online);
      for (const [j, e] of entities.entries()) {
        const newest = Math.max(...rows.filter((r) => r.driver_id === e.driver_id).map((r) => r.event_timestamp));
        const status = online.results[0]!.statuses[j];
        if (newest <= at) {
          // Nothing stored after `at`: online is exactly offline.
          expect(served[j]).toEqual(offline[j]);
        } else {
          expect(status).toBe('NOT_FOUND');
          expect(served[j]).toEqual({ conv_rate: null, trips: null, conv_plus_bonus: null });
        }
        expect(online.results[2]!.statuses[j]).toBe(status);
      }
    }), { numRuns: 25 });
  }, 120_000);
});
