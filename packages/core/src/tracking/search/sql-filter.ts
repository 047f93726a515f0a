import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/database.js';
import { tagMirror, type TagMirror } from '../mirrored-tags.js';
import type { Comparison, Entity, FilterNode, SearchTarget } from './ast.js';

// Compiles a filter to one SQL boolean expression over `runs` or `experiments`. A comparison on a
// metric, param or tag becomes an EXISTS on that key's row, which the (run_uuid, key) primary keys
// answer with one lookup per candidate; conditions the order planner already joined are written
// against the joined row instead.

export interface FilterContext {
  dialect: Dialect;
  target: SearchTarget;
  /** Comparisons answered by a row joined for ordering, with that row's alias. */
  joined: Map<Comparison, string>;
  /**
   * The run (or experiment) id the EXISTS subqueries correlate with: `runs.run_uuid`, or the same id
   * on the sort key's row when a query walks that key's index, so the planners test the filter before
   * they fetch the run.
   */
  owner: string;
  /**
   * Keep each EXISTS a per-row probe (PostgreSQL: `OFFSET 0` stops it becoming a join). Without
   * statistics PostgreSQL's join choices can rescan a key's rows once per run, for minutes.
   */
  fenced: boolean;
}

/** Where each kind of key lives, per target. */
export const KEY_TABLES = {
  runs: { owner: 'runs.run_uuid', ownerColumn: 'run_uuid', metric: 'latest_metrics', param: 'params', tag: 'run_tags' },
  experiments: { owner: 'experiments.experiment_id', ownerColumn: 'experiment_id', metric: null, param: null, tag: 'experiment_tags' },
} as const;

const ATTRIBUTE_COLUMNS: Record<SearchTarget, Record<string, string>> = {
  runs: {
    run_id: 'runs.run_uuid',
    run_name: 'runs.name',
    status: 'runs.status',
    user_id: 'runs.user_id',
    artifact_uri: 'runs.artifact_uri',
    lifecycle_stage: 'runs.lifecycle_stage',
    start_time: 'runs.start_time',
    end_time: 'runs.end_time',
  },
  experiments: {
    experiment_id: 'experiments.experiment_id',
    name: 'experiments.name',
    creation_time: 'experiments.creation_time',
    last_update_time: 'experiments.last_update_time',
  },
};

const DATASET_COLUMNS: Record<string, string> = { name: 'd.name', digest: 'd.digest', context: 'ri.context' };

const MIRROR_COLUMNS: Record<TagMirror['field'], string> = { runName: 'runs.name', userId: 'runs.user_id', parentRunId: 'runs.parent_run_uuid' };

/** The mirror of a run tag a filter or sort key names (`tags.mlflow.parentRunId`), if it names one. */
export function mirroredTagOf(target: SearchTarget, term: { entity: Entity; key: string }): TagMirror | undefined {
  return target === 'runs' && term.entity === 'tag' ? tagMirror(term.key) : undefined;
}

/**
 * The value a mirrored tag has on the row of `runs` (see `withMirroredTags`): the run's own column, or
 * a stored tag of that key first when one wins. NULL when the run has neither, so it never matches.
 */
export function mirroredTagValue(key: string, mirror: TagMirror): RawBuilder<unknown> {
  const field = sql`nullif(${sql.ref(MIRROR_COLUMNS[mirror.field])}, '')`;
  if (!mirror.storedWins) return field;
  return sql`coalesce((select mt.value from run_tags mt where mt.run_uuid = runs.run_uuid and mt.key = ${key}), ${field})`;
}

export function attributeColumn(target: SearchTarget, key: string): string {
  const column = ATTRIBUTE_COLUMNS[target][key];
  if (!column) throw new Error(`no ${target} attribute '${key}'`);
  return column;
}

export function compileFilter(node: FilterNode, ctx: FilterContext): RawBuilder<SqlBool> {
  if (node.kind !== 'comparison') {
    const parts = node.children.map((c) => compileFilter(c, ctx));
    return sql<SqlBool>`(${sql.join(parts, sql.raw(node.kind === 'and' ? ' and ' : ' or '))})`;
  }
  const alias = ctx.joined.get(node);
  if (alias) return compileValueTest(node, alias, ctx.dialect);
  const tables = KEY_TABLES[ctx.target];
  switch (node.entity) {
    case 'attribute':
      return compareColumn(node, sql.ref(attributeColumn(ctx.target, node.key)), ctx.dialect, true);
    case 'dataset':
      return sql<SqlBool>`exists (select 1 from run_inputs ri join datasets d on d.dataset_uuid = ri.dataset_uuid
        where ri.run_uuid = ${sql.ref(ctx.owner)} and ${compareColumn(node, sql.ref(DATASET_COLUMNS[node.key] as string), ctx.dialect, false)}${ctx.fenced ? sql` offset 0` : sql``})`;
    default: {
      const mirror = mirroredTagOf(ctx.target, node);
      if (mirror) return compareColumn(node, mirroredTagValue(node.key, mirror), ctx.dialect, false);
      const table = tables[node.entity];
      if (!table) throw new Error(`${ctx.target} have no ${node.entity}s`);
      return sql<SqlBool>`exists (select 1 from ${sql.table(table)} k where k.${sql.id(tables.ownerColumn)} = ${sql.ref(ctx.owner)}
        and k.key = ${node.key} and ${compileValueTest(node, 'k', ctx.dialect)}${ctx.fenced ? sql` offset 0` : sql``})`;
    }
  }
}

/** The test on a key row (`latest_metrics`, `params`, tags) under `alias`, whose key is already bound. */
export function compileValueTest(node: Comparison, alias: string, dialect: Dialect): RawBuilder<SqlBool> {
  if (node.entity !== 'metric') return compareColumn(node, sql.ref(`${alias}.value`), dialect, false);
  if (node.valueType !== 'number') throw new Error('metrics compare with numbers');
  const value = sql.ref(`${alias}.value`);
  const isNan = sql.ref(`${alias}.is_nan`);
  // NaN (stored as 0 with is_nan = 1) differs from every number and is ordered against none.
  if (node.op === '!=') return sql<SqlBool>`(${isNan} = 1 or ${value} <> ${node.value})`;
  return sql<SqlBool>`(${isNan} = 0 and ${value} ${sql.raw(node.op)} ${node.value})`;
}

function compareColumn(node: Comparison, column: RawBuilder<unknown>, dialect: Dialect, integerColumn: boolean): RawBuilder<SqlBool> {
  switch (node.op) {
    case 'IN':
    case 'NOT IN':
      return sql<SqlBool>`${column} ${sql.raw(node.op.toLowerCase())} (${sql.join(node.value as string[])})`;
    case 'LIKE':
    case 'ILIKE': {
      const ci = node.op === 'ILIKE';
      // SQLite's LIKE ignores case and knows no ESCAPE ''; cairn_like gives PostgreSQL's semantics.
      if (dialect === 'sqlite') return sql<SqlBool>`cairn_like(${column}, ${node.value}, ${sql.lit(ci ? 1 : 0)}) = 1`;
      return sql<SqlBool>`${column} ${sql.raw(ci ? 'ilike' : 'like')} ${node.value} escape ''`;
    }
    default:
      return sql<SqlBool>`${column} ${sql.raw(node.op)} ${numericOperand(node.value, dialect, integerColumn)}`;
  }
}

// PostgreSQL types a parameter after its column, so 1.5 or Infinity against a bigint time column would
// fail to parse; such values compare as double precision instead (exact for epoch milliseconds).
function numericOperand(value: unknown, dialect: Dialect, integerColumn: boolean): RawBuilder<unknown> {
  if (typeof value !== 'number' || !integerColumn || dialect !== 'postgres' || Number.isSafeInteger(value)) return sql`${value}`;
  return sql`cast(${value} as double precision)`;
}
