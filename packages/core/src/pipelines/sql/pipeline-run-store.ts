import type { PipelineRun, PipelineRunStatus, PipelineSummary } from '../entities.js';
import { CairnError } from '../../errors.js';
import { changed, type PipelineDb, type PipelineDefinitionRow, type PipelineRunRow, type StepRunRow } from './pipeline-tables.js';
import { attachRun, type TickClaim } from './schedule-store.js';
import { toPipelineRun } from './row-mappers.js';

// Rows per INSERT: below both dialects' bound-parameter limits with ~25 columns.
const BATCH = 400;

export interface ListRunsQuery {
  pipelineName?: string;
  status?: PipelineRunStatus;
  limit: number;
  /** Runs created before this time (paging backwards). */
  before?: number;
}

/** Pipeline runs and the pipeline definitions they were started from. */
export class PipelineRunStore {
  constructor(private readonly db: PipelineDb) {}

  /**
   * Creates a run, all its step runs and the definition entry in one transaction; for a scheduled
   * run, also records it on the tick that fired it (CONFLICT, and nothing created, when another
   * scheduler took that tick over).
   */
  async create(run: PipelineRunRow, steps: StepRunRow[], definition: PipelineDefinitionRow, tick?: TickClaim): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('pipeline_runs').values(run).execute();
      if (tick && !(await attachRun(trx, tick, run.run_id))) throw new CairnError('CONFLICT', 'Another scheduler took this schedule tick over; it starts the run.');
      for (let i = 0; i < steps.length; i += BATCH) await trx.insertInto('step_runs').values(steps.slice(i, i + BATCH)).execute();
      const { name: _name, ...rest } = definition;
      await trx.insertInto('pipeline_definitions').values(definition).onConflict((oc) => oc.column('name').doUpdateSet(rest)).execute();
    });
  }

  async get(runId: string): Promise<PipelineRun | null> {
    const row = await this.db.selectFrom('pipeline_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row ? toPipelineRun(row) : null;
  }

  async list(q: ListRunsQuery): Promise<PipelineRun[]> {
    let query = this.db.selectFrom('pipeline_runs').selectAll();
    if (q.pipelineName) query = query.where('pipeline_name', '=', q.pipelineName);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.before !== undefined) query = query.where('created_time', '<', q.before);
    const rows = await query.orderBy('created_time', 'desc').orderBy('run_id', 'desc').limit(q.limit).execute();
    return rows.map(toPipelineRun);
  }

  async setTracking(runId: string, experimentId: number, trackingRunId: string): Promise<void> {
    await this.db.updateTable('pipeline_runs').set({ experiment_id: experimentId, tracking_run_id: trackingRunId }).where('run_id', '=', runId).execute();
  }

  /** Records that the owner is alive. `owned: false` means another process took the run over or ended it. */
  async heartbeat(runId: string, owner: string, now: number): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const row = await this.db
      .updateTable('pipeline_runs')
      .set({ heartbeat_time: now })
      .where('run_id', '=', runId)
      .where('owner_token', '=', owner)
      .where('status', '=', 'RUNNING')
      .returning(['cancel_requested'])
      .executeTakeFirst();
    return { owned: row !== undefined, cancelRequested: row?.cancel_requested === 1 };
  }

  /** Ends a run the caller owns. False if it no longer does. */
  async finish(runId: string, owner: string, status: PipelineRunStatus, reason: string | null, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('pipeline_runs')
      .set({ status, status_reason: reason, end_time: now, heartbeat_time: now, owner_token: null })
      .where('run_id', '=', runId)
      .where('owner_token', '=', owner)
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Asks the owner to cancel. Returns the run's status at the time. */
  async requestCancel(runId: string): Promise<void> {
    await this.db.updateTable('pipeline_runs').set({ cancel_requested: 1 }).where('run_id', '=', runId).where('status', '=', 'RUNNING').execute();
  }

  /**
   * Ends a RUNNING run no owner is looking after: its heartbeat is older than `cutoff` (or, with
   * `runner`, that process is known to be gone). Ends it at `endTime` (default now).
   */
  async endOrphan(runId: string, status: PipelineRunStatus, reason: string, cutoff: number, now: number, options: { runner?: string; endTime?: number } = {}): Promise<boolean> {
    const r = await this.db
      .updateTable('pipeline_runs')
      .set({ status, status_reason: reason, end_time: options.endTime ?? now, owner_token: null })
      .where('run_id', '=', runId)
      .where('status', '=', 'RUNNING')
      .where((eb) => (options.runner
        ? eb('runner', '=', options.runner)
        : eb.or([eb('heartbeat_time', 'is', null), eb('heartbeat_time', '<', cutoff)])))
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Takes a finished (failed or cancelled) run back for `resume`; only one caller wins. */
  async claimForResume(runId: string, owner: string, runner: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('pipeline_runs')
      .set((eb) => ({ status: 'RUNNING', status_reason: null, end_time: null, owner_token: owner, runner, heartbeat_time: now, cancel_requested: 0, resume_count: eb('resume_count', '+', 1) }))
      .where('run_id', '=', runId)
      .where('status', 'in', ['FAILED', 'CANCELLED'])
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /**
   * Ends RUNNING runs whose heartbeat is older than `cutoff`: FAILED, or CANCELLED when a cancel
   * was asked for, each ended at its last heartbeat (when its runner was last known alive).
   */
  async reapStale(cutoff: number, now: number, reasons: { failed: string; cancelled: string }): Promise<Array<{ runId: string; status: PipelineRunStatus; reason: string; diedAt: number }>> {
    const stale = await this.db.selectFrom('pipeline_runs').select(['run_id', 'heartbeat_time', 'cancel_requested']).where('status', '=', 'RUNNING').where('heartbeat_time', '<', cutoff).execute();
    const ended: Array<{ runId: string; status: PipelineRunStatus; reason: string; diedAt: number }> = [];
    for (const r of stale) {
      const status: PipelineRunStatus = r.cancel_requested === 1 ? 'CANCELLED' : 'FAILED';
      const reason = status === 'CANCELLED' ? reasons.cancelled : reasons.failed;
      const diedAt = r.heartbeat_time ?? now;
      if (await this.endOrphan(r.run_id, status, reason, cutoff, now, { endTime: diedAt })) ended.push({ runId: r.run_id, status, reason, diedAt });
    }
    return ended;
  }

  async listDefinitions(): Promise<PipelineSummary[]> {
    const defs = await this.db.selectFrom('pipeline_definitions').selectAll().orderBy('name').execute();
    const out: PipelineSummary[] = [];
    for (const d of defs) {
      const last = await this.db
        .selectFrom('pipeline_runs')
        .select(['run_id', 'status', 'created_time'])
        .where('pipeline_name', '=', d.name)
        .orderBy('created_time', 'desc')
        .limit(1)
        .executeTakeFirst();
      out.push({
        name: d.name,
        source: d.source_file ? { file: d.source_file, exportName: d.export_name } : null,
        params: JSON.parse(d.params) as Record<string, unknown>,
        stepCount: d.step_count,
        updatedTime: d.updated_time,
        lastRun: last ? { runId: last.run_id, status: last.status as PipelineRunStatus, createdTime: last.created_time } : null,
      });
    }
    return out;
  }
}
