import type { StepAttempt } from '../entities.js';
import type { PipelineDb } from './pipeline-tables.js';
import { toStepAttempt } from './row-mappers.js';

/**
 * The attempts of step runs (`step_attempts`), as StepRunStore's transitions write them: what
 * `pipelines show` lists, and what a takeover, a resume or a sweep needs to clean up after an
 * attempt whose process died (its process group, its scratch folder).
 */
export class StepAttemptStore {
  constructor(private readonly db: PipelineDb) {}

  /** Every attempt of a run's steps, in step order and then by number. */
  async attempts(runId: string): Promise<StepAttempt[]> {
    const rows = await this.db
      .selectFrom('step_attempts as a')
      .innerJoin('step_runs as s', 's.step_run_id', 'a.step_run_id')
      .selectAll('a')
      .select('s.step_id')
      .where('s.run_id', '=', runId)
      .orderBy('s.position')
      .orderBy('a.attempt')
      .execute();
    return rows.map(toStepAttempt);
  }

  /** Records the process group of an attempt's child process, so whoever takes the step over can kill what is left of it. */
  async recordProcessGroup(stepRunId: string, attempt: number, processGroup: number): Promise<void> {
    await this.db.updateTable('step_attempts').set({ process_group: processGroup }).where('step_run_id', '=', stepRunId).where('attempt', '=', attempt).execute();
  }

  /** Attempts of a run's steps that started a child process (command and isolated steps). */
  async processGroups(runId: string): Promise<Array<{ stepRunId: string; attempt: number; worker: string | null; processGroup: number }>> {
    const rows = await this.db
      .selectFrom('step_attempts as a')
      .innerJoin('step_runs as s', 's.step_run_id', 'a.step_run_id')
      .select(['a.step_run_id', 'a.attempt', 'a.worker', 'a.process_group'])
      .where('s.run_id', '=', runId)
      .where('a.process_group', 'is not', null)
      .where('s.status', 'not in', ['COMPLETED', 'CACHED'])
      .execute();
    return rows.map((r) => ({ stepRunId: r.step_run_id, attempt: r.attempt, worker: r.worker, processGroup: r.process_group! }));
  }

  /** Which of these step runs' attempts are RUNNING, as `stepRunId:attempt`. */
  async runningAttempts(stepRunIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < stepRunIds.length; i += 500) {
      const rows = await this.db.selectFrom('step_attempts').select(['step_run_id', 'attempt']).where('step_run_id', 'in', stepRunIds.slice(i, i + 500)).where('status', '=', 'RUNNING').execute();
      for (const r of rows) out.add(`${r.step_run_id}:${r.attempt}`);
    }
    return out;
  }
}
