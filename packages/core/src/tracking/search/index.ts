// Search over runs and experiments: MLflow's filter and order_by languages (plus OR and parentheses),
// compiled to SQL for SQLite and PostgreSQL, with an in-memory evaluator as the reference semantics.
export type {
  Comparison,
  Entity,
  FilterNode,
  ListComparison,
  LogicalNode,
  NumericComparison,
  OrderTerm,
  SearchTarget,
  StringComparison,
} from './ast.js';
export { formatFilter, formatKey } from './format-filter.js';
export { compareCodePoints, compareExperiments, compareRuns, matchesExperiment, matchesRun } from './memory-search.js';
export { parseOrderBy, type ExperimentTieBreak } from './order-by.js';
export { decodePageToken, encodePageToken } from './page-token.js';
export { SEARCH_LIMITS } from './limits.js';
export { parseFilter } from './parser.js';
export {
  DEFAULT_MAX_RESULTS,
  DEFAULT_TUNING,
  MAX_RESULTS_LIMIT,
  searchExperimentIds,
  searchRunIds,
  type ExperimentSearchQuery,
  type RunSearchQuery,
  type SearchTuning,
} from './sql-search.js';
