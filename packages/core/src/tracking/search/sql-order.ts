import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { Comparison, FilterNode, OrderTerm, SearchTarget } from './ast.js';
import { attributeColumn, KEY_TABLES } from './sql-filter.js';

// Turns the sort order into joins and ORDER BY expressions. Each metric, param or tag sort key is one
// LEFT JOIN on its (run, key) row; rows without it rank last, NaN metrics just before them.
//
// When the filter itself requires that key (a top-level AND term on it), the join becomes an INNER JOIN
// that carries those terms, and the rank expression goes away: ORDER BY is then the plain indexed
// column, so the planner can walk latest_metrics(key, value) in order and stop after one page.

export interface OrderPlan {
  joins: RawBuilder<unknown>[];
  orderBy: RawBuilder<unknown>[];
  /** Top-level filter terms answered by a join, with the join's alias. */
  joined: Map<Comparison, string>;
}

export function planOrder(order: OrderTerm[], filter: FilterNode | null, target: SearchTarget, dialect: Dialect): OrderPlan {
  const plan: OrderPlan = { joins: [], orderBy: [], joined: new Map() };
  const conjuncts = filter === null ? [] : filter.kind === 'and' ? filter.children : [filter];
  const tables = KEY_TABLES[target];
  // Strings sort by code point on both dialects; PostgreSQL's default collation may not.
  const collate = dialect === 'postgres' ? sql` collate "C"` : sql``;
  const direction = (t: OrderTerm) => sql.raw(t.ascending ? 'asc' : 'desc');

  order.forEach((term, i) => {
    if (term.entity === 'attribute') {
      const column = sql.ref(attributeColumn(target, term.key));
      if (term.key === 'end_time') plan.orderBy.push(sql`case when ${column} is null then 1 else 0 end`);
      const isText = !/_time$|^experiment_id$/.test(term.key);
      plan.orderBy.push(sql`${column}${isText ? collate : sql``} ${direction(term)}`);
      return;
    }
    const table = tables[term.entity];
    if (!table) throw new Error(`${target} have no ${term.entity}s`);
    const alias = `o${i}`;
    const required = conjuncts.filter(
      (c): c is Comparison => c.kind === 'comparison' && c.entity === term.entity && c.key === term.key && !plan.joined.has(c),
    );
    for (const c of required) plan.joined.set(c, alias);
    const on = sql`${sql.ref(`${alias}.${tables.ownerColumn}`)} = ${sql.ref(tables.owner)} and ${sql.ref(`${alias}.key`)} = ${term.key}`;
    plan.joins.push(sql`${sql.raw(required.length ? 'join' : 'left join')} ${sql.table(table)} ${sql.raw(alias)} on ${on}`);

    const value = sql.ref(`${alias}.value`);
    if (term.entity === 'metric') {
      const isNan = sql.ref(`${alias}.is_nan`);
      // Only `!=` lets a NaN through; every other comparison already excludes it.
      if (!required.length) plan.orderBy.push(sql`case when ${sql.ref(`${alias}.key`)} is null then 2 when ${isNan} = 1 then 1 else 0 end`);
      else if (required.every((c) => c.op === '!=')) plan.orderBy.push(isNan);
      plan.orderBy.push(sql`${value} ${direction(term)}`);
    } else {
      if (!required.length) plan.orderBy.push(sql`case when ${sql.ref(`${alias}.key`)} is null then 1 else 0 end`);
      plan.orderBy.push(sql`${value}${collate} ${direction(term)}`);
    }
  });
  return plan;
}
