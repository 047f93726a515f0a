import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATA_DIR } from './platforms.js';

export const FEATURE_DIR = join(DATA_DIR, 'features');
export const PROJECT = join(FEATURE_DIR, 'project');
const DEFINE = join(import.meta.dirname, '..', '..', 'packages', 'core', 'src', 'features', 'define.ts');
export const T0_ISO = '2024-01-01 00:00:00+00';
export const HIST_VIEWS = ['a', 'b', 'c'];
export const HIST_ROWS = 10_000_000;
export const HIST_ENTITIES = 1_000_000;
export const DRIVERS = 100_000;
export const ONLINE_VIEWS = 5;
export const ONLINE_DRIVERS = 10_000;
export const MAT_ROWS = 2_000_000;

// Deterministic data from DuckDB's hash(): the same files on every machine and run.
const year = 31_536_000_000_000;
const sqlFor: Record<string, string> = {
  ...Object.fromEntries(HIST_VIEWS.map((v, i) => [`hist_${v}.parquet`, `SELECT (hash(i, ${i}) % ${DRIVERS})::BIGINT AS driver_id,
      TIMESTAMPTZ '${T0_ISO}' + to_microseconds((hash(i, ${i}, 1) % ${year})::BIGINT) AS event_timestamp,
      TIMESTAMPTZ '${T0_ISO}' + to_microseconds((hash(i, ${i}, 1) % ${year})::BIGINT + (hash(i, ${i}, 2) % 3600000000)::BIGINT) AS created,
      (hash(i, ${i}, 3) % 1000000) / 1e6 AS ${v}_rate, (hash(i, ${i}, 4) % 1000)::BIGINT AS ${v}_count, (hash(i, ${i}, 5) % 1000000) / 1e3 AS ${v}_score
    FROM range(${HIST_ROWS}) t(i)`])),
  'entities.parquet': `SELECT (hash(i, 9) % ${DRIVERS})::BIGINT AS driver_id, TIMESTAMPTZ '${T0_ISO}' + to_microseconds((hash(i, 10) % ${year})::BIGINT) AS event_timestamp, (i % 2)::BIGINT AS label FROM range(${HIST_ENTITIES}) t(i)`,
  ...Object.fromEntries(Array.from({ length: ONLINE_VIEWS }, (_, v) => [`online_${v}.parquet`, `SELECT i::BIGINT AS driver_id, TIMESTAMPTZ '${T0_ISO}' AS event_timestamp,
      ${Array.from({ length: 10 }, (_, f) => `(hash(i, ${v}, ${f}) % 1000000) / 1e6 AS o${v}_f${f}`).join(', ')} FROM range(${ONLINE_DRIVERS}) t(i)`])),
  'mat.parquet': `SELECT i::BIGINT AS driver_id, TIMESTAMPTZ '${T0_ISO}' + to_microseconds((i * 4320000)::BIGINT) AS event_timestamp,
      ${Array.from({ length: 10 }, (_, f) => `(hash(i, ${f}) % 1000000) / 1e6 AS m_f${f}`).join(', ')} FROM range(${MAT_ROWS}) t(i)`,
};

/** Writes the benchmark's Parquet files once (reused later) and the project's definitions. */
export async function ensureFeatureData(): Promise<void> {
  mkdirSync(join(PROJECT, 'data'), { recursive: true });
  mkdirSync(join(PROJECT, 'features'), { recursive: true });
  const missing = Object.keys(sqlFor).filter((f) => !existsSync(join(PROJECT, 'data', f)));
  if (missing.length) {
    const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const conn = await db.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    for (const f of missing) {
      const t0 = performance.now();
      await conn.run(`COPY (${sqlFor[f]}) TO '${join(PROJECT, 'data', f)}' (FORMAT parquet)`);
      console.log(`generated ${f} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    conn.closeSync();
    db.closeSync();
  }
  writeFileSync(join(PROJECT, 'features', 'defs.ts'), definitions());
}

function definitions(): string {
  const lines = [`import { entity, fileSource, featureView } from ${JSON.stringify(DEFINE)};`,
    `export const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });`];
  for (const v of HIST_VIEWS) {
    lines.push(`export const ${v} = featureView({ name: 'hist_${v}', entities: [driver], ttl: '30d', online: false,
      source: fileSource({ name: 'hist_${v}', path: 'data/hist_${v}.parquet', timestampField: 'event_timestamp', createdTimestampField: 'created' }),
      schema: { ${v}_rate: 'float64', ${v}_count: 'int64', ${v}_score: 'float64' } });`);
  }
  // The same files without the created column: event-time ties are then unresolved, as in a plain ASOF JOIN.
  for (const v of HIST_VIEWS) {
    lines.push(`export const ${v}nc = featureView({ name: 'histnc_${v}', entities: [driver], ttl: '30d', online: false,
      source: fileSource({ name: 'histnc_${v}', path: 'data/hist_${v}.parquet', timestampField: 'event_timestamp' }),
      schema: { ${v}_rate: 'float64', ${v}_count: 'int64', ${v}_score: 'float64' } });`);
  }
  for (let v = 0; v < ONLINE_VIEWS; v++) {
    lines.push(`export const o${v} = featureView({ name: 'online_${v}', entities: [driver], ttl: '3650d',
      source: fileSource({ name: 'online_${v}', path: 'data/online_${v}.parquet', timestampField: 'event_timestamp' }),
      schema: { ${Array.from({ length: 10 }, (_, f) => `o${v}_f${f}: 'float64'`).join(', ')} } });`);
  }
  lines.push(`export const mat = featureView({ name: 'mat', entities: [driver], online: true,
    source: fileSource({ name: 'mat', path: 'data/mat.parquet', timestampField: 'event_timestamp' }),
    schema: { ${Array.from({ length: 10 }, (_, f) => `m_f${f}: 'float64'`).join(', ')} } });`);
  return `${lines.join('\n')}\n`;
}

/** The nine features of the three views, with (`hist_`) or without (`histnc_`) created-time tie-breaks. */
export const histFeatures = (prefix: 'hist' | 'histnc') => HIST_VIEWS.flatMap((v) => [`${prefix}_${v}:${v}_rate`, `${prefix}_${v}:${v}_count`, `${prefix}_${v}:${v}_score`]);
export const ONLINE_FEATURES = Array.from({ length: ONLINE_VIEWS }, (_, v) => Array.from({ length: 10 }, (_, f) => `online_${v}:o${v}_f${f}`)).flat();

/** The hand-written DuckDB baseline: three chained ASOF joins on the same files (ties on event time unresolved). */
export function handWrittenAsof(dir: string): string {
  const joins = HIST_VIEWS.map((v) => `ASOF LEFT JOIN read_parquet('${join(dir, `hist_${v}.parquet`)}') ${v} ON e.driver_id = ${v}.driver_id AND e.event_timestamp >= ${v}.event_timestamp`).join('\n');
  const cols = HIST_VIEWS.map((v) => `CASE WHEN ${v}.event_timestamp >= e.event_timestamp - INTERVAL 30 DAY THEN ${v}.${v}_rate END AS ${v}_rate, CASE WHEN ${v}.event_timestamp >= e.event_timestamp - INTERVAL 30 DAY THEN ${v}.${v}_count END AS ${v}_count, CASE WHEN ${v}.event_timestamp >= e.event_timestamp - INTERVAL 30 DAY THEN ${v}.${v}_score END AS ${v}_score`).join(', ');
  return `CREATE TEMP TABLE baseline AS SELECT e.*, ${cols} FROM read_parquet('${join(dir, 'entities.parquet')}') e ${joins}`;
}
