import type { ExpectationsSpec, MaterializationRun } from '../entities.js';
import { FAILURE_HEADLINE } from './expectation-checker.js';

/** One expectation of a view and how the latest checked materialization fared against it. */
export interface ExpectationResult {
  /** null for a view-wide expectation (freshness). */
  feature: string | null;
  /** As the checker names it: `not null`, `>= 0`, `<= 2`, `one of ["a","b"]`, `fresh within 3600000 ms`. */
  expectation: string;
  /** `unknown` until a materialization has checked it. */
  status: 'passed' | 'failed' | 'unknown';
  /** The failure line of the run (violations and examples), when it failed. */
  note: string | null;
  /** The materialization run that checked it. */
  runId: string | null;
}

/** The expectations of a spec, labelled the way `ExpectationChecker` reports them. */
export function expectationLabels(spec: ExpectationsSpec): Array<{ feature: string | null; expectation: string }> {
  const out: Array<{ feature: string | null; expectation: string }> = [];
  for (const [feature, e] of Object.entries(spec.features)) {
    if (e.notNull) out.push({ feature, expectation: 'not null' });
    if (e.min !== null) out.push({ feature, expectation: `>= ${e.min}` });
    if (e.max !== null) out.push({ feature, expectation: `<= ${e.max}` });
    if (e.allowed) out.push({ feature, expectation: `one of ${JSON.stringify(e.allowed)}` });
  }
  if (spec.freshnessMs !== null) out.push({ feature: null, expectation: `fresh within ${spec.freshnessMs} ms` });
  return out;
}

/**
 * Each expectation's result in the newest run that checked them: a SUCCEEDED run passed them all
 * (they are checked before anything is written); a run stopped by expectations lists every one that
 * failed, so the others passed. Runs that failed for another reason (a missing file) checked nothing.
 *
 * @example
 * ```ts
 * expectationResults(view.expectations, await features.listMaterializations(view.name, 20));
 * ```
 */
export function expectationResults(spec: ExpectationsSpec | null, runsNewestFirst: MaterializationRun[]): ExpectationResult[] {
  if (!spec) return [];
  const labels = expectationLabels(spec);
  const checked = runsNewestFirst.find((r) => r.status === 'SUCCEEDED' || (r.status === 'FAILED' && r.error?.includes(FAILURE_HEADLINE)));
  if (!checked) return labels.map((l) => ({ ...l, status: 'unknown', note: null, runId: null }));
  const lines = checked.status === 'FAILED' ? (checked.error ?? '').split('\n').map((l) => l.trim()) : [];
  return labels.map((l) => {
    const prefix = `${l.feature ?? '(view)'} ${l.expectation}`;
    const line = lines.find((x) => x.startsWith(`${prefix}:`) || x.startsWith(`${prefix} of `));
    return { ...l, status: line ? 'failed' : 'passed', note: line ?? null, runId: checked.runId };
  });
}
