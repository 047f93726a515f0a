import type { Schedule } from '../entities.js';
import { changed, type PipelineDb, type PipelineScheduleRow } from './pipeline-tables.js';
import { toSchedule } from './row-mappers.js';

/** Cron schedules and the ticks fired for them. */
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
  async claimTick(scheduleId: string, tickTime: number, now: number): Promise<boolean> {
    const r = await this.db
      .insertInto('schedule_ticks')
      .values({ schedule_id: scheduleId, tick_time: tickTime, run_id: null, fired_time: now, error: null })
      .onConflict((oc) => oc.columns(['schedule_id', 'tick_time']).doNothing())
      .executeTakeFirst();
    const claimed = Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    if (claimed) {
      await this.db.updateTable('pipeline_schedules').set({ last_tick_time: tickTime }).where('schedule_id', '=', scheduleId).where((eb) => eb.or([eb('last_tick_time', 'is', null), eb('last_tick_time', '<', tickTime)])).execute();
    }
    return claimed;
  }

  async recordTick(scheduleId: string, tickTime: number, result: { runId: string } | { error: string }): Promise<void> {
    await this.db
      .updateTable('schedule_ticks')
      .set('runId' in result ? { run_id: result.runId } : { error: result.error })
      .where('schedule_id', '=', scheduleId)
      .where('tick_time', '=', tickTime)
      .execute();
  }

  async ticks(scheduleId: string, limit: number): Promise<Array<{ tickTime: number; runId: string | null; firedTime: number; error: string | null }>> {
    const rows = await this.db.selectFrom('schedule_ticks').selectAll().where('schedule_id', '=', scheduleId).orderBy('tick_time', 'desc').limit(limit).execute();
    return rows.map((r) => ({ tickTime: r.tick_time, runId: r.run_id, firedTime: r.fired_time, error: r.error }));
  }
}
