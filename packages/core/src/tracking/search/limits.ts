import { invalid as invalidArgument, type CairnError } from '../../errors.js';

/**
 * Bounds on one search request, the same for runs, experiments and the model registry on every
 * surface. They are checked while the filter is parsed, so neither the recursive-descent parser nor
 * the SQL built from the tree ever meets an input deep or wide enough to fail (a stack overflow, or
 * SQLite's "Expression tree is too large (maximum depth 1000)") and none reaches the database.
 */
export const SEARCH_LIMITS = {
  /**
   * Characters in one filter or order_by clause (1 MiB), checked before anything is tokenized, so a
   * body-sized filter (the body limit is 16 MiB) is refused without being read. Room for a filter at
   * every other limit at once (10,000 IN values are ~80 KB); what a filter may cost the database is
   * bounded by the term, nesting and value limits below.
   */
  filterLength: 1_048_576,
  /** Comparisons in one filter. An OR of about a thousand of them exceeds SQLite's expression depth. */
  maxTerms: 200,
  /** Parentheses nested inside one another in one filter. */
  maxNesting: 32,
  /**
   * Values across all the IN / NOT IN lists of one filter. Each is a bound parameter: SQLite takes
   * at most 32,766 per statement, PostgreSQL 65,535.
   */
  maxListValues: 10_000,
  /** Clauses in one order_by. Each metric, param or tag clause is a join, and SQLite joins at most 64 tables. */
  maxOrderBy: 20,
} as const;

/** Counts what one filter holds while it is parsed and refuses it as soon as it passes a limit. */
export class FilterBudget {
  private terms = 0;
  private depth = 0;
  private values = 0;

  /** `fail(at, message)` builds the error, pointing at the offending token's offset. */
  constructor(private readonly fail: (at: number, message: string) => CairnError) {}

  /** An opening parenthesis at `at`; pair it with {@link close}. */
  open(at: number): void {
    if (++this.depth > SEARCH_LIMITS.maxNesting) {
      throw this.fail(at, `parentheses nest more than ${SEARCH_LIMITS.maxNesting} levels deep, the limit; flatten the filter`);
    }
  }

  close(): void {
    this.depth--;
  }

  /** One comparison starting at `at`. */
  term(at: number): void {
    if (++this.terms > SEARCH_LIMITS.maxTerms) {
      throw this.fail(at, `the filter holds more than ${SEARCH_LIMITS.maxTerms} comparisons, the limit; combine values with IN (...) or split the search`);
    }
  }

  /** One value of an IN / NOT IN list, at `at`. */
  listValue(at: number): void {
    if (++this.values > SEARCH_LIMITS.maxListValues) {
      throw this.fail(at, `the filter's IN lists hold more than ${SEARCH_LIMITS.maxListValues} values in all, the limit; split the search`);
    }
  }
}

/** Refuses an order_by with more clauses than {@link SEARCH_LIMITS.maxOrderBy}. */
export function checkOrderByCount(orderBy: readonly unknown[] | undefined, invalid: (message: string) => CairnError): void {
  const n = orderBy?.length ?? 0;
  if (n > SEARCH_LIMITS.maxOrderBy) throw invalid(`order_by has ${n} clauses; the limit is ${SEARCH_LIMITS.maxOrderBy}. Order by fewer keys.`);
}

/** Refuses a filter or order_by clause over {@link SEARCH_LIMITS.filterLength}, before it is tokenized. */
export function checkFilterLength(source: string, what: 'filter' | 'order_by clause'): void {
  if (source.length > SEARCH_LIMITS.filterLength) {
    throw invalidArgument(`The ${what} is ${source.length} characters long; the limit is ${SEARCH_LIMITS.filterLength}. Split the search into several smaller ones (e.g. fewer values per IN list).`, { limit: 'filterLength' });
  }
}
