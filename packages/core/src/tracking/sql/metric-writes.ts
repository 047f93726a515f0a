import { sql, type Transaction } from 'kysely';
import type { Database, MetricRow } from '../../db/schema.js';
import type { Metric } from '../entities.js';
import { toMetricRow } from './row-mappers.js';

// Rows per INSERT: 6 bind parameters each stays under SQLite's 32,766 and PostgreSQL's 65,535 limits.
const ROWS_PER_INSERT = 5000;

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
export async function writeMetrics(trx: Transaction<Database>, runId: string, metrics: Metric[], latest: Metric[]): Promise<void> {
  const rows: MetricRow[] = metrics.map((m) => toMetricRow(runId, m));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await trx.insertInto('metrics').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  for (let i = 0; i < latest.length; i += ROWS_PER_INSERT) {
    await trx
      .insertInto('latest_metrics')
      .values(latest.slice(i, i + ROWS_PER_INSERT).map((m) => toMetricRow(runId, m)))
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
