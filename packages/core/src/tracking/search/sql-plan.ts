import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Comparison, FilterNode, OrderTerm, SearchTarget } from './ast.js';
import { attributeColumn, KEY_TABLES, mirroredTagOf, mirroredTagValue } from './sql-filter.js';

// Turns the sort order into one or more queries ("segments") whose results, concatenated, are the
// ordered result. Rows sort by value, then NaN, then without the key; a single ORDER BY over that
// rank cannot use an index, so when the first sort key is a metric, param or tag each rank gets its
// own query: the first walks the (key, value) index in order and stops after one page, and the later
// ones run only when the page reaches them. Later sort keys are LEFT JOINs ranked in ORDER BY.
//
// A top-level AND term on a sort key (`metrics.acc > 0.9` with `ORDER BY metrics.acc`) already requires
// the key, so its join becomes an INNER JOIN carrying that term, and the ranks it rules out vanish.

export interface Segment {
  from: RawBuilder<unknown>;
  /** The id the filter's subqueries correlate with (see FilterContext.owner). */
  owner: string;
  where: RawBuilder<SqlBool>[];
  orderBy: RawBuilder<unknown>[];
}

export interface SearchPlan {
  segments: Segment[];
  /** Top-level filter terms answered by a joined row, with its alias. */
  joined: Map<Comparison, string>;
}

/**
 * Whether the plan depends on the size of the scope: when the first sort key is a metric, param or tag,
 * the first segment either walks that key's index (`keyFirst`: stops after a page, best when the scope
 * holds many of the key's rows) or sorts the runs in scope (never touches other experiments' rows).
 * Neither planner chooses well alone: SQLite prefers the runs even when the index would stop after one
 * page, PostgreSQL prefers the index even when the scope is one small experiment among large ones.
 */
export function leadsWithKey(order: OrderTerm[], target: SearchTarget): boolean {
  return order[0] !== undefined && isKeyTerm(order[0], target);
}

// A metric, param or tag with rows of its own; mirrored tags (`tags.mlflow.runName`) read the run's row.
const isKeyTerm = (term: OrderTerm, target: SearchTarget): boolean => term.entity !== 'attribute' && !mirroredTagOf(target, term);

export function planSearch(order: OrderTerm[], filter: FilterNode | null, target: SearchTarget, dialect: Dialect, keyFirst: boolean): SearchPlan {
  const tables = KEY_TABLES[target];
  const conjuncts = filter === null ? [] : filter.kind === 'and' ? filter.children : [filter];
  const joined = new Map<Comparison, string>();
  // Strings sort by code point on both dialects; PostgreSQL's database collation may differ.
  const collate = dialect === 'postgres' ? sql` collate "C"` : sql``;
  const direction = (t: OrderTerm) => sql.raw(t.ascending ? 'asc' : 'desc');
  const keyTable = (term: OrderTerm) => {
    const table = term.entity === 'attribute' ? null : tables[term.entity];
    if (!table) throw new Error(`${target} cannot be ordered by ${term.entity}s`);
    return sql.table(table);
  };
  const joinOn = (alias: string, term: OrderTerm) =>
    sql<SqlBool>`${sql.ref(`${alias}.${tables.ownerColumn}`)} = ${sql.ref(tables.owner)} and ${sql.ref(`${alias}.key`)} = ${term.key}`;

  // Sort keys after the first: one join each, ranked in ORDER BY unless the filter requires the key.
  const laterJoins: RawBuilder<unknown>[] = [];
  const laterOrder: RawBuilder<unknown>[] = [];
  const requiredOf = (term: OrderTerm, alias: string) => {
    const required = conjuncts.filter(
      (c): c is Comparison => c.kind === 'comparison' && c.entity === term.entity && c.key === term.key && !joined.has(c),
    );
    for (const c of required) joined.set(c, alias);
    // Every metric comparison but `!=` rules NaN out.
    return { present: required.length > 0, nanPossible: term.entity === 'metric' && required.every((c) => c.op === '!=') };
  };

  const first = order[0];
  const leading = first && isKeyTerm(first, target) ? requiredOf(first, 'o0') : null;
  order.forEach((term, i) => {
    if (i === 0 && leading) return;
    const mirror = mirroredTagOf(target, term);
    if (mirror) {
      const value = mirroredTagValue(term.key, mirror);
      laterOrder.push(sql`case when ${value} is null then 1 else 0 end`, sql`${value}${collate} ${direction(term)}`);
      return;
    }
    if (term.entity === 'attribute') {
      const column = sql.ref(attributeColumn(target, term.key));
      if (term.key === 'end_time') laterOrder.push(sql`case when ${column} is null then 1 else 0 end`);
      const isText = !/_time$|^experiment_id$/.test(term.key);
      laterOrder.push(sql`${column}${isText ? collate : sql``} ${direction(term)}`);
      return;
    }
    const alias = `o${i}`;
    const { present, nanPossible } = requiredOf(term, alias);
    laterJoins.push(sql` ${sql.raw(present ? 'join' : 'left join')} ${keyTable(term)} ${sql.raw(alias)} on ${joinOn(alias, term)}`);
    const isNan = sql.ref(`${alias}.is_nan`);
    const missing = sql`${sql.ref(`${alias}.key`)} is null`;
    if (!present) laterOrder.push(term.entity === 'metric' ? sql`case when ${missing} then 2 when ${isNan} = 1 then 1 else 0 end` : sql`case when ${missing} then 1 else 0 end`);
    else if (nanPossible) laterOrder.push(isNan);
    laterOrder.push(sql`${sql.ref(`${alias}.value`)}${term.entity === 'metric' ? sql`` : collate} ${direction(term)}`);
  });

  const owner = sql.table(target);
  const rest = sql.join(laterJoins, sql``);
  if (!first || !leading) return { segments: [{ from: sql`${owner}${rest}`, owner: tables.owner, where: [], orderBy: laterOrder }], joined };

  const { present, nanPossible } = leading;
  const table = keyTable(first);
  // CROSS JOIN fixes SQLite's join order (PostgreSQL plans it as any inner join).
  const withKey = keyFirst ? sql`${table} o0 cross join ${owner}${rest}` : sql`${owner} cross join ${table} o0${rest}`;
  const on = joinOn('o0', first);
  // `+ 0` hides the index order from PostgreSQL, whose planner cannot see that few of the key's rows
  // belong to a small scope; text already sorts in a collation the index lacks.
  const key = first.entity !== 'metric' ? sql`o0.value${collate}` : keyFirst ? sql`o0.value` : sql`(o0.value + 0)`;
  const value = sql`${key} ${direction(first)}`;
  const viaKey = `o0.${tables.ownerColumn}`;
  const segments: Segment[] = [];
  if (first.entity === 'metric') {
    segments.push({ from: withKey, owner: viaKey, where: [on, sql<SqlBool>`o0.is_nan = 0`], orderBy: [value, ...laterOrder] });
    if (nanPossible) {
      segments.push({ from: sql`${owner} cross join ${table} o0${rest}`, owner: viaKey, where: [on, sql<SqlBool>`o0.is_nan = 1`], orderBy: laterOrder });
    }
  } else {
    segments.push({ from: withKey, owner: viaKey, where: [on], orderBy: [value, ...laterOrder] });
  }
  if (!present) {
    const absent = sql<SqlBool>`not exists (select 1 from ${table} k where ${sql.ref(`k.${tables.ownerColumn}`)} = ${sql.ref(tables.owner)} and k.key = ${first.key})`;
    segments.push({ from: sql`${owner}${rest}`, owner: tables.owner, where: [absent], orderBy: laterOrder });
  }
  return { segments, joined };
}
