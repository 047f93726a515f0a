import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { ModelVersion, RegisteredModel } from '../entities.js';
import { tagsOf, toModel, toVersion } from './row-mappers.js';
import type { ModelVersionRow, RegisteredModelRow } from './rows.js';

// A model's or version's tags and aliases, fetched with it in the same statement as correlated
// subqueries aggregated to JSON: one round trip per page, and each subquery is a primary-key range,
// which PostgreSQL's planner would otherwise trade for a sequential scan of a small table. The JSON
// aggregate is the one dialect difference (json_group_array on SQLite, json_agg on PostgreSQL).

type Pair = [string, string | number];

function pairs(dialect: Dialect, a: string, b: string): RawBuilder<unknown> {
  return dialect === 'sqlite'
    ? sql`json_group_array(json_array(${sql.ref(a)}, ${sql.ref(b)}))`
    : sql`coalesce(json_agg(json_build_array(${sql.ref(a)}, ${sql.ref(b)})), '[]'::json)`;
}

/** Select-list fragment for `registered_models m`: `tag_list` and `alias_list`. */
export function modelExtras(dialect: Dialect): RawBuilder<unknown> {
  return sql`(select ${pairs(dialect, 't.key', 't.value')} from registered_model_tags t where t.model_id = m.model_id) as tag_list,
    (select ${pairs(dialect, 'a.alias', 'a.version')} from model_aliases a where a.model_id = m.model_id) as alias_list`;
}

/** Select-list fragment for `model_versions v`: `tag_list` and `alias_list`. */
export function versionExtras(dialect: Dialect): RawBuilder<unknown> {
  return sql`(select ${pairs(dialect, 't.key', 't.value')} from model_version_tags t where t.model_id = v.model_id and t.version = v.version) as tag_list,
    (select ${pairs(dialect, 'a.alias', 'a.version')} from model_aliases a where a.model_id = v.model_id and a.version = v.version) as alias_list`;
}

export interface WithExtras { tag_list: unknown; alias_list: unknown }

const VERSION_COLUMNS: ReadonlyArray<keyof ModelVersionRow> = [
  'model_id', 'version', 'creation_time', 'last_updated_time', 'user_id', 'description', 'source', 'run_id', 'status', 'status_message',
  'current_stage', 'storage_path', 'format', 'unsafe', 'signature', 'input_example', 'size_bytes', 'digest', 'file_count', 'manifest', 'external_uri',
];

/** `v.model_id, v.version, …`: every column of `model_versions v` by name, for prepared statements (never `v.*`). */
export const versionColumns: RawBuilder<unknown> = sql.join(VERSION_COLUMNS.map((c) => sql.ref(`v.${c}`)));

// PostgreSQL's driver parses json; SQLite returns text.
function list(v: unknown): Pair[] {
  const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(parsed) ? (parsed as Pair[]) : [];
}

const byFirst = (a: Pair, b: Pair) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function versionFromRow(name: string, row: ModelVersionRow & WithExtras): ModelVersion {
  const { tag_list, alias_list, ...plain } = row;
  const fixed = { ...plain, version: Number(plain.version) } as ModelVersionRow;
  return toVersion(name, fixed, tagsOf(list(tag_list).map(([key, value]) => ({ key, value: String(value) }))), list(alias_list).sort(byFirst).map(([alias]) => alias));
}

export function modelFromRow(row: RegisteredModelRow & WithExtras, latestVersions: ModelVersion[]): RegisteredModel {
  const { tag_list, alias_list, ...plain } = row;
  const tags = tagsOf(list(tag_list).map(([key, value]) => ({ key, value: String(value) })));
  const aliases = list(alias_list).sort(byFirst).map(([alias, version]) => ({ alias, version: Number(version) }));
  return toModel(plain as RegisteredModelRow, tags, aliases, latestVersions);
}
