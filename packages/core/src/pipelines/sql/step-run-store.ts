import type { ArtifactRecord, CacheParts, CacheStatus, StepError, StepRun, StepStatus } from '../entities.js';
import { writeLineage, type LinkInput } from './lineage-store.js';
import { changed, type PipelineDb } from './pipeline-tables.js';
import { toArtifact, toStepRun } from './row-mappers.js';

export interface CacheDecision {
  key: string | null;
  parts: CacheParts | null;
  status: CacheStatus;
  note: string | null;
}

export interface Claimed {
  stepRunId: string;
  runId: string;
  stepId: string;
  attempt: number;
  trackingRunId: string | null;
}

const LIVE: StepStatus[] = ['QUEUED', 'RUNNING'];
const UNFINISHED: StepStatus[] = ['PENDING', 'QUEUED', 'RUNNING', 'RETRYING'];

const cacheColumns = (c: CacheDecision) => ({
  cache_key: c.key, cache_parts: c.parts ? JSON.stringify(c.parts) : null, cache_status: c.status, cache_note: c.note,
});

/**
 * Step runs and their state machine. Every transition names the state it expects, and an attempt's
 * end also names the claim token it was started with, so a stale or duplicate delivery (a queue
 * redelivering a job, a worker that was presumed dead) can never complete a step twice.
 */
export class StepRunStore {
  constructor(private readonly db: PipelineDb) {}

  async list(runId: string): Promise<StepRun[]> {
    const rows = await this.db.selectFrom('step_runs').selectAll().where('run_id', '=', runId).orderBy('position').execute();
    return rows.map(toStepRun);
  }

  async get(stepRunId: string): Promise<StepRun | null> {
    const row = await this.db.selectFrom('step_runs').selectAll().where('step_run_id', '=', stepRunId).executeTakeFirst();
    return row ? toStepRun(row) : null;
  }

  /** The raw attempt state, for executors checking on a delivery. */
  async attemptState(stepRunId: string): Promise<{ status: StepStatus; attempt: number; leaseTime: number | null; dispatchToken: string | null } | null> {
    const row = await this.db.selectFrom('step_runs').select(['status', 'attempt', 'lease_time', 'dispatch_token']).where('step_run_id', '=', stepRunId).executeTakeFirst();
    return row ? { status: row.status as StepStatus, attempt: row.attempt, leaseTime: row.lease_time, dispatchToken: row.dispatch_token } : null;
  }

  /** Hands an attempt to the executor: PENDING/RETRYING → QUEUED with a fresh dispatch token. */
  async markQueued(stepRunId: string, dispatchToken: string, attempt: number, cache: CacheDecision): Promise<boolean> {
    const r = await this.db
      .updateTable('step_runs')
      .set({ status: 'QUEUED', dispatch_token: dispatchToken, claim_token: null, attempt, ...cacheColumns(cache) })
      .where('step_run_id', '=', stepRunId)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /**
   * Starts an attempt: QUEUED (or RUNNING, for a redelivery after the first taker died) → RUNNING
   * under a new claim token. Null when the dispatch is stale or the step already finished.
   */
  async claim(stepRunId: string, dispatchToken: string, claimToken: string, worker: string, now: number): Promise<Claimed | null> {
    const row = await this.db
      .updateTable('step_runs')
      .set({ status: 'RUNNING', claim_token: claimToken, worker, start_time: now, lease_time: now, end_time: null })
      .where('step_run_id', '=', stepRunId)
      .where('dispatch_token', '=', dispatchToken)
      .where('status', 'in', LIVE)
      .returning(['step_run_id', 'run_id', 'step_id', 'attempt', 'tracking_run_id'])
      .executeTakeFirst();
    return row ? { stepRunId: row.step_run_id, runId: row.run_id, stepId: row.step_id, attempt: row.attempt, trackingRunId: row.tracking_run_id } : null;
  }

  /** Dispatches and starts an attempt in one write (a handler in this process): PENDING/RETRYING → RUNNING. */
  async claimDirect(stepRunId: string, dispatchToken: string, attempt: number, cache: CacheDecision, claimToken: string, worker: string, now: number): Promise<Claimed | null> {
    const row = await this.db
      .updateTable('step_runs')
      .set({ status: 'RUNNING', dispatch_token: dispatchToken, claim_token: claimToken, attempt, worker, start_time: now, lease_time: now, end_time: null, ...cacheColumns(cache) })
      .where('step_run_id', '=', stepRunId)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .returning(['step_run_id', 'run_id', 'step_id', 'attempt', 'tracking_run_id'])
      .executeTakeFirst();
    return row ? { stepRunId: row.step_run_id, runId: row.run_id, stepId: row.step_id, attempt: row.attempt, trackingRunId: row.tracking_run_id } : null;
  }

  /** Extends the attempt's lease; says whether the claim still holds and whether a cancel was asked for. */
  async renewLease(stepRunId: string, claimToken: string, now: number): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const row = await this.db
      .updateTable('step_runs')
      .set({ lease_time: now })
      .where('step_run_id', '=', stepRunId)
      .where('claim_token', '=', claimToken)
      .where('status', '=', 'RUNNING')
      .returning(['run_id'])
      .executeTakeFirst();
    if (!row) return { owned: false, cancelRequested: false };
    const run = await this.db.selectFrom('pipeline_runs').select(['cancel_requested', 'status']).where('run_id', '=', row.run_id).executeTakeFirst();
    return { owned: true, cancelRequested: run?.cancel_requested === 1 || run?.status !== 'RUNNING' };
  }

  /** Completes an attempt and records its lineage in the same transaction. False for a stale claim. */
  async complete(stepRunId: string, claimToken: string, now: number, outputs: LinkInput[], inputs: LinkInput[], trackingRunId: string | null): Promise<boolean> {
    const mark = (db: PipelineDb) => db
      .updateTable('step_runs')
      .set({ status: 'COMPLETED', end_time: now, error_message: null, error_stack: null, lease_time: null, tracking_run_id: trackingRunId })
      .where('step_run_id', '=', stepRunId)
      .where('claim_token', '=', claimToken)
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    // Without artifacts there is one statement: no transaction needed.
    if (!outputs.length && !inputs.length) return changed(await mark(this.db)) === 1;
    return this.db.transaction().execute(async (trx) => {
      if (changed(await mark(trx)) !== 1) return false;
      await writeLineage(trx, stepRunId, outputs, inputs);
      return true;
    });
  }

  /** Ends an attempt that did not complete: RETRYING (another attempt follows), FAILED or CANCELLED. */
  async endAttempt(stepRunId: string, claimToken: string, status: 'RETRYING' | 'FAILED' | 'CANCELLED', error: StepError, now: number, trackingRunId: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('step_runs')
      .set({ status, end_time: now, error_message: error.message, error_stack: error.stack, lease_time: null, tracking_run_id: trackingRunId })
      .where('step_run_id', '=', stepRunId)
      .where('claim_token', '=', claimToken)
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Fails an attempt that never started (a claim that could not run, an executor error). */
  async failDispatched(stepRunId: string, dispatchToken: string, error: StepError, now: number, retrying: boolean): Promise<boolean> {
    const r = await this.db
      .updateTable('step_runs')
      .set({ status: retrying ? 'RETRYING' : 'FAILED', end_time: now, error_message: error.message, error_stack: error.stack, lease_time: null })
      .where('step_run_id', '=', stepRunId)
      .where('dispatch_token', '=', dispatchToken)
      .where('status', 'in', LIVE)
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Records a cache hit: the step reuses `cachedFrom`'s outputs, with lineage, in one transaction. */
  async recordCached(stepRunId: string, now: number, cache: CacheDecision, cachedFrom: string, outputs: LinkInput[], inputs: LinkInput[]): Promise<boolean> {
    const mark = (db: PipelineDb) => db
      .updateTable('step_runs')
      .set({ status: 'CACHED', start_time: now, end_time: now, cached_from: cachedFrom, ...cacheColumns(cache) })
      .where('step_run_id', '=', stepRunId)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .executeTakeFirst();
    if (!outputs.length && !inputs.length) return changed(await mark(this.db)) === 1;
    return this.db.transaction().execute(async (trx) => {
      if (changed(await mark(trx)) !== 1) return false;
      await writeLineage(trx, stepRunId, outputs, inputs);
      return true;
    });
  }

  /** Records the tracking runs made for step runs after the fact (cache hits), in one transaction. */
  async setTrackingRuns(pairs: Array<{ stepRunId: string; trackingRunId: string }>): Promise<void> {
    if (!pairs.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (const p of pairs) await trx.updateTable('step_runs').set({ tracking_run_id: p.trackingRunId }).where('step_run_id', '=', p.stepRunId).execute();
    });
  }

  /** Moves unfinished steps of a run to a final status (SKIPPED, CANCELLED, FAILED), with a note. */
  async endUnfinished(runId: string, stepIds: string[] | null, status: StepStatus, note: string, now: number): Promise<string[]> {
    let q = this.db.updateTable('step_runs').set({ status, end_time: now, error_message: note, error_stack: null, lease_time: null }).where('run_id', '=', runId).where('status', 'in', UNFINISHED);
    if (stepIds) {
      if (!stepIds.length) return [];
      q = q.where('step_id', 'in', stepIds);
    }
    const rows = await q.returning(['tracking_run_id']).execute();
    return rows.map((r) => r.tracking_run_id).filter((id): id is string => id !== null);
  }

  /** For resume: every step that did not complete goes back to PENDING with its attempts reset. */
  async resetUnfinished(runId: string): Promise<number> {
    const r = await this.db
      .updateTable('step_runs')
      .set({ status: 'PENDING', attempt: 0, start_time: null, end_time: null, error_message: null, error_stack: null, dispatch_token: null, claim_token: null, lease_time: null, cache_status: null, cache_note: null, cached_from: null })
      .where('run_id', '=', runId)
      .where('status', 'not in', ['COMPLETED', 'CACHED'])
      .executeTakeFirst();
    return changed(r);
  }

  /** The latest completed step run with this cache key, with its outputs. */
  async findCached(cacheKey: string): Promise<{ stepRunId: string; trackingRunId: string | null; outputs: Record<string, ArtifactRecord> } | null> {
    const hit = await this.db
      .selectFrom('step_runs')
      .select(['step_run_id', 'tracking_run_id'])
      .where('cache_key', '=', cacheKey)
      .where('status', '=', 'COMPLETED')
      .orderBy('end_time', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!hit) return null;
    const rows = await this.db
      .selectFrom('artifact_links as l')
      .innerJoin('pipeline_artifacts as a', 'a.artifact_id', 'l.artifact_id')
      .selectAll('a')
      .select('l.name')
      .where('l.step_run_id', '=', hit.step_run_id)
      .where('l.direction', '=', 'output')
      .execute();
    return { stepRunId: hit.step_run_id, trackingRunId: hit.tracking_run_id, outputs: Object.fromEntries(rows.map((r) => [r.name, toArtifact(r)])) };
  }

  /** The latest completed run of a step (by name) before `before`, preferring the same pipeline. */
  async previousCompleted(stepName: string, pipelineName: string, before: number, excludeStepRunId: string): Promise<StepRun | null> {
    for (const samePipeline of [true, false]) {
      let q = this.db
        .selectFrom('step_runs as s')
        .innerJoin('pipeline_runs as p', 'p.run_id', 's.run_id')
        .selectAll('s')
        .where('s.step_name', '=', stepName)
        .where('s.status', '=', 'COMPLETED')
        .where('s.step_run_id', '!=', excludeStepRunId)
        .where('s.end_time', '<=', before);
      if (samePipeline) q = q.where('p.pipeline_name', '=', pipelineName);
      const row = await q.orderBy('s.end_time', 'desc').limit(1).executeTakeFirst();
      if (row) return toStepRun(row);
    }
    return null;
  }
}
