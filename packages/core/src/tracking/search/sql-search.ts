import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import type { ViewType } from '../entities.js';
import type { SearchTarget } from './ast.js';
import { parseOrderBy } from './order-by.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { parseFilter } from './parser.js';
import { compileFilter } from './sql-filter.js';
import { planOrder } from './sql-order.js';

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
export async function searchRunIds(db: Kysely<Database>, dialect: Dialect, q: RunSearchQuery): Promise<{ ids: string[]; nextPageToken: string | null }> {
  const experimentIds = [...new Set(q.experimentIds.map(parseExperimentId))];
  const where = [lifecycleCondition('runs', q.viewType)];
  where.push(experimentIds.length === 1 ? sql<SqlBool>`runs.experiment_id = ${experimentIds[0]}` : sql<SqlBool>`runs.experiment_id in (${sql.join(experimentIds)})`);
  const page = await searchPage(db, dialect, 'runs', q, where, experimentIds.length === 0);
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
export async function searchExperimentIds(db: Kysely<Database>, dialect: Dialect, q: ExperimentSearchQuery): Promise<{ ids: number[]; nextPageToken: string | null }> {
  const page = await searchPage(db, dialect, 'experiments', q, [lifecycleCondition('experiments', q.viewType)], false);
  return { ids: page.ids.map(Number), nextPageToken: page.nextPageToken };
}

async function searchPage(
  db: Kysely<Database>,
  dialect: Dialect,
  target: SearchTarget,
  q: ExperimentSearchQuery,
  scope: RawBuilder<SqlBool>[],
  empty: boolean,
): Promise<{ ids: unknown[]; nextPageToken: string | null }> {
  // Everything is validated before the query, so a bad request fails the same way on every store.
  const filter = parseFilter(q.filter, target);
  const order = parseOrderBy(q.orderBy, target);
  const limit = checkMaxResults(q.maxResults);
  const offset = decodePageToken(q.pageToken);
  if (empty) return { ids: [], nextPageToken: null };

  const plan = planOrder(order, filter, target, dialect);
  const where = [...scope];
  if (filter) where.push(compileFilter(filter, { dialect, target, joined: plan.joined }));
  const id = target === 'runs' ? sql.ref('runs.run_uuid') : sql.ref('experiments.experiment_id');
  // One row beyond the page tells whether another page exists.
  const query = sql<{ id: unknown }>`select ${id} as id from ${sql.table(target)} ${sql.join(plan.joins, sql` `)}
    where ${sql.join(where, sql` and `)}
    order by ${sql.join(plan.orderBy)}
    limit ${sql.lit(limit + 1)} offset ${sql.lit(offset)}`;
  const { rows } = await query.execute(db);
  const more = rows.length > limit;
  return { ids: rows.slice(0, limit).map((r) => r.id), nextPageToken: more ? encodePageToken(offset + limit) : null };
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
