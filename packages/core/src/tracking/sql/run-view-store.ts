import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Per-experiment counts the experiments page shows. */
export interface ExperimentStats {
  experimentId: string;
  /** Active runs. */
  runCount: number;
  /** Latest start or end time of an active run (epoch ms), null without runs. */
  lastRunTime: number | null;
}

/** The names a filter or a column can refer to in some experiments. */
export interface ExperimentKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

const KEY_TABLES = { metrics: 'latest_metrics', params: 'params', tags: 'run_tags' } as const;

/** Read-only queries behind the UI's overview pages, one SQL text for SQLite and PostgreSQL. */
export class RunViewStore {
  constructor(private readonly db: Kysely<Database>) {}

  async stats(experimentIds: number[]): Promise<ExperimentStats[]> {
    if (!experimentIds.length) return [];
    const rows = await this.db
      .selectFrom('runs')
      .select((eb) => [
        'experiment_id',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.max('start_time').as('last_start'),
        eb.fn.max('end_time').as('last_end'),
      ])
      .where('experiment_id', 'in', experimentIds)
      .where('lifecycle_stage', '=', 'active')
      .groupBy('experiment_id')
      .execute();
    const byId = new Map(rows.map((r) => [Number(r.experiment_id), r]));
    return experimentIds.map((id) => {
      const r = byId.get(id);
      const times = [r?.last_start, r?.last_end].filter((t) => t !== null && t !== undefined).map(Number);
      return { experimentId: String(id), runCount: r ? Number(r.n) : 0, lastRunTime: times.length ? Math.max(...times) : null };
    });
  }

  /**
   * Distinct metric, param and tag keys used by active runs of the experiments, at most `limit` of
   * each. The distinct keys are walked on the (key, value) index one key at a time (a loose index
   * scan, written as a recursive query because neither database skips on its own), and each is kept
   * if some run of the experiments has it: a few index probes per key instead of reading every row.
   */
  async keys(experimentIds: number[], limit: number): Promise<ExperimentKeys> {
    const out: ExperimentKeys = { metrics: [], params: [], tags: [] };
    if (!experimentIds.length) return out;
    for (const [kind, table] of Object.entries(KEY_TABLES) as Array<[keyof ExperimentKeys, string]>) {
      const t = sql.table(table);
      const ids = sql.join(experimentIds.map((id) => sql`${id}`));
      const rows = await sql<{ key: string }>`
        with recursive k(key) as (
          select min(key) from ${t}
          union all
          select (select min(t2.key) from ${t} t2 where t2.key > k.key) from k where k.key is not null
        )
        select k.key as key from k
        where k.key is not null and exists (
          select 1 from ${t} x join runs r on r.run_uuid = x.run_uuid
          where x.key = k.key and r.experiment_id in (${ids}) and r.lifecycle_stage = 'active'
        )
        limit ${limit}`.execute(this.db);
      out[kind] = rows.rows.map((r) => r.key);
    }
    return out;
  }
}
