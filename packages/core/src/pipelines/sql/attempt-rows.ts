import type { AttemptStatus } from '../entities.js';
import type { PipelineDb } from './pipeline-tables.js';

// The `step_attempts` rows of a step run, written inside the transaction that changes the step's
// state (migration 0006): one per attempt, started by a claim, closed by the attempt's end or, for
// an attempt whose process died, by whoever finds it (the heartbeat sweep, a resume, a takeover).

/** Starts an attempt's row. */
export async function startAttempt(trx: PipelineDb, stepRunId: string, attempt: number, worker: string, now: number): Promise<void> {
  await trx
    .insertInto('step_attempts')
    .values({ step_run_id: stepRunId, attempt, status: 'RUNNING', start_time: now, end_time: null, error_message: null, worker, process_group: null })
    .execute();
}

/**
 * Closes the RUNNING attempts of step runs whose process is gone, ending them at `endTime` (never
 * before they started). Returns what was closed, with the process group each had started.
 */
export async function endRunningAttempts(trx: PipelineDb, stepRunIds: string[], status: Exclude<AttemptStatus, 'RUNNING'>, error: string, endTime: number): Promise<Array<{ stepRunId: string; attempt: number; processGroup: number | null }>> {
  if (!stepRunIds.length) return [];
  const rows = await trx
    .updateTable('step_attempts')
    .set((eb) => ({ status, error_message: error, end_time: eb.case().when('start_time', '>', endTime).then(eb.ref('start_time')).else(eb.val(endTime)).end() }))
    .where('step_run_id', 'in', stepRunIds)
    .where('status', '=', 'RUNNING')
    .returning(['step_run_id', 'attempt', 'process_group'])
    .execute();
  return rows.map((r) => ({ stepRunId: r.step_run_id, attempt: r.attempt, processGroup: r.process_group }));
}
