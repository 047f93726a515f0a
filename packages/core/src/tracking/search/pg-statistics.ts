import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

// PostgreSQL plans a search by its table statistics. Without them (never analyzed: a fresh bulk load,
// autovacuum off) it guesses a handful of rows per experiment and may pick joins that rescan a key's
// rows once per run, which takes minutes on 100k runs; so searches then keep their EXISTS tests as
// per-run probes, which is never that bad. With statistics the planner's own choice is better.

const TABLES = ['runs', 'params', 'run_tags', 'latest_metrics', 'experiments', 'experiment_tags'];
const RECHECK_MS = 60_000;
const known = new WeakMap<Kysely<Database>, { present: boolean; until: number }>();

/** Whether the search tables have fresh statistics (checked at most once a minute per database). */
export async function hasPlannerStatistics(db: Kysely<Database>): Promise<boolean> {
  const hit = known.get(db);
  if (hit && hit.until > Date.now()) return hit.present;
  // Analyzed, and not mostly rewritten since: more changes than live rows means the numbers are stale.
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from pg_stat_user_tables
    where schemaname = current_schema() and relname in (${sql.join(TABLES)})
      and coalesce(last_analyze, last_autoanalyze) is not null and n_mod_since_analyze <= greatest(n_live_tup, 1000)`.execute(db);
  const present = Number(rows[0]?.n ?? 0) === TABLES.length;
  known.set(db, { present, until: Date.now() + RECHECK_MS });
  return present;
}
