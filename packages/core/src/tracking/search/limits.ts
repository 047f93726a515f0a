import { invalid } from '../../errors.js';

/**
 * Limits on what one search may ask for, shared by run, experiment and registry searches on every
 * surface (SDK, CLI, /api/v1, MLflow routes). The database work a search costs grows with them;
 * beyond these it is refused with INVALID_ARGUMENT before anything is parsed or sent to the
 * database. What still runs long is ended by the store's statement timeout.
 */
export const SEARCH_LIMITS = {
  /**
   * Characters in one filter or order_by clause (64 KiB): room for an `IN` list of over 1,500 run
   * ids, far below the 20,000-term filters that kept PostgreSQL busy for minutes.
   */
  filterLength: 65_536,
  /** order_by clauses of one search: each metric, param or tag one is a join. */
  orderByClauses: 20,
} as const;

/** Refuses a filter or order_by clause over {@link SEARCH_LIMITS.filterLength}. */
export function checkFilterLength(source: string, what: 'filter' | 'order_by clause'): void {
  if (source.length > SEARCH_LIMITS.filterLength) {
    throw invalid(`The ${what} is ${source.length} characters long; the limit is ${SEARCH_LIMITS.filterLength}. Split the search into several smaller ones (e.g. fewer values per IN list).`, { limit: 'filterLength' });
  }
}

/** Refuses more order_by clauses than {@link SEARCH_LIMITS.orderByClauses}. */
export function checkOrderByCount(orderBy: readonly string[] | undefined): void {
  const n = orderBy?.length ?? 0;
  if (n > SEARCH_LIMITS.orderByClauses) {
    throw invalid(`A search may be ordered by at most ${SEARCH_LIMITS.orderByClauses} order_by clauses; got ${n}.`, { limit: 'orderByClauses', field: 'order_by' });
  }
}
