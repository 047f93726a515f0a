import type { ExpectationsSpec } from '../entities.js';
import { isoTime } from '../micro-time.js';
import type { LatestRow } from '../offline/offline-store.js';
import { encodeEntityKey } from '../online/online-store.js';

export interface ExpectationFailure {
  feature: string | null;
  expectation: string;
  violations: number;
  /** Up to five offending rows: entity key and value. */
  examples: Array<{ key: unknown[]; value: unknown }>;
}

const MAX_EXAMPLES = 5;

/**
 * Checks a view's expectations (not null, range, allowed values, freshness) on the rows a
 * materialization is about to write, collecting the offending values.
 *
 * @example
 * ```ts
 * const checker = new ExpectationChecker(view.expectations, end);
 * for (const row of rows) checker.check(row);
 * if (checker.failures().length) throw ...;
 * ```
 */
export class ExpectationChecker {
  private readonly found = new Map<string, ExpectationFailure>();
  private newest = -Infinity;

  constructor(private readonly spec: ExpectationsSpec, private readonly end: number) {}

  private fail(feature: string | null, expectation: string, key: unknown[], value: unknown): void {
    const id = `${feature}:${expectation}`;
    const f = this.found.get(id) ?? { feature, expectation, violations: 0, examples: [] };
    f.violations++;
    if (f.examples.length < MAX_EXAMPLES) f.examples.push({ key, value });
    this.found.set(id, f);
  }

  check(row: LatestRow): void {
    this.newest = Math.max(this.newest, row.eventTs);
    for (const [name, e] of Object.entries(this.spec.features)) {
      const v = row.values[name];
      if (v === null || v === undefined) {
        if (e.notNull) this.fail(name, 'not null', row.key, null);
        continue;
      }
      // An int64 beyond 2^53 is a BigInt, which compares with numbers exactly.
      const numeric = typeof v === 'number' || typeof v === 'bigint';
      if (e.min !== null && numeric && v < e.min) this.fail(name, `>= ${e.min}`, row.key, v);
      if (e.max !== null && numeric && v > e.max) this.fail(name, `<= ${e.max}`, row.key, v);
      if (e.allowed && !e.allowed.includes(v as string | number | boolean)) this.fail(name, `one of ${JSON.stringify(e.allowed)}`, row.key, v);
    }
  }

  failures(): ExpectationFailure[] {
    const out = [...this.found.values()];
    if (this.spec.freshnessMs !== null && this.newest < this.end - this.spec.freshnessMs) {
      out.push({
        feature: null, expectation: `fresh within ${this.spec.freshnessMs} ms of ${isoTime(this.end)}`, violations: 1,
        examples: [{ key: [], value: Number.isFinite(this.newest) ? isoTime(this.newest) : 'no rows in the window' }],
      });
    }
    return out;
  }
}

/** Ends the first line of every expectation report (the UI finds checked runs by it). */
export const FAILURE_HEADLINE = '; nothing was written:';

/** A readable report of failed expectations. */
export function formatFailures(view: string, failures: ExpectationFailure[]): string {
  return [`View '${view}' failed ${failures.length} expectation${failures.length > 1 ? 's' : ''}${FAILURE_HEADLINE}`,
    ...failures.map((f) => `  ${f.feature ?? '(view)'} ${f.expectation}: ${f.violations} violation${f.violations > 1 ? 's' : ''}, e.g. ${f.examples.map((x) => `${encodeEntityKey(x.key)} = ${encodeEntityKey([x.value]).slice(1, -1)}`).join('; ')}`)].join('\n');
}
