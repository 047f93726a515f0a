import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import type { ViewType } from '../entities.js';
import type { SearchTarget } from './ast.js';
import { parseOrderBy, type ExperimentTieBreak } from './order-by.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { parseFilter } from './parser.js';
import { hasPlannerStatistics } from './pg-statistics.js';
import { compileFilter } from './sql-filter.js';
import { leadsWithKey, planSearch } from './sql-plan.js';

export const DEFAULT_MAX_RESULTS = 1000;
export const MAX_RESULTS_LIMIT = 50_000;

export interface RunSearchQuery {
  /** Decimal experiment ids; an empty list finds nothing. */
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  /** 1..50,000; 1,000 when absent. */
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

export interface ExperimentSearchQuery {
  filter?: string;
  /** How ties are broken after an explicit order: `cairn` (default, `experiment_id ASC`) or `mlflow`. */
  tieBreak?: ExperimentTieBreak;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

/**
 * Returns one page of the ids of the runs a search finds, in order.
 *
 * @example
 * ```ts
 * const { ids, nextPageToken } = await searchRunIds(db, 'sqlite', {
 *   experimentIds: ['1'],
 *   filter: "metrics.acc > 0.9 and params.model = 'cnn'",
 *   orderBy: ['metrics.acc DESC'],
 *   maxResults: 100,
 * });
 * ```
 */
export async function searchRunIds(
  db: Kysely<Database>,
  dialect: Dialect,
  q: RunSearchQuery,
  tuning: SearchTuning = DEFAULT_TUNING,
): Promise<{ ids: string[]; nextPageToken: string | null }> {
  const experimentIds = [...new Set(q.experimentIds.map(parseExperimentId))];
  const where = [lifecycleCondition('runs', q.viewType)];
  where.push(experimentIds.length === 1 ? sql<SqlBool>`runs.experiment_id = ${experimentIds[0]}` : sql<SqlBool>`runs.experiment_id in (${sql.join(experimentIds)})`);
  const page = await searchPage(db, dialect, 'runs', q, where, experimentIds.length === 0, tuning);
  return { ids: page.ids.map(String), nextPageToken: page.nextPageToken };
}

/**
 * Returns one page of the ids of the experiments a search finds, in order (newest first by default).
 *
 * @example
 * ```ts
 * await searchExperimentIds(db, 'postgres', { filter: "name LIKE 'fraud-%' and tags.team = 'risk'" });
 * ```
 */
export async function searchExperimentIds(
  db: Kysely<Database>,
  dialect: Dialect,
  q: ExperimentSearchQuery,
  tuning: SearchTuning = DEFAULT_TUNING,
): Promise<{ ids: number[]; nextPageToken: string | null }> {
  const page = await searchPage(db, dialect, 'experiments', q, [lifecycleCondition('experiments', q.viewType)], false, tuning);
  return { ids: page.ids.map(Number), nextPageToken: page.nextPageToken };
}

async function searchPage(
  db: Kysely<Database>,
  dialect: Dialect,
  target: SearchTarget,
  q: ExperimentSearchQuery,
  scope: RawBuilder<SqlBool>[],
  empty: boolean,
  tuning: SearchTuning,
): Promise<{ ids: unknown[]; nextPageToken: string | null }> {
  // Everything is validated before the query, so a bad request fails the same way on every store.
  const filter = parseFilter(q.filter, target);
  const order = parseOrderBy(q.orderBy, target, q.tieBreak);
  const limit = checkMaxResults(q.maxResults);
  const offset = decodePageToken(q.pageToken);
  if (empty) return { ids: [], nextPageToken: null };

  const keyFirst = leadsWithKey(order, target) && (await scopeExceeds(db, target, scope, tuning.smallScope));
  const plan = planSearch(order, filter, target, dialect, keyFirst);
  const fenced = dialect === 'postgres' && filter !== null && !(tuning.statistics ?? (await hasPlannerStatistics(db)));
  const id = sql.ref(target === 'runs' ? 'runs.run_uuid' : 'experiments.experiment_id');

  // Segments follow each other in the order. One row beyond the page tells whether another page exists.
  const ids: unknown[] = [];
  let skip = offset;
  for (const segment of plan.segments) {
    const need = limit + 1 - ids.length;
    const context = { dialect, target, joined: plan.joined, owner: segment.owner, fenced };
    const conditions = filter ? [...scope, compileFilter(filter, context)] : scope;
    const where = sql.join([...segment.where, ...conditions], sql` and `);
    const { rows } = await sql<{ id: unknown }>`select ${id} as id from ${segment.from} where ${where}
      order by ${sql.join(segment.orderBy)} limit ${sql.lit(need)} offset ${sql.lit(skip)}`.execute(db);
    ids.push(...rows.map((r) => r.id));
    if (ids.length > limit) break;
    // An empty answer with rows still to skip means this segment lies wholly before the page.
    if (rows.length === 0 && skip > 0) {
      const counted = await sql<{ n: number | string }>`select count(*) as n from ${segment.from} where ${where}`.execute(db);
      skip = Math.max(0, skip - Number(counted.rows[0]?.n ?? 0));
    } else {
      skip = 0;
    }
  }
  const more = ids.length > limit;
  return { ids: ids.slice(0, limit), nextPageToken: more ? encodePageToken(offset + limit) : null };
}

/**
 * A search ordered by a metric, param or tag walks that key's index when more than `smallScope` rows are
 * in scope (it stops after a page) and sorts the rows in scope otherwise (it never visits other
 * experiments' rows). Counting stops at the threshold, so the check costs little. Tests lower it to
 * exercise both plans on small data.
 */
export interface SearchTuning {
  smallScope: number;
  /** PostgreSQL: whether to trust the planner's statistics; looked up when absent (see pg-statistics). */
  statistics?: boolean;
}

export const DEFAULT_TUNING: Readonly<SearchTuning> = Object.freeze({ smallScope: 5000 });

async function scopeExceeds(db: Kysely<Database>, target: SearchTarget, scope: RawBuilder<SqlBool>[], n: number): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(target)}
    where ${sql.join(scope, sql` and `)} limit ${sql.lit(n + 1)}) s`.execute(db);
  return Number(rows[0]?.n ?? 0) > n;
}

function lifecycleCondition(table: SearchTarget, viewType: ViewType = 'ACTIVE_ONLY'): RawBuilder<SqlBool> {
  const column = sql.ref(`${table}.lifecycle_stage`);
  switch (viewType) {
    case 'ACTIVE_ONLY': return sql<SqlBool>`${column} = 'active'`;
    case 'DELETED_ONLY': return sql<SqlBool>`${column} = 'deleted'`;
    case 'ALL': return sql<SqlBool>`1 = 1`;
    default: throw invalid(`Invalid view type '${String(viewType)}': use ACTIVE_ONLY, DELETED_ONLY or ALL.`);
  }
}

function checkMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
    throw invalid(`Invalid maxResults ${maxResults}: give a whole number from 1 to ${MAX_RESULTS_LIMIT}.`);
  }
  return maxResults;
}

function parseExperimentId(id: string): number {
  const n = /^\d{1,15}$/.test(String(id)) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n)) throw invalid(`Invalid experiment id '${id}': experiment ids are whole numbers such as '0' or '12'.`);
  return n;
}
