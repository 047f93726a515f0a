import type { Kysely } from 'kysely';
import type { Database } from '../../packages/core/src/db/schema.js';
import { pipelineDb, type StepRunRow } from '../../packages/core/src/pipelines/sql/pipeline-tables.js';

/**
 * Inserts a pipeline run of `steps` steps straight into the tables: a layered DAG `width` steps
 * wide, each step reading one or two of the layer before it. Steps before `runningFrom` are
 * COMPLETED, the rest RUNNING (with the run RUNNING) or, when `runningFrom` is null, all COMPLETED.
 */
export async function seedPipelineRun(db: Kysely<Database>, runId: string, steps: number, options: { width?: number; runningFrom?: number | null } = {}): Promise<string[]> {
  const p = pipelineDb(db);
  const width = options.width ?? 20;
  const runningFrom = options.runningFrom ?? null;
  const now = Date.now();
  await p.insertInto('pipeline_runs').values({
    run_id: runId, pipeline_name: `bench-${steps}`, status: runningFrom === null ? 'COMPLETED' : 'RUNNING', status_reason: null, params: '{}', source_file: null, export_name: null,
    executor: 'local', experiment_id: null, tracking_run_id: null, no_cache: 0, step_count: steps, created_time: now - 60_000, end_time: runningFrom === null ? now : null,
    heartbeat_time: now, owner_token: null, cancel_requested: 0, resume_count: 0, runner: null,
  }).execute();
  const ids: string[] = [];
  const rows: StepRunRow[] = [];
  for (let i = 0; i < steps; i++) {
    const id = `s${i}`;
    const layer = Math.floor(i / width);
    const upstream = layer === 0 ? [] : [...new Set([`s${(layer - 1) * width + (i % width)}`, `s${(layer - 1) * width + ((i * 7) % width)}`])].filter((u) => Number(u.slice(1)) < i);
    const running = runningFrom !== null && i >= runningFrom;
    rows.push({
      step_run_id: `${runId.slice(0, 16)}${String(i).padStart(16, '0')}`, run_id: runId, step_id: id, step_name: id, kind: 'function', position: i,
      status: running ? 'RUNNING' : 'COMPLETED', attempt: 1, max_attempts: 1, start_time: now - 50_000, end_time: running ? null : now - 40_000,
      error_message: null, error_stack: null, cache_key: null, cache_parts: null, cache_status: 'miss', cache_note: null, cached_from: null, tracking_run_id: null,
      dispatch_token: null, claim_token: null, worker: null, lease_time: null, upstream: JSON.stringify(upstream),
      bindings: JSON.stringify(Object.fromEntries(upstream.map((u, k) => [`in${k}`, { from: 'output', step: u, output: 'out' }]))),
    });
    ids.push(rows.at(-1)!.step_run_id);
  }
  for (let i = 0; i < rows.length; i += 500) await p.insertInto('step_runs').values(rows.slice(i, i + 500)).execute();
  return ids;
}

/** Keeps a seeded RUNNING run's heartbeat fresh, so readers never reap it; returns a stop function. */
export function keepAlive(db: Kysely<Database>, runId: string): () => void {
  const timer = setInterval(() => void pipelineDb(db).updateTable('pipeline_runs').set({ heartbeat_time: Date.now() }).where('run_id', '=', runId).execute(), 1000);
  return () => clearInterval(timer);
}

/** Appends `count` log lines to a step's attempt 1, numbered from `from`. */
export async function appendLogLines(db: Kysely<Database>, stepRunId: string, from: number, count: number): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({ step_run_id: stepRunId, attempt: 1, seq: from + i, stream: 'stdout', time: now, text: `epoch ${from + i}: loss ${(1 / (from + i + 1)).toFixed(6)} accuracy ${((from + i) % 1000) / 1000}` }));
  for (let i = 0; i < rows.length; i += 500) await pipelineDb(db).insertInto('step_logs').values(rows.slice(i, i + 500)).execute();
}
