import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/database.js';
import { invalid } from '../../errors.js';
import { decodePageToken, encodePageToken } from '../../tracking/search/page-token.js';
import type { ModelVersion } from '../entities.js';
import { modelExtras, versionExtras, versionFromRow, type WithExtras } from '../sql/extras.js';
import type { ModelVersionRow, RegisteredModelRow, RegistryDb } from '../sql/rows.js';
import { REGISTRY_ATTRIBUTES, parseRegistryFilter, parseRegistryOrder, type RegistryFilter, type RegistryTarget } from './registry-filter.js';

export interface RegistrySearchQuery {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

export const SEARCH_LIMITS: Record<RegistryTarget, { default: number; max: number }> = {
  // MLflow's defaults and thresholds for search_registered_models and search_model_versions.
  models: { default: 100, max: 1000 },
  versions: { default: 10_000, max: 200_000 },
};

function compile(node: RegistryFilter, target: RegistryTarget, dialect: Dialect): RawBuilder<SqlBool> {
  if (node.kind !== 'comparison') {
    return sql<SqlBool>`(${sql.join(node.children.map((c) => compile(c, target, dialect)), sql.raw(node.kind === 'and' ? ' and ' : ' or '))})`;
  }
  if (node.field.kind === 'alias') {
    const owner = target === 'models' ? sql`a.model_id = m.model_id` : sql`a.model_id = v.model_id and a.version = v.version`;
    return sql<SqlBool>`exists (select 1 from model_aliases a where ${owner} and ${test(sql.ref('a.alias'), node.op, node.value, dialect)})`;
  }
  if (node.field.kind === 'tag') {
    const [table, owner] = target === 'models'
      ? [sql`registered_model_tags t where t.model_id = m.model_id`, null]
      : [sql`model_version_tags t where t.model_id = v.model_id`, sql` and t.version = v.version`];
    return sql<SqlBool>`exists (select 1 from ${table}${owner ?? sql``} and t.key = ${node.field.key} and ${test(sql.ref('t.value'), node.op, node.value, dialect)})`;
  }
  const column = REGISTRY_ATTRIBUTES[target][node.field.name]!.column;
  return test(sql.ref(column), node.op, node.value, dialect);
}

function test(column: RawBuilder<unknown>, op: string, value: string | number | Array<string | number>, dialect: Dialect): RawBuilder<SqlBool> {
  if (Array.isArray(value)) return sql<SqlBool>`${column} ${sql.raw(op.toLowerCase())} (${sql.join(value)})`;
  if (op === 'LIKE' || op === 'ILIKE') {
    const ci = op === 'ILIKE';
    // SQLite's LIKE ignores case; cairn_like gives PostgreSQL's semantics on both (as tracking search).
    if (dialect === 'sqlite') return sql<SqlBool>`cairn_like(${column}, ${value}, ${sql.lit(ci ? 1 : 0)}) = 1`;
    return sql<SqlBool>`${column} ${sql.raw(ci ? 'ilike' : 'like')} ${value} escape ''`;
  }
  // A non-integer bound against an integer column must not make PostgreSQL cast the parameter to int.
  const operand = typeof value === 'number' && !Number.isSafeInteger(value) ? sql`cast(${value} as double precision)` : sql`${value}`;
  return sql<SqlBool>`${column} ${sql.raw(op === '!=' ? '<>' : op)} ${operand}`;
}

function checkMaxResults(maxResults: number | undefined, target: RegistryTarget): number {
  const { default: fallback, max } = SEARCH_LIMITS[target];
  if (maxResults === undefined) return fallback;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw invalid(`Invalid maxResults ${maxResults}: give a whole number from 1 to ${max}.`, { field: 'maxResults' });
  }
  return maxResults;
}

/** One page of model rows in order (name ascending unless asked otherwise). */
export async function searchModelRows(db: RegistryDb, dialect: Dialect, q: RegistrySearchQuery): Promise<{ rows: Array<RegisteredModelRow & WithExtras>; nextPageToken: string | null }> {
  const filter = parseRegistryFilter(q.filter, 'models');
  const order = parseRegistryOrder(q.orderBy, 'models');
  const limit = checkMaxResults(q.maxResults, 'models');
  const offset = decodePageToken(q.pageToken);
  const where = filter ? compile(filter, 'models', dialect) : sql<SqlBool>`1 = 1`;
  const orderBy = [...order.map((o) => sql`${sql.ref(o.column)} ${sql.raw(o.ascending ? 'asc' : 'desc')}`), sql`m.name asc`];
  // The page is chosen first, so the tag and alias subqueries run for its rows only (SQLite would
  // otherwise compute them for every match before sorting).
  const { rows } = await sql<RegisteredModelRow & WithExtras>`select m.*, ${modelExtras(dialect)} from (
      select m.* from registered_models m where ${where} order by ${sql.join(orderBy)} limit ${sql.lit(limit + 1)} offset ${sql.lit(offset)}
    ) m order by ${sql.join(orderBy)}`.execute(db);
  const { ids, nextPageToken } = page(rows, limit, offset);
  return { rows: ids, nextPageToken };
}

/** One page of versions, with tags and aliases, in order (name ascending, version descending by default). */
export async function searchVersions(db: RegistryDb, dialect: Dialect, q: RegistrySearchQuery): Promise<{ items: ModelVersion[]; nextPageToken: string | null }> {
  const filter = parseRegistryFilter(q.filter, 'versions');
  const order = parseRegistryOrder(q.orderBy, 'versions');
  const limit = checkMaxResults(q.maxResults, 'versions');
  const offset = decodePageToken(q.pageToken);
  const where = filter ? compile(filter, 'versions', dialect) : sql<SqlBool>`1 = 1`;
  const terms = [...order, { column: 'm.name', ascending: true }, { column: 'v.version', ascending: false }];
  const orderBy = (outer: boolean) => sql.join(terms.map((o) => sql`${sql.ref(outer && o.column === 'm.name' ? 'v.model_name' : o.column)} ${sql.raw(o.ascending ? 'asc' : 'desc')}`));
  const { rows } = await sql<ModelVersionRow & WithExtras & { model_name: string }>`select v.*, ${versionExtras(dialect)} from (
      select v.*, m.name as model_name from model_versions v join registered_models m on m.model_id = v.model_id where ${where}
      order by ${orderBy(false)} limit ${sql.lit(limit + 1)} offset ${sql.lit(offset)}
    ) v order by ${orderBy(true)}`.execute(db);
  const { ids, nextPageToken } = page(rows, limit, offset);
  return { items: ids.map(({ model_name, ...row }) => versionFromRow(model_name, row)), nextPageToken };
}

function page<T>(ids: T[], limit: number, offset: number): { ids: T[]; nextPageToken: string | null } {
  const more = ids.length > limit;
  return { ids: more ? ids.slice(0, limit) : ids, nextPageToken: more ? encodePageToken(offset + limit) : null };
}
