import { invalid } from '../../errors.js';
import type { OrderTerm, SearchTarget } from './ast.js';
import { orderAttribute } from './fields.js';
import { isKeyword } from './lexer.js';
import { checkOrderByCount } from './limits.js';
import { TokenCursor } from './token-cursor.js';

// Tie-breakers make every order total, so pages never overlap or skip rows. Runs end with the newest
// first and then the id; experiments default to the newest first (as MLflow) and always end with the id.
const RUN_TIE_BREAKERS: OrderTerm[] = [
  { entity: 'attribute', key: 'start_time', ascending: false },
  { entity: 'attribute', key: 'run_id', ascending: true },
];
const EXPERIMENT_DEFAULT: OrderTerm[] = [{ entity: 'attribute', key: 'creation_time', ascending: false }];
const experimentId = (ascending: boolean): OrderTerm => ({ entity: 'attribute', key: 'experiment_id', ascending });

/**
 * How experiments tie: Cairn's own API always ends with `experiment_id ASC`; MLflow's SQL store ends an
 * explicit order that lacks `experiment_id` with `experiment_id DESC` (and its default order with ASC).
 */
export type ExperimentTieBreak = 'cairn' | 'mlflow';

/**
 * Parses MLflow-style `order_by` clauses (`<key> [ASC|DESC]`, ascending by default) and appends the
 * tie-breakers, so the result is the complete sort order. Runs: `start_time DESC, run_id ASC` last.
 * Experiments: `creation_time DESC, experiment_id ASC` when nothing is given; otherwise the clauses
 * and `experiment_id` (ASC, or DESC with MLflow's tie-break) last.
 *
 * @example
 * ```ts
 * parseOrderBy(['metrics.`val loss` ASC', 'params.lr DESC'], 'runs');
 * parseOrderBy(['name'], 'experiments', 'mlflow'); // name ASC, experiment_id DESC
 * ```
 */
export function parseOrderBy(orderBy: string[] | undefined, target: SearchTarget, tieBreak: ExperimentTieBreak = 'cairn'): OrderTerm[] {
  checkOrderByCount(orderBy, (message) => invalid(message, { field: 'order_by' }));
  const terms = (orderBy ?? []).map((clause) => parseClause(clause, target));
  if (target === 'runs') return [...terms, ...RUN_TIE_BREAKERS];
  if (!terms.length) return [...EXPERIMENT_DEFAULT, experimentId(true)];
  return [...terms, experimentId(tieBreak === 'cairn')];
}

function parseClause(clause: string, target: SearchTarget): OrderTerm {
  const cursor = new TokenCursor(clause, 'order_by clause', target);
  const key = cursor.readKey();
  if (key.entity === 'dataset') throw cursor.fail(key.start, `runs cannot be ordered by dataset fields`);
  let name = key.key;
  if (key.entity === 'attribute') {
    const spec = orderAttribute(target, key.key);
    if (typeof spec === 'string') throw cursor.fail(key.start, spec);
    name = spec.name;
  }
  let ascending = true;
  if (isKeyword(cursor.peek(), 'ASC') || isKeyword(cursor.peek(), 'DESC')) ascending = isKeyword(cursor.next(), 'ASC');
  if (cursor.peek().type !== 'end') throw cursor.unexpected('ASC, DESC or the end of the clause');
  return { entity: key.entity, key: name, ascending };
}
