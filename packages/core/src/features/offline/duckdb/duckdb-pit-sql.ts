import type { FeatureViewSpec, Field } from '../../entities.js';
import { DUCKDB_TYPE } from '../../value-types.js';
import { id, timestampExpr, type DescribedColumn } from './duckdb-sql.js';

/** A view joined by DuckDB: its normalized rows (see `normalizedRows`). */
export interface JoinedView { view: FeatureViewSpec; rowsSql: string; features: Array<{ feature: string; column: string }> }
/** A view already joined elsewhere (PostgreSQL): a temp table of `__row` and one column per feature. */
export interface PrecomputedView { table: string; features: Array<{ feature: string; column: string }> }

export interface PitPlan {
  entityTable: string;
  entityColumns: DescribedColumn[];
  timestampColumn: string;
  joined: JoinedView[];
  precomputed: PrecomputedView[];
  filterByCreatedTimestamp: boolean;
  /** Output columns in order: entity columns, then features in request order. */
  order: string[];
}

// Times are compared as epoch microseconds (BIGINT): TIMESTAMPTZ arithmetic goes through ICU and is
// far slower. With a created time, the ASOF inequality is on the struct (event, created), so one
// ASOF picks the greatest (event, created) <= (T, +inf); a missing created time sorts lowest.
export const ORD = (t: string, c: string) => `struct_pack(t := ${t}, c := coalesce(${c}, -9223372036854775807::BIGINT))`;
const ENTITY_ORD = `struct_pack(t := __t, c := 9223372036854775807::BIGINT)`;

const ttlCond = (v: string, ttlMs: number | null) => (ttlMs === null ? null : `${v}.__t >= e.__t - ${ttlMs * 1000}::BIGINT`);

/**
 * The point-in-time join as one DuckDB statement creating `resultTable`. For entity row e at T and
 * each view: the row with the greatest (event, created) whose event <= T (and >= T - ttl), joined on
 * every join key column; optionally only rows created <= T.
 */
export function pitSql(plan: PitPlan, resultTable: string): string {
  const tsType = plan.entityColumns.find((c) => c.name === plan.timestampColumn)!.type;
  // Join key columns cast to each view's declared type, once per (column, type) however many views share it.
  const keyAlias = new Map<string, string>();
  const keyCols: string[] = [];
  const keyOf = (k: Field) => {
    const cast = `CAST(${id(k.name)} AS ${DUCKDB_TYPE[k.type]})`;
    let alias = keyAlias.get(cast);
    if (!alias) {
      keyAlias.set(cast, (alias = `__k${keyAlias.size}`));
      keyCols.push(`${cast} AS ${alias}`);
    }
    return alias;
  };
  const viewKeys = plan.joined.map((j) => j.view.joinKeys.map(keyOf));
  const needsOrd = plan.joined.some((j) => j.view.source.createdTimestampField);
  const ctes = [
    `__e0 AS (SELECT rowid AS __row, epoch_us(${timestampExpr(id(plan.timestampColumn), tsType)}) AS __t, * FROM ${id(plan.entityTable)})`,
    `e AS (SELECT *${keyCols.length ? `, ${keyCols.join(', ')}` : ''}${needsOrd ? `, ${ENTITY_ORD} AS __ord` : ''} FROM __e0)`,
  ];
  const joins: string[] = [];
  const selects: string[] = [];
  plan.joined.forEach((j, vi) => {
    const v = `__v${vi}`;
    const hasCreated = !!j.view.source.createdTimestampField;
    const feats = j.features.map((f) => id(f.feature)).join(', ');
    const keys = j.view.joinKeys.map((k) => id(k.name)).join(', ');
    // DuckDB's ASOF join matches NULL keys to NULL keys; a null key must never match, so drop those rows.
    const keysPresent = j.view.joinKeys.map((k) => `${id(k.name)} IS NOT NULL`).join(' AND ');
    ctes.push(`${v} AS (SELECT ${keys}, epoch_us(__ts) AS __t${hasCreated ? `${plan.filterByCreatedTimestamp ? ', epoch_us(__created) AS __c' : ''}, ${ORD('epoch_us(__ts)', 'epoch_us(__created)')} AS __ord` : ''}, ${feats} FROM (${j.rowsSql}) WHERE ${keysPresent})`);
    const keyEq = j.view.joinKeys.map((k, ki) => `e.${viewKeys[vi]![ki]} = ${v}.${id(k.name)}`);
    const ttl = ttlCond(v, j.view.ttlMs);
    if (plan.filterByCreatedTimestamp && hasCreated) {
      // Created-time filtering cannot be an ASOF inequality: aggregate the candidates per entity row.
      const m = `${v}m`;
      const fields = [`__t := ${v}.__t`, ...j.features.map((f) => `${id(f.feature)} := ${v}.${id(f.feature)}`)];
      const conds = [...keyEq, `${v}.__t <= e.__t`, `(${v}.__c IS NULL OR ${v}.__c <= e.__t)`, ...(ttl ? [ttl] : [])];
      ctes.push(`${m} AS (SELECT e.__row, arg_max(struct_pack(${fields.join(', ')}), ${v}.__ord) AS s FROM e JOIN ${v} ON ${conds.join(' AND ')} GROUP BY e.__row)`);
      joins.push(`LEFT JOIN ${m} ON ${m}.__row = e.__row`);
      for (const f of j.features) selects.push(`${m}.s.${id(f.feature)} AS ${id(f.column)}`);
      return;
    }
    const ineq = hasCreated ? `e.__ord >= ${v}.__ord` : `e.__t >= ${v}.__t`;
    joins.push(`ASOF LEFT JOIN ${v} ON ${[...keyEq, ineq].join(' AND ')}`);
    for (const f of j.features) selects.push(ttl ? `CASE WHEN ${ttl} THEN ${v}.${id(f.feature)} END AS ${id(f.column)}` : `${v}.${id(f.feature)} AS ${id(f.column)}`);
  });
  plan.precomputed.forEach((p, pi) => {
    const alias = `__p${pi}`;
    joins.push(`LEFT JOIN ${id(p.table)} ${alias} ON ${alias}.__row = e.__row`);
    for (const f of p.features) selects.push(`${alias}.${id(f.feature)} AS ${id(f.column)}`);
  });
  const entityCols = plan.entityColumns.map((c) => `e.${id(c.name)}`);
  const p = `__pit AS (SELECT e.__row, ${[...entityCols, ...selects].join(', ')} FROM e ${joins.join(' ')})`;
  ctes.push(p);
  return `CREATE TEMP TABLE ${id(resultTable)} AS WITH ${ctes.join(',\n')}\nSELECT __row, ${plan.order.map(id).join(', ')} FROM __pit ORDER BY __row`;
}
