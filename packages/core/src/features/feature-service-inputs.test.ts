import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { freshPostgresUri, PG_BASE_URI, postgresAvailable } from '../testing/postgres.js';
import { writeParquet } from './testing/offline-fixtures.js';
import { DEFINE, H, T0, tripRows, writeFeatureProject } from './testing/feature-project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// A second definitions file: an offline-only view of the trips source whose feature is named like driver_stats'.
const EXTRA = `import { entity, fileSource, featureView } from ${JSON.stringify(DEFINE)};
const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' }, description: 'A driver' });
const trips = fileSource({ name: 'trips', path: 'data/trips.parquet', timestampField: 'event_timestamp', createdTimestampField: 'created' });
export const tripsCopy = featureView({ name: 'trips_copy', entities: [driver], source: trips, online: false, schema: { trips: 'int64' } });
`;

async function project(extra = EXTRA): Promise<TestPlatform> {
  const tp = await makeTestPlatform('sqlite');
  cleanups.push(() => tp.cleanup());
  await writeFeatureProject(tp.dir);
  writeFileSync(join(tp.dir, 'features', 'extra.ts'), extra);
  await tp.platform.features.apply();
  return tp;
}

const message = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e);

describe('feature store inputs and outputs (SQLite)', () => {
  it('refuses features of two views that would share a column, naming both; fullFeatureNames keeps them apart', async () => {
    const { platform } = await project();
    const features = ['driver_stats:trips', 'trips_copy:trips'];
    const err = await message(platform.features.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 }], features }));
    expect(isCairnError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/'driver_stats:trips' and 'trips_copy:trips' would both be named 'trips'/);
    const set = await platform.features.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + H }], features, fullFeatureNames: true });
    expect(await set.job.toRows()).toEqual([{ driver_id: 1, event_timestamp: new Date(T0 + H), driver_stats__trips: 1001, trips_copy__trips: 1001 }]);
    await set.job.close();
  });

  it('leaves views with online: false out of materialization and online serving', async () => {
    const { platform } = await project();
    const runs = await platform.features.materialize(T0, T0 + 5 * H);
    expect(runs.map((r) => r.view)).toEqual(['driver_clicks', 'driver_stats']);
    const named = await message(platform.features.materialize(T0, T0 + 5 * H, { views: ['trips_copy'] }));
    expect(isCairnError(named, 'FAILED_PRECONDITION')).toBe(true);
    expect((named as Error).message).toContain("'trips_copy' is not served online");
    const served = await message(platform.features.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['trips_copy:trips'] }));
    expect(isCairnError(served, 'FAILED_PRECONDITION')).toBe(true);
    expect((served as Error).message).toContain("'trips_copy' is not served online");
  });

  it('takes entity rows from a DuckDB query and a Parquet file; refuses files missing the time column or with a wrongly typed one', async () => {
    const { platform, dir } = await project();
    const fs = platform.features;
    const fromSql = await fs.getHistoricalFeatures({
      entities: { sql: `SELECT * FROM (VALUES (2::BIGINT, TIMESTAMPTZ '2024-01-01 03:00:00+00', 'b'), (1::BIGINT, TIMESTAMPTZ '2024-01-01 01:30:00+01:00', 'a')) t(driver_id, event_timestamp, tag)` },
      features: ['driver_stats:trips'],
    });
    expect((await fromSql.job.toRows()).map((r) => [r.driver_id, r.tag, r.trips])).toEqual([[2, 'b', 2003], [1, 'a', 1000]]);
    await fromSql.job.close();

    await writeParquet(join(dir, 'no-time.parquet'), [{ name: 'driver_id', type: 'int64' }, { name: 'label', type: 'int64' }], [{ driver_id: 1, label: 1 }]);
    const noTime = await message(fs.getHistoricalFeatures({ entities: { file: join(dir, 'no-time.parquet') }, features: ['driver_stats:trips'] }));
    expect(isCairnError(noTime, 'INVALID_ARGUMENT')).toBe(true);
    expect((noTime as Error).message).toContain('event_timestamp');
    await writeParquet(join(dir, 'bad-type.parquet'), [{ name: 'driver_id', type: 'string' }, { name: 'event_timestamp', type: 'timestamp' }], [{ driver_id: 'one', event_timestamp: T0 }]);
    const badType = await message(fs.getHistoricalFeatures({ entities: { file: join(dir, 'bad-type.parquet') }, features: ['driver_stats:trips'] }));
    expect(isCairnError(badType, 'INVALID_ARGUMENT')).toBe(true);
    expect((badType as Error).message).toContain('driver_id');
    await writeParquet(join(dir, 'bad-time.parquet'), [{ name: 'driver_id', type: 'int64' }, { name: 'event_timestamp', type: 'bool' }], [{ driver_id: 1, event_timestamp: true }]);
    const badTime = await message(fs.getHistoricalFeatures({ entities: { file: join(dir, 'bad-time.parquet') }, features: ['driver_stats:trips'] }));
    expect(isCairnError(badTime, 'INVALID_ARGUMENT')).toBe(true);
    expect((badTime as Error).message).toContain('event_timestamp');
  });

  it('gives the training set as Arrow (read by apache-arrow) and as Parquet (read back by DuckDB) with the same values as rows', async () => {
    const { platform, dir } = await project();
    const entities = [
      { driver_id: 1, event_timestamp: T0 + 2 * H + 1, bonus: 1 },
      { driver_id: 9, event_timestamp: T0 + H, bonus: 0 },
      { driver_id: 2, event_timestamp: T0 + 30 * 60_000, bonus: 0.5 },
    ];
    const set = await platform.features.getHistoricalFeatures({ entities, featureService: 'ranking' });
    const rows = await set.job.toRows();
    const table = tableFromIPC(await set.job.toArrow());
    expect(table.schema.fields.map((f) => f.name)).toEqual(['driver_id', 'event_timestamp', 'bonus', 'conv_rate', 'trips', 'conv_plus_bonus']);
    const fromArrow = table.toArray().map((r) => {
      const o = r.toJSON() as Record<string, unknown>;
      return { ...o, driver_id: Number(o.driver_id), trips: o.trips === null ? null : Number(o.trips), event_timestamp: new Date(Number(o.event_timestamp)) };
    });
    expect(fromArrow).toEqual(rows);
    await set.job.writeParquet(join(dir, 'out', 'train.parquet'));
    await set.job.close();
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const back = (await conn.runAndReadAll(`SELECT * REPLACE (epoch_ms(event_timestamp) AS event_timestamp) FROM read_parquet('${join(dir, 'out', 'train.parquet')}')`)).getRowObjectsJS();
    conn.closeSync();
    expect(back.map((r) => ({ ...r, driver_id: Number(r.driver_id), trips: r.trips === null ? null : Number(r.trips), event_timestamp: new Date(Number(r.event_timestamp)) }))).toEqual(rows);
    expect(rows.map((r) => r.conv_plus_bonus)).toEqual([1.0102, null, 0.52]);
  });

  it('pushes to the online store only or to the offline store only', async () => {
    const { platform } = await project();
    const fs = platform.features;
    const onlineClicks = async () => (await fs.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['driver_clicks:clicks'], at: T0 + 3 * H })).results[0]!.values[0];
    const offlineClicks = async () => {
      const set = await fs.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + 3 * H }], features: ['driver_clicks:clicks'] });
      const v = (await set.job.toRows())[0]!.clicks;
      await set.job.close();
      return v;
    };
    expect(await fs.push('clicks', [{ driver_id: 1, event_timestamp: T0 + H, clicks: 1 }], { to: 'online' })).toEqual({ rows: 1, views: ['driver_clicks'] });
    expect([await onlineClicks(), await offlineClicks()]).toEqual([1, null]);
    expect(await fs.push('clicks', [{ driver_id: 1, event_timestamp: T0 + 2 * H, clicks: 2 }], { to: 'offline' })).toEqual({ rows: 1, views: [] });
    expect([await onlineClicks(), await offlineClicks()]).toEqual([1, 2]);
  });

  it('checks min, allowed values and freshness on materialization, reporting each', async () => {
    const tp = await makeTestPlatform('sqlite');
    cleanups.push(() => tp.cleanup());
    await writeFeatureProject(tp.dir, tripRows(3, 3));
    writeFileSync(join(tp.dir, 'features', 'extra.ts'), EXTRA.replace("online: false, schema: { trips: 'int64' }",
      "schema: { trips: 'int64' }, expectations: { features: { trips: { min: 2000, allowed: [2000, 2001, 2002, 3002] } }, freshness: '1h' }"));
    const fs = tp.platform.features;
    await fs.apply();
    const err = await message(fs.materialize(T0, T0 + 5 * H, { views: ['trips_copy'] }));
    expect(isCairnError(err, 'FAILED_PRECONDITION')).toBe(true);
    const text = (err as Error).message;
    expect(text).toContain("View 'trips_copy' failed 3 expectations; nothing was written");
    expect(text).toMatch(/trips >= 2000: 1 violation, e\.g\. \[1\] = 1002/);
    expect(text).toMatch(/trips one of \[2000,2001,2002,3002\]: 1 violation, e\.g\. \[1\] = 1002/);
    expect(text).toMatch(/\(view\) fresh within 3600000 ms of 2024-01-01T05:00:00\.000Z: 1 violation, e\.g\. \[\] = "2024-01-01T02:00:00\.000Z"/);
    // Within an hour of the newest row only the value expectations fail.
    const fresh = await message(fs.materialize(T0 + 2 * H, T0 + 2 * H + 30 * 60_000, { views: ['trips_copy'] }));
    expect((fresh as Error).message).toContain('failed 2 expectations');
  });
});

describe.skipIf(!(await postgresAvailable()))('PostgreSQL sources through openPlatform (features.postgres_uri)', () => {
  it('joins a query source inside PostgreSQL for training sets and materializes it', async () => {
    const { schema, drop } = freshPostgresUri('fs');
    const client = new pg.Client({ connectionString: PG_BASE_URI });
    await client.connect();
    cleanups.push(async () => { await client.end(); await drop(); });
    await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.trips (driver_id bigint, event_timestamp timestamptz, trips bigint)`);
    for (const r of tripRows(3, 4)) await client.query(`INSERT INTO ${schema}.trips VALUES ($1, $2, $3)`, [r.driver_id, new Date(r.event_timestamp as number), r.trips]);
    const tp = await makeTestPlatform('sqlite', { features: { postgres_uri: PG_BASE_URI } });
    cleanups.push(() => tp.cleanup());
    await writeFeatureProject(tp.dir);
    writeFileSync(join(tp.dir, 'features', 'extra.ts'), `import { entity, postgresSource, featureView } from ${JSON.stringify(DEFINE)};
const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' }, description: 'A driver' });
const pgTrips = postgresSource({ name: 'pg_trips', query: 'SELECT driver_id, event_timestamp, trips * 10 AS trips10 FROM ${schema}.trips WHERE driver_id <> 3', timestampField: 'event_timestamp' });
export const pgView = featureView({ name: 'pg_trips', entities: [driver], source: pgTrips, ttl: '2h', schema: { trips10: 'int64' } });
`);
    const fs = tp.platform.features;
    await fs.apply();
    const set = await fs.getHistoricalFeatures({
      entities: [{ driver_id: 2, event_timestamp: T0 + H + 1 }, { driver_id: 3, event_timestamp: T0 + H }, { driver_id: 1, event_timestamp: T0 + 6 * H }],
      features: ['pg_trips:trips10', 'driver_stats:trips'],
    });
    expect((await set.job.toRows()).map((r) => [r.driver_id, r.trips10, r.trips])).toEqual([[2, 20010, 2001], [3, null, 3001], [1, null, 1005]]);
    await set.job.close();
    const [run] = await fs.materialize(T0, T0 + 10 * H, { views: ['pg_trips'] });
    expect(run).toMatchObject({ status: 'SUCCEEDED', rows: 2 });
    const online = await fs.getOnlineFeatures({ entities: [{ driver_id: 1 }, { driver_id: 3 }], features: ['pg_trips:trips10'], at: T0 + 4 * H });
    expect(online.results[0]).toMatchObject({ values: [10030, null], statuses: ['PRESENT', 'NOT_FOUND'] });
  });
});
