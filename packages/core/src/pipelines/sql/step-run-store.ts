import type { ArtifactRecord, CacheParts, CacheStatus, StepError, StepRun, StepStatus } from '../entities.js';
import { endRunningAttempts, startAttempt } from './attempt-rows.js';
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
  /** The attempt this claim started (a takeover starts the next number). */
  attempt: number;
  trackingRunId: string | null;
  /** True when the tracking run id is the one the claimer proposed (its run is still to be made). */
  newTrackingRun: boolean;
  /** Set when the claim took over an attempt whose taker stopped renewing its lease (a dead worker). */
  tookOver: { attempt: number; worker: string | null; processGroup: number | null } | null;
}

const LIVE: StepStatus[] = ['QUEUED', 'RUNNING'];
const UNFINISHED: StepStatus[] = ['PENDING', 'QUEUED', 'RUNNING', 'RETRYING'];

const cacheColumns = (c: CacheDecision) => ({
  cache_key: c.key, cache_parts: c.parts ? JSON.stringify(c.parts) : null, cache_status: c.status, cache_note: c.note,
});

/**
 * Step runs and their state machine. Every transition names the state it expects, and an attempt's
 * end also names the claim token it was started with, so a stale or duplicate delivery (a queue
 * redelivering a job, a worker that was presumed dead) can never complete a step twice. Each claim
 * starts a numbered attempt (`step_attempts`) in the same transaction, and each end closes it.
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

  /** Hands the next attempt to the executor: PENDING/RETRYING → QUEUED with a fresh dispatch token. Its number, or null. */
  async markQueued(stepRunId: string, dispatchToken: string, cache: CacheDecision): Promise<number | null> {
    const row = await this.db
      .updateTable('step_runs')
      .set((eb) => ({ status: 'QUEUED', dispatch_token: dispatchToken, claim_token: null, attempt: eb('attempt', '+', 1), ...cacheColumns(cache) }))
      .where('step_run_id', '=', stepRunId)
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .returning('attempt')
      .executeTakeFirst();
    return row?.attempt ?? null;
  }

  /**
   * Starts an attempt: QUEUED → RUNNING under a new claim token, or RUNNING → RUNNING for a
   * redelivery after the first taker died, which takes over: its attempt is closed (FAILED, ended at
   * its last lease renewal) and the next number starts. Null when the dispatch is stale, the step
   * already finished, or another claimer won the race. `trackingRunId` is used when the step run
   * has none yet.
   */
  async claim(stepRunId: string, dispatchToken: string, claimToken: string, worker: string, now: number, trackingRunId: string | null = null): Promise<Claimed | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('step_runs')
        .select(['run_id', 'step_id', 'status', 'attempt', 'claim_token', 'dispatch_token', 'lease_time', 'worker', 'tracking_run_id'])
        .where('step_run_id', '=', stepRunId)
        .executeTakeFirst();
      if (!row || row.dispatch_token !== dispatchToken || !LIVE.includes(row.status as StepStatus)) return null;
      const takeover = row.status === 'RUNNING';
      const attempt = takeover ? row.attempt + 1 : row.attempt;
      const tracking = row.tracking_run_id ?? trackingRunId;
      const r = await trx
        .updateTable('step_runs')
        .set({ status: 'RUNNING', attempt, claim_token: claimToken, worker, start_time: now, lease_time: now, end_time: null, tracking_run_id: tracking })
        .where('step_run_id', '=', stepRunId)
        .where('dispatch_token', '=', dispatchToken)
        .where('status', '=', row.status)
        .where('attempt', '=', row.attempt)
        .where((eb) => (row.claim_token === null ? eb('claim_token', 'is', null) : eb('claim_token', '=', row.claim_token)))
        .executeTakeFirst();
      if (changed(r) !== 1) return null;
      let tookOver: Claimed['tookOver'] = null;
      if (takeover) {
        const why = `abandoned: ${row.worker ?? 'its worker'} stopped renewing its lease (killed or stalled); attempt ${attempt} took over`;
        const [ended] = await endRunningAttempts(trx, [stepRunId], 'FAILED', why, row.lease_time ?? now);
        tookOver = { attempt: row.attempt, worker: row.worker, processGroup: ended?.processGroup ?? null };
      }
      await startAttempt(trx, stepRunId, attempt, worker, now);
      return { stepRunId, runId: row.run_id, stepId: row.step_id, attempt, trackingRunId: tracking, newTrackingRun: tracking !== null && tracking === trackingRunId, tookOver };
    });
  }

  /** Dispatches and starts the next attempt in one transaction (a handler in this process): PENDING/RETRYING → RUNNING. */
  async claimDirect(stepRunId: string, dispatchToken: string, cache: CacheDecision, claimToken: string, worker: string, now: number, trackingRunId: string | null = null): Promise<Claimed | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('step_runs')
        .set((eb) => ({
          status: 'RUNNING', dispatch_token: dispatchToken, claim_token: claimToken, attempt: eb('attempt', '+', 1), worker, start_time: now, lease_time: now, end_time: null,
          tracking_run_id: eb.fn.coalesce('tracking_run_id', eb.val(trackingRunId)), ...cacheColumns(cache),
        }))
        .where('step_run_id', '=', stepRunId)
        .where('status', 'in', ['PENDING', 'RETRYING'])
        .returning(['step_run_id', 'run_id', 'step_id', 'attempt', 'tracking_run_id'])
        .executeTakeFirst();
      if (!row) return null;
      await startAttempt(trx, stepRunId, row.attempt, worker, now);
      return {
        stepRunId: row.step_run_id, runId: row.run_id, stepId: row.step_id, attempt: row.attempt, trackingRunId: row.tracking_run_id,
        newTrackingRun: row.tracking_run_id !== null && row.tracking_run_id === trackingRunId, tookOver: null,
      };
    });
  }

  /** Forgets a tracking run id that was recorded at the claim but could not be created. */
  async clearTrackingRun(stepRunId: string, trackingRunId: string): Promise<void> {
    await this.db.updateTable('step_runs').set({ tracking_run_id: null }).where('step_run_id', '=', stepRunId).where('tracking_run_id', '=', trackingRunId).execute();
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
  async complete(stepRunId: string, claimToken: string, now: number, outputs: LinkInput[], inputs: LinkInput[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('step_runs')
        .set({ status: 'COMPLETED', end_time: now, error_message: null, error_stack: null, lease_time: null })
        .where('step_run_id', '=', stepRunId)
        .where('claim_token', '=', claimToken)
        .where('status', '=', 'RUNNING')
        .returning('attempt')
        .executeTakeFirst();
      if (!row) return false;
      await trx.updateTable('step_attempts').set({ status: 'COMPLETED', end_time: now }).where('step_run_id', '=', stepRunId).where('attempt', '=', row.attempt).execute();
      await writeLineage(trx, stepRunId, outputs, inputs);
      return true;
    });
  }

  /** Ends an attempt that did not complete: RETRYING (another attempt follows), FAILED or CANCELLED. */
  async endAttempt(stepRunId: string, claimToken: string, status: 'RETRYING' | 'FAILED' | 'CANCELLED', error: StepError, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('step_runs')
        .set({ status, end_time: now, error_message: error.message, error_stack: error.stack, lease_time: null })
        .where('step_run_id', '=', stepRunId)
        .where('claim_token', '=', claimToken)
        .where('status', '=', 'RUNNING')
        .returning('attempt')
        .executeTakeFirst();
      if (!row) return false;
      await trx
        .updateTable('step_attempts')
        .set({ status: status === 'CANCELLED' ? 'CANCELLED' : 'FAILED', end_time: now, error_message: error.message })
        .where('step_run_id', '=', stepRunId)
        .where('attempt', '=', row.attempt)
        .execute();
      return true;
    });
  }

  /** Fails an attempt that never got going (a claim that could not run, an executor error). */
  async failDispatched(stepRunId: string, dispatchToken: string, error: StepError, now: number, retrying: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('step_runs')
        .set({ status: retrying ? 'RETRYING' : 'FAILED', end_time: now, error_message: error.message, error_stack: error.stack, lease_time: null })
        .where('step_run_id', '=', stepRunId)
        .where('dispatch_token', '=', dispatchToken)
        .where('status', 'in', LIVE)
        .executeTakeFirst();
      if (changed(r) !== 1) return false;
      await endRunningAttempts(trx, [stepRunId], 'FAILED', error.message, now);
      return true;
    });
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

  /**
   * Moves unfinished steps of a run to a final status (SKIPPED, CANCELLED, FAILED), with a note, and
   * closes their running attempts. `diedAt` is when the process running them was last known alive
   * (a run whose runner died): their end time. Returns the steps' tracking run ids.
   */
  async endUnfinished(runId: string, stepIds: string[] | null, status: StepStatus, note: string, now: number, diedAt: number = now): Promise<string[]> {
    if (stepIds && !stepIds.length) return [];
    return this.db.transaction().execute(async (trx) => {
      let running = trx.selectFrom('step_runs').select(['step_run_id', 'lease_time']).where('run_id', '=', runId).where('status', '=', 'RUNNING');
      if (stepIds) running = running.where('step_id', 'in', stepIds);
      const live = await running.execute();
      let q = trx
        .updateTable('step_runs')
        .set((eb) => ({
          status, error_message: note, error_stack: null, lease_time: null,
          // Never before the step started, nor before its last lease renewal (a worker outliving its runner).
          end_time: eb.case()
            .when(eb.fn.coalesce('lease_time', 'start_time', eb.val(diedAt)), '>', diedAt).then(eb.fn.coalesce('lease_time', 'start_time', eb.val(diedAt)))
            .else(eb.val(diedAt)).end(),
        }))
        .where('run_id', '=', runId)
        .where('status', 'in', UNFINISHED);
      if (stepIds) q = q.where('step_id', 'in', stepIds);
      const rows = await q.returning(['step_run_id', 'tracking_run_id']).execute();
      const attemptStatus = status === 'CANCELLED' || status === 'SKIPPED' ? 'CANCELLED' : 'FAILED';
      for (const r of live) await endRunningAttempts(trx, [r.step_run_id], attemptStatus, note, Math.max(diedAt, r.lease_time ?? 0));
      return rows.map((r) => r.tracking_run_id).filter((id): id is string => id !== null);
    });
  }

  /**
   * For resume: every step that did not complete goes back to PENDING. Attempt numbers go on from
   * where they were (the next attempt of a step killed at attempt 1 is attempt 2), and each step
   * gets its retry budget again: `maxAttempts` of the step (by id) more attempts.
   */
  async resetUnfinished(runId: string, budgets: Map<string, number>): Promise<number> {
    const byBudget = new Map<number, string[]>();
    for (const [stepId, n] of budgets) byBudget.set(n, [...(byBudget.get(n) ?? []), stepId]);
    return this.db.transaction().execute(async (trx) => {
      const unfinished = await trx.selectFrom('step_runs').select('step_run_id').where('run_id', '=', runId).where('status', 'not in', ['COMPLETED', 'CACHED']).execute();
      await endRunningAttempts(trx, unfinished.map((r) => r.step_run_id), 'FAILED', 'abandoned: the run was resumed', Date.now());
      let n = 0;
      for (const [budget, stepIds] of byBudget) {
        const r = await trx
          .updateTable('step_runs')
          .set((eb) => ({
            status: 'PENDING', max_attempts: eb('attempt', '+', budget), start_time: null, end_time: null, error_message: null, error_stack: null,
            dispatch_token: null, claim_token: null, lease_time: null, cache_status: null, cache_note: null, cached_from: null,
          }))
          .where('run_id', '=', runId)
          .where('step_id', 'in', stepIds)
          .where('status', 'not in', ['COMPLETED', 'CACHED'])
          .executeTakeFirst();
        n += changed(r);
      }
      return n;
    });
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
