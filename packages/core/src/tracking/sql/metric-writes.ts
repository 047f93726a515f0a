import { sql, type Transaction } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { Metric } from '../entities.js';
import { toMetricRow } from './row-mappers.js';

// Rows per statement for the bulk insert: bounds the size of one JSON text or array parameter.
const ROWS_PER_INSERT = 20_000;
// Rows per INSERT … VALUES for the latest-value upsert (6 bind parameters each, far below both limits).
const ROWS_PER_UPSERT = 5000;

/** MLflow's order for "latest": the greatest (step, timestamp, value). NaN never beats a number. */
export function isNewer(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (Number.isNaN(a.value)) return false;
  return Number.isNaN(b.value) || a.value > b.value;
}

export function latestPerKey(metrics: Metric[]): Metric[] {
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const cur = latest.get(m.key);
    if (!cur || isNewer(m, cur)) latest.set(m.key, m);
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Appends history and moves each key's latest value forward, never backward. */
export async function writeMetrics(trx: Transaction<Database>, dialect: Dialect, runId: string, metrics: Metric[], latest: Metric[]): Promise<void> {
  for (let i = 0; i < metrics.length; i += ROWS_PER_INSERT) {
    const chunk = metrics.slice(i, i + ROWS_PER_INSERT);
    await (dialect === 'sqlite' ? insertSqlite(trx, runId, chunk) : insertPostgres(trx, runId, chunk));
  }
  for (let i = 0; i < latest.length; i += ROWS_PER_UPSERT) {
    await trx
      .insertInto('latest_metrics')
      .values(latest.slice(i, i + ROWS_PER_UPSERT).map((m) => toMetricRow(runId, m)))
      .onConflict((oc) =>
        oc
          .columns(['run_uuid', 'key'])
          .doUpdateSet({
            value: (eb) => eb.ref('excluded.value'),
            timestamp: (eb) => eb.ref('excluded.timestamp'),
            step: (eb) => eb.ref('excluded.step'),
            is_nan: (eb) => eb.ref('excluded.is_nan'),
          })
          .where(sql<boolean>`(excluded.step > latest_metrics.step
              or (excluded.step = latest_metrics.step and excluded.timestamp > latest_metrics.timestamp)
              or (excluded.step = latest_metrics.step and excluded.timestamp = latest_metrics.timestamp
                  and excluded.is_nan = 0 and (latest_metrics.is_nan = 1 or excluded.value > latest_metrics.value)))`),
      )
      .execute();
  }
}

// History is the hot write path (a million points per run is normal), so rows travel as one parameter
// instead of six per row: a JSON array on SQLite (JSON5 literals carry ±Infinity; SQLite's text-to-double
// conversion is correctly rounded) and typed arrays through unnest() on PostgreSQL.
async function insertSqlite(trx: Transaction<Database>, runId: string, metrics: Metric[]): Promise<void> {
  const parts: string[] = new Array(metrics.length);
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    const nan = Number.isNaN(m.value);
    parts[i] = `[${JSON.stringify(m.key)},${nan ? 0 : m.value},${m.timestamp},${m.step},${nan ? 1 : 0}]`;
  }
  await sql`insert into metrics (run_uuid, key, value, timestamp, step, is_nan)
    select ${runId}, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4
    from json_each(${`[${parts.join(',')}]`}) as j
    where true on conflict do nothing`.execute(trx);
}

async function insertPostgres(trx: Transaction<Database>, runId: string, metrics: Metric[]): Promise<void> {
  const n = metrics.length;
  const keys: string[] = new Array(n);
  const values: number[] = new Array(n);
  const timestamps: number[] = new Array(n);
  const steps: number[] = new Array(n);
  const nans: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = metrics[i]!;
    const nan = Number.isNaN(m.value);
    keys[i] = m.key;
    values[i] = nan ? 0 : m.value;
    timestamps[i] = m.timestamp;
    steps[i] = m.step;
    nans[i] = nan ? 1 : 0;
  }
  await sql`insert into metrics (run_uuid, key, value, timestamp, step, is_nan)
    select ${runId}, u.k, u.v, u.t, u.s, u.n
    from unnest(${keys}::text[], ${values}::float8[], ${timestamps}::int8[], ${steps}::int8[], ${nans}::int4[]) as u(k, v, t, s, n)
    on conflict do nothing`.execute(trx);
}
