import type { Schedule } from '../entities.js';
import { changed, type PipelineDb, type PipelineScheduleRow } from './pipeline-tables.js';
import { toSchedule } from './row-mappers.js';

/** A scheduler's hold on one tick, from its claim until the tick's run exists. */
export interface TickClaim {
  scheduleId: string;
  tickTime: number;
  claimToken: string;
}

/**
 * Cron schedules and the ticks fired for them. A tick is claimed by inserting it under its primary
 * key (one caller wins) with the claimer's token and a lease; the run it starts is recorded on it in
 * the transaction that creates the run (`attachRun`), so a tick has a run exactly when it fired.
 * A claim whose lease lapsed with no run (its scheduler died while loading the pipeline) is taken
 * over by another scheduler.
 */
export class ScheduleStore {
  constructor(private readonly db: PipelineDb) {}

  async create(row: PipelineScheduleRow): Promise<void> {
    await this.db.insertInto('pipeline_schedules').values(row).execute();
  }

  async list(): Promise<Schedule[]> {
    return (await this.db.selectFrom('pipeline_schedules').selectAll().orderBy('name').execute()).map(toSchedule);
  }

  async getByName(name: string): Promise<Schedule | null> {
    const row = await this.db.selectFrom('pipeline_schedules').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toSchedule(row) : null;
  }

  async delete(name: string): Promise<boolean> {
    return changed(await this.db.deleteFrom('pipeline_schedules').where('name', '=', name).executeTakeFirst()) === 1;
  }

  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    return changed(await this.db.updateTable('pipeline_schedules').set({ enabled: enabled ? 1 : 0 }).where('name', '=', name).executeTakeFirst()) === 1;
  }

  /**
   * Claims one tick of a schedule. The tick's primary key makes this succeed for exactly one caller,
   * however many schedulers are running.
   */
  async claimTick(scheduleId: string, tickTime: number, now: number, claimToken: string): Promise<boolean> {
    const r = await this.db
      .insertInto('schedule_ticks')
      .values({ schedule_id: scheduleId, tick_time: tickTime, run_id: null, fired_time: now, error: null, claim_token: claimToken, lease_time: now })
      .onConflict((oc) => oc.columns(['schedule_id', 'tick_time']).doNothing())
      .executeTakeFirst();
    const claimed = Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    if (claimed) {
      await this.db.updateTable('pipeline_schedules').set({ last_tick_time: tickTime }).where('schedule_id', '=', scheduleId).where((eb) => eb.or([eb('last_tick_time', 'is', null), eb('last_tick_time', '<', tickTime)])).execute();
    }
    return claimed;
  }

  /**
   * Claims left half-done: ticks with neither a run nor an error whose lease is older than `cutoff`.
   * Only each enabled schedule's latest tick is worth firing; older ones (a later tick fired since)
   * are closed with an error saying so.
   */
  async abandonedTicks(cutoff: number): Promise<Array<{ scheduleId: string; tickTime: number }>> {
    const rows = await this.db
      .selectFrom('schedule_ticks as t')
      .innerJoin('pipeline_schedules as s', 's.schedule_id', 't.schedule_id')
      .select(['t.schedule_id', 't.tick_time', 's.last_tick_time', 's.enabled'])
      .where('t.run_id', 'is', null)
      .where('t.error', 'is', null)
      .where((eb) => eb.or([eb('t.lease_time', 'is', null), eb('t.lease_time', '<', cutoff)]))
      .execute();
    const latest: Array<{ scheduleId: string; tickTime: number }> = [];
    for (const r of rows) {
      if (r.last_tick_time !== null && r.tick_time < r.last_tick_time) {
        await this.db
          .updateTable('schedule_ticks')
          .set({ error: 'not fired: the scheduler that claimed it stopped before starting its run, and a later tick has fired since' })
          .where('schedule_id', '=', r.schedule_id)
          .where('tick_time', '=', r.tick_time)
          .where('run_id', 'is', null)
          .execute();
      } else if (r.enabled === 1) {
        latest.push({ scheduleId: r.schedule_id, tickTime: r.tick_time });
      }
    }
    return latest;
  }

  /** Takes over a claim whose lease lapsed with no run; one caller wins. */
  async takeOverTick(claim: TickClaim, now: number, cutoff: number): Promise<boolean> {
    const r = await this.db
      .updateTable('schedule_ticks')
      .set({ claim_token: claim.claimToken, lease_time: now })
      .where('schedule_id', '=', claim.scheduleId)
      .where('tick_time', '=', claim.tickTime)
      .where('run_id', 'is', null)
      .where('error', 'is', null)
      .where((eb) => eb.or([eb('lease_time', 'is', null), eb('lease_time', '<', cutoff)]))
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Extends a claim's lease while its scheduler loads the pipeline and starts the run. */
  async renewTick(claim: TickClaim, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('schedule_ticks')
      .set({ lease_time: now })
      .where('schedule_id', '=', claim.scheduleId)
      .where('tick_time', '=', claim.tickTime)
      .where('claim_token', '=', claim.claimToken)
      .where('run_id', 'is', null)
      .executeTakeFirst();
    return changed(r) === 1;
  }

  /** Records why a claimed tick could not start its run (while the claim still holds). */
  async recordTickError(claim: TickClaim, error: string): Promise<void> {
    await this.db
      .updateTable('schedule_ticks')
      .set({ error })
      .where('schedule_id', '=', claim.scheduleId)
      .where('tick_time', '=', claim.tickTime)
      .where('claim_token', '=', claim.claimToken)
      .where('run_id', 'is', null)
      .execute();
  }

  async ticks(scheduleId: string, limit: number): Promise<Array<{ tickTime: number; runId: string | null; firedTime: number; error: string | null }>> {
    const rows = await this.db.selectFrom('schedule_ticks').selectAll().where('schedule_id', '=', scheduleId).orderBy('tick_time', 'desc').limit(limit).execute();
    return rows.map((r) => ({ tickTime: r.tick_time, runId: r.run_id, firedTime: r.fired_time, error: r.error }));
  }
}

/**
 * Records the run a claimed tick started, inside the transaction that creates the run. False when
 * the claim no longer holds (another scheduler took it over): the caller rolls the run back.
 */
export async function attachRun(trx: PipelineDb, claim: TickClaim, runId: string): Promise<boolean> {
  const r = await trx
    .updateTable('schedule_ticks')
    .set({ run_id: runId })
    .where('schedule_id', '=', claim.scheduleId)
    .where('tick_time', '=', claim.tickTime)
    .where('claim_token', '=', claim.claimToken)
    .where('run_id', 'is', null)
    .where('error', 'is', null)
    .executeTakeFirst();
  return changed(r) === 1;
}
