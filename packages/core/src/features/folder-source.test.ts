import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { makeTestPlatform } from '../testing/platforms.js';
import { compileDefinitions } from './compile-definitions.js';
import { entity, featureView, fileSource } from './define.js';
import type { FeatureViewSpec } from './entities.js';
import { writeCsv, writeParquet } from './testing/offline-fixtures.js';
import { definitionsSource, H, T0, TRIP_COLUMNS, tripRows } from './testing/feature-project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('folder sources', () => {
  it('keep no format when none is given and the path has no data extension', () => {
    const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });
    const view = (path: string, format?: 'csv' | 'parquet') => featureView({ name: 'v', entities: [driver], source: fileSource({ name: 's', path, format, timestampField: 'ts' }), schema: { r: 'float64' } });
    const formatOf = (path: string, format?: 'csv' | 'parquet') => (compileDefinitions([view(path, format)]).specs.find((s) => s.kind === 'featureView') as FeatureViewSpec).source;
    expect(formatOf('data/trips')).toMatchObject({ path: 'data/trips', format: null });
    expect(formatOf('data/trips', 'csv')).toMatchObject({ format: 'csv' });
    expect(formatOf('data/a.PARQUET')).toMatchObject({ format: 'parquet' });
  });

  it('infer the format from the folder\'s files: several Parquet files serve history and materialization', async () => {
    const tp = await makeTestPlatform('sqlite');
    cleanups.push(() => tp.cleanup());
    const folder = join(tp.dir, 'data', 'trips');
    mkdirSync(join(folder, 'part=2'), { recursive: true });
    mkdirSync(join(tp.dir, 'features'), { recursive: true });
    writeFileSync(join(tp.dir, 'features', 'drivers.ts'), definitionsSource().replace("path: 'data/trips.parquet'", "path: 'data/trips'"));
    const rows = tripRows(5, 6);
    // Three files, one in a subfolder, plus a marker file as Spark writes them.
    await writeParquet(join(folder, 'a.parquet'), TRIP_COLUMNS, rows.slice(0, 10));
    await writeParquet(join(folder, 'b.parquet'), TRIP_COLUMNS, rows.slice(10, 20));
    await writeParquet(join(folder, 'part=2', 'c.parquet'), TRIP_COLUMNS, rows.slice(20));
    writeFileSync(join(folder, '_SUCCESS'), '');
    const fs = tp.platform.features;
    await fs.apply();
    const set = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + 2 * H }, { driver_id: 5, event_timestamp: T0 + 5 * H }], features: ['driver_stats:trips'] });
    expect((await set.job.toRows()).map((r) => r.trips)).toEqual([1002, 5005]);
    await set.job.close();
    const [run] = await fs.materialize(T0, T0 + 5 * H, { views: ['driver_stats'] });
    expect(run).toMatchObject({ status: 'SUCCEEDED', rows: 5 });
    const online = await fs.getOnlineFeatures({ entities: [{ driver_id: 3 }], features: ['driver_stats:trips'], at: T0 + 5 * H });
    expect(online.results[0]!.values).toEqual([3005]);

    // Mixed or empty folders are refused, naming the folder.
    writeCsv(join(folder, 'extra.csv'), TRIP_COLUMNS, rows.slice(0, 1));
    const mixed = await fs.materialize(T0, T0 + 5 * H, { views: ['driver_stats'] }).catch((e: Error) => e);
    expect(isCairnError(mixed, 'FAILED_PRECONDITION')).toBe(true);
    expect((mixed as Error).message).toContain(`folder ${folder}, which holds .parquet files and .csv files`);
    rmSync(folder, { recursive: true });
    mkdirSync(folder);
    const empty = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 }], features: ['driver_stats:trips'] }).catch((e: Error) => e);
    expect((empty as Error).message).toContain(`folder ${folder}, which holds no data files`);
  });
});
