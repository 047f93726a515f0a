import type { LogLine } from '../entities.js';
import type { PipelineDb, StepLogRow } from './pipeline-tables.js';

export interface ReadLogsQuery {
  stepId?: string;
  /** Lines at or after this time (ms). */
  sinceTime?: number;
  limit: number;
}

/** Captured stdout/stderr of step attempts, in chunks of lines. */
export class LogStore {
  constructor(private readonly db: PipelineDb) {}

  async append(rows: StepLogRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await this.db.insertInto('step_logs').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['step_run_id', 'attempt', 'seq']).doNothing()).execute();
    }
  }

  /** The next sequence number for an attempt's lines (0 for a new attempt). */
  async nextSeq(stepRunId: string, attempt: number): Promise<number> {
    const row = await this.db.selectFrom('step_logs').select((eb) => eb.fn.max('seq').as('seq')).where('step_run_id', '=', stepRunId).where('attempt', '=', attempt).executeTakeFirst();
    return row?.seq == null ? 0 : Number(row.seq) + 1;
  }

  /** An attempt's lines after a position (all of the step run's when `after` is null), in attempt and line order. */
  async readAfter(stepRunId: string, stepId: string, after: { attempt: number; seq: number } | null, limit: number): Promise<LogLine[]> {
    let query = this.db.selectFrom('step_logs').selectAll().where('step_run_id', '=', stepRunId);
    if (after) query = query.where((eb) => eb.or([eb('attempt', '>', after.attempt), eb.and([eb('attempt', '=', after.attempt), eb('seq', '>', after.seq)])]));
    const rows = await query.orderBy('attempt').orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ stepRunId: r.step_run_id, stepId, attempt: Number(r.attempt), seq: Number(r.seq), stream: r.stream as LogLine['stream'], time: Number(r.time), text: r.text }));
  }

  async read(runId: string, q: ReadLogsQuery): Promise<LogLine[]> {
    let query = this.db
      .selectFrom('step_logs as l')
      .innerJoin('step_runs as s', 's.step_run_id', 'l.step_run_id')
      .selectAll('l')
      .select('s.step_id')
      .where('s.run_id', '=', runId);
    if (q.stepId) query = query.where('s.step_id', '=', q.stepId);
    if (q.sinceTime !== undefined) query = query.where('l.time', '>=', q.sinceTime);
    const rows = await query.orderBy('l.time').orderBy('s.position').orderBy('l.attempt').orderBy('l.seq').limit(q.limit).execute();
    return rows.map((r) => ({ stepRunId: r.step_run_id, stepId: r.step_id, attempt: r.attempt, seq: r.seq, stream: r.stream as LogLine['stream'], time: r.time, text: r.text }));
  }
}
