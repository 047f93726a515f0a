import { CairnError } from '@cairn/core';

/**
 * The limits MLflow's REST API promises (mlflow/utils/validation.py and the service protos). Cairn's
 * services enforce their own limits too; these are checked first so an MLflow client gets the same
 * answer from Cairn as from an MLflow server, with the field named the way the client spelled it.
 */
export const MLFLOW_LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchEntities: 1000,
  batchDatasets: 1000,
  /** Largest JSON request body on the tracking routes (MLflow: 1 MB for log-batch). */
  bodyBytes: 1024 * 1024,
  searchRunsDefault: 1000,
  searchRunsMax: 50_000,
  searchExperimentsDefault: 1000,
  searchExperimentsMax: 50_000,
} as const;

function tooLong(field: string, length: number, limit: number): CairnError {
  return new CairnError('INVALID_ARGUMENT', `'${field}' is ${length} characters long, which exceeds MLflow's limit of ${limit}. Shorten it.`, {
    details: { field },
  });
}

/** Refuses a string longer than `limit` characters, naming the request field. */
export function checkLength(value: string, field: string, limit: number): string {
  if (value.length > limit) throw tooLong(field, value.length, limit);
  return value;
}

export const checkKeyLength = (key: string, field: string): string => checkLength(key, field, MLFLOW_LIMITS.keyLength);

/** Refuses a log-batch request over MLflow's per-kind and total entity counts. */
export function checkBatchCounts(metrics: number, params: number, tags: number): void {
  const over = (what: string, n: number, limit: number) =>
    new CairnError('INVALID_ARGUMENT', `A log-batch request may hold at most ${limit} ${what}; got ${n}. Split '${what}' across several requests.`, {
      details: { field: what },
    });
  if (metrics > MLFLOW_LIMITS.batchMetrics) throw over('metrics', metrics, MLFLOW_LIMITS.batchMetrics);
  if (params > MLFLOW_LIMITS.batchParams) throw over('params', params, MLFLOW_LIMITS.batchParams);
  if (tags > MLFLOW_LIMITS.batchTags) throw over('tags', tags, MLFLOW_LIMITS.batchTags);
  const total = metrics + params + tags;
  if (total > MLFLOW_LIMITS.batchEntities) throw over('metrics, params and tags', total, MLFLOW_LIMITS.batchEntities);
}

/** `max_results` of a search: the default when absent, else an integer from 1 to `max`. */
export function checkMaxResults(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    // MLflow's handler wording (its schema check on max_results), then the range Cairn accepts.
    throw new CairnError(
      'INVALID_ARGUMENT',
      `Invalid value ${value} for parameter 'max_results' supplied. Hint: Value was of type 'int'. See the API docs for more information about request parameters. 'max_results' must be an integer from 1 to ${max}.`,
      { details: { field: 'max_results' } },
    );
  }
  return value;
}
