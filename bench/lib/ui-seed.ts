import type { Kysely } from 'kysely';
import type { Database, MetricRow, ParamRow, RunRow } from '../../packages/core/src/db/schema.js';
import { rng } from './seed.js';

/**
 * Inserts `runs` finished runs with `params` params (p0.. in a..e) and `metrics` latest metrics
 * (m0.. in [0,1)) each, straight into the tables: 100,000 runs take seconds, not the hours one
 * API call per run would. Histories are not written (the runs table reads latest values only).
 */
export async function seedWideRuns(db: Kysely<Database>, experimentId: number, runs: number, params = 20, metrics = 20): Promise<void> {
  const rand = rng(7);
  const letters = ['a', 'b', 'c', 'd', 'e'];
  const batch = 500;
  for (let start = 0; start < runs; start += batch) {
    const runRows: RunRow[] = [];
    const paramRows: ParamRow[] = [];
    const metricRows: MetricRow[] = [];
    for (let i = start; i < Math.min(runs, start + batch); i++) {
      const id = `ui${String(experimentId).padStart(4, '0')}${String(i).padStart(26, '0')}`;
      runRows.push({
        run_uuid: id, experiment_id: experimentId, name: `run-${i}`, user_id: 'bench', status: 'FINISHED', status_reason: null,
        start_time: 1_700_000_000_000 + i * 1000, end_time: 1_700_000_000_000 + i * 1000 + 500, lifecycle_stage: 'active', deleted_time: null,
        artifact_uri: `${experimentId}/${id}/artifacts`, parent_run_uuid: null, source_git_commit: 'f00dfeed', source_git_dirty: 0,
        source_entry_point: 'train.ts', source_node_version: 'v20', last_heartbeat: null,
      });
      for (let k = 0; k < params; k++) paramRows.push({ run_uuid: id, key: `p${k}`, value: letters[Math.floor(rand() * letters.length)]! });
      for (let k = 0; k < metrics; k++) metricRows.push({ run_uuid: id, key: `m${k}`, value: rand(), timestamp: 1, step: 0, is_nan: 0 });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('runs').values(runRows).execute();
      for (let i = 0; i < paramRows.length; i += 5000) await trx.insertInto('params').values(paramRows.slice(i, i + 5000)).execute();
      for (let i = 0; i < metricRows.length; i += 4000) await trx.insertInto('latest_metrics').values(metricRows.slice(i, i + 4000)).execute();
    });
  }
}
