import { sql, type Kysely } from 'kysely';
import type { Database, MetricRow, MetricSegmentRow, ParamRow, RunRow } from '../../packages/core/src/db/schema.js';
import { encodeSegment } from '../../packages/core/src/tracking/sql/metric-segments.js';

/** Deterministic pseudo-random numbers so every bench run searches the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inserts `runs` runs with 10 params (p0..p9 in a..e) and 10 latest metrics (m0..m9 in [0,1)) each. */
export async function seedSearchRuns(db: Kysely<Database>, experimentId: number, runs: number): Promise<void> {
  const rand = rng(42);
  const letters = ['a', 'b', 'c', 'd', 'e'];
  const batch = 1000;
  for (let start = 0; start < runs; start += batch) {
    const ids: string[] = [];
    const runRows: RunRow[] = [];
    const paramRows: ParamRow[] = [];
    const metricRows: MetricRow[] = [];
    for (let i = start; i < Math.min(runs, start + batch); i++) {
      const id = `bench${String(i).padStart(27, '0')}`;
      ids.push(id);
      runRows.push({
        run_uuid: id, experiment_id: experimentId, name: `run-${i}`, user_id: 'bench', status: 'FINISHED', status_reason: null,
        start_time: 1_700_000_000_000 + i, end_time: 1_700_000_000_000 + i + 1, lifecycle_stage: 'active', deleted_time: null,
        artifact_uri: `${experimentId}/${id}/artifacts`, parent_run_uuid: null, source_git_commit: null, source_git_dirty: null,
        source_entry_point: null, source_node_version: null, last_heartbeat: null,
      });
      for (let k = 0; k < 10; k++) {
        paramRows.push({ run_uuid: id, key: `p${k}`, value: letters[Math.floor(rand() * letters.length)]! });
        metricRows.push({ run_uuid: id, key: `m${k}`, value: rand(), timestamp: 1, step: 0, is_nan: 0 });
      }
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('runs').values(runRows).execute();
      for (let i = 0; i < paramRows.length; i += 5000) await trx.insertInto('params').values(paramRows.slice(i, i + 5000)).execute();
      for (let i = 0; i < metricRows.length; i += 4000) {
        await trx.insertInto('latest_metrics').values(metricRows.slice(i, i + 4000)).execute();
        await trx.insertInto('metric_segments').values(metricRows.slice(i, i + 4000).map(segmentOf)).execute();
      }
    });
  }
  // Planner statistics, as autovacuum would gather on a long-lived server (this machine's
  // PostgreSQL runs with autovacuum off, so without them a search plans as if the tables were empty).
  await sql`analyze`.execute(db);
}

/** A one-point history segment holding a latest-metrics row. */
function segmentOf(m: MetricRow): MetricSegmentRow {
  const data = encodeSegment(new Float64Array([m.step, m.timestamp, m.value]), 0, 1);
  return { run_uuid: m.run_uuid, key: m.key, seq: 0, n: 1, min_step: m.step, max_step: m.step, data };
}
