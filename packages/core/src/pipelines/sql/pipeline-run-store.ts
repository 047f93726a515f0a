import type { PipelineRun, PipelineRunStatus, PipelineSummary } from '../entities.js';
import { changed, type PipelineDb, type PipelineDefinitionRow, type PipelineRunRow, type StepRunRow } from './pipeline-tables.js';
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

  /** Creates a run, all its step runs and the definition entry in one transaction. */
  async create(run: PipelineRunRow, steps: StepRunRow[], definition: PipelineDefinitionRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('pipeline_runs').values(run).execute();
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

  /** Ends a RUNNING run no owner is looking after (used by cancel when the runner is gone). */
  async endOrphan(runId: string, status: PipelineRunStatus, reason: string, cutoff: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('pipeline_runs')
      .set({ status, status_reason: reason, end_time: now, owner_token: null })
      .where('run_id', '=', runId)
      .where('status', '=', 'RUNNING')
      .where((eb) => eb.or([eb('heartbeat_time', 'is', null), eb('heartbeat_time', '<', cutoff)]))
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Takes a finished (failed or cancelled) run back for `resume`; only one caller wins. */
  async claimForResume(runId: string, owner: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('pipeline_runs')
      .set((eb) => ({ status: 'RUNNING', status_reason: null, end_time: null, owner_token: owner, heartbeat_time: now, cancel_requested: 0, resume_count: eb('resume_count', '+', 1) }))
      .where('run_id', '=', runId)
      .where('status', 'in', ['FAILED', 'CANCELLED'])
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Marks RUNNING runs whose heartbeat is older than `cutoff` FAILED. Returns the ids it ended. */
  async reapStale(cutoff: number, now: number, reason: string): Promise<string[]> {
    const stale = await this.db.selectFrom('pipeline_runs').select('run_id').where('status', '=', 'RUNNING').where('heartbeat_time', '<', cutoff).execute();
    const ended: string[] = [];
    for (const { run_id } of stale) if (await this.endOrphan(run_id, 'FAILED', reason, cutoff, now)) ended.push(run_id);
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
