import type { ConditionResult } from '../entities.js';
import { refsOf, type Entity, type GateExpr } from './gate-parser.js';

/** The values a condition can read about one version: its source run's metrics, params and tags, and its own tags. */
export interface GateSubject {
  version: number;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  version_tags: Record<string, string>;
}

export interface GateScope {
  candidate: GateSubject;
  /** Subjects by name (`current` and aliases); null when nothing holds that alias. */
  subjects: Map<string, GateSubject | null>;
}

type Value = number | string | boolean | null;

class Missing extends Error {}

/**
 * Evaluates one parsed condition against the candidate and the other subjects it names, reporting
 * each reference's actual value. A reference to an alias that nothing holds skips the condition
 * (it passes: there is nothing to beat); a missing key on an existing version fails it.
 */
export function evaluateCondition(expression: string, expr: GateExpr, scope: GateScope): ConditionResult {
  const values: Record<string, number | string | null> = {};
  const empty = new Set<string>();
  const missing: string[] = [];
  for (const ref of refsOf(expr)) {
    const subject = ref.subject === 'candidate' ? scope.candidate : scope.subjects.get(ref.subject);
    if (subject === null || subject === undefined) {
      empty.add(ref.subject);
      values[ref.text] = null;
      continue;
    }
    const v = lookup(subject, ref.entity, ref.key);
    values[ref.text] = v;
    if (v === null) missing.push(`${ref.text} is missing${ref.subject === 'candidate' ? '' : ` on version ${subject.version}`}`);
  }
  if (empty.size) {
    return { expression, passed: true, values, note: `skipped: no version holds ${[...empty].map((s) => (s === 'current' ? 'the alias' : `@${s}`)).join(', ')}` };
  }
  try {
    const result = evaluate(expr, scope) === true;
    return { expression, passed: result, values, note: result ? null : missing.length ? missing.join('; ') : 'the condition is false' };
  } catch (e) {
    if (!(e instanceof Missing)) throw e;
    return { expression, passed: false, values, note: missing.join('; ') || e.message };
  }
}

function lookup(subject: GateSubject, entity: Entity, key: string): number | string | null {
  const table = subject[entity] as Record<string, number | string>;
  return Object.hasOwn(table, key) ? table[key]! : null;
}

function evaluate(expr: GateExpr, scope: GateScope): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'ref': {
      const subject = expr.subject === 'candidate' ? scope.candidate : scope.subjects.get(expr.subject);
      const v = subject ? lookup(subject, expr.entity, expr.key) : null;
      if (v === null) throw new Missing(`${expr.text} is missing`);
      return v;
    }
    case 'neg':
      return -(evaluate(expr.operand, scope) as number);
    case 'arith': {
      const l = evaluate(expr.left, scope) as number;
      const r = evaluate(expr.right, scope) as number;
      return expr.op === '+' ? l + r : expr.op === '-' ? l - r : expr.op === '*' ? l * r : l / r;
    }
    case 'compare': {
      const l = evaluate(expr.left, scope);
      const r = evaluate(expr.right, scope);
      switch (expr.op) {
        case '=': return l === r;
        case '!=': return l !== r;
        // NaN compares false with everything, as in IEEE 754: a NaN metric never passes a bound.
        case '<': return (l as number) < (r as number);
        case '<=': return (l as number) <= (r as number);
        case '>': return (l as number) > (r as number);
        case '>=': return (l as number) >= (r as number);
      }
      return false;
    }
    case 'not':
      return !evaluate(expr.operand, scope);
    case 'and':
      return expr.children.every((c) => evaluate(c, scope) === true);
    case 'or': {
      // A missing value on one side of OR does not sink the other side.
      let missing: Missing | null = null;
      for (const c of expr.children) {
        try {
          if (evaluate(c, scope) === true) return true;
        } catch (e) {
          if (!(e instanceof Missing)) throw e;
          missing = e;
        }
      }
      if (missing) throw missing;
      return false;
    }
  }
}

/** The subject names (other than the candidate) a set of conditions reads. */
export function subjectsOf(exprs: GateExpr[]): Set<string> {
  return new Set(exprs.flatMap(refsOf).map((r) => r.subject).filter((s) => s !== 'candidate'));
}
