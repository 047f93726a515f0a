/** One scored row as the inference log keeps it. */
export interface InferenceRecord {
  requestId: string;
  /** The row's position in its request. */
  row: number;
  model: string;
  version: number;
  /** Epoch milliseconds. */
  time: number;
  /** The entity keys the features were looked up with, as JSON object text (`{"customer_id":1}`), or null. */
  entity: string | null;
  /** The model's inputs for this row, looked-up features included. */
  inputs: Record<string, unknown>;
  output: unknown;
  /** Time to answer the whole request, in milliseconds. */
  latencyMs: number;
}

export interface InferenceLogQuery {
  model: string;
  /** Only this version (every version when omitted). */
  version?: number;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export interface ReadOptions {
  /** Read the input columns too (default true); the monitor reads them summarized instead (`summarizeInputs`). */
  inputs?: boolean;
}

/** Logged rows as columns (what the monitor computes over). */
export interface LoggedRows {
  count: number;
  requestIds: string[];
  rows: number[];
  times: number[];
  versions: number[];
  entities: Array<string | null>;
  /** Each input column's values, one per row (null where a row did not have it; a numeric Parquet column is a Float64Array with NaN). */
  inputs: Map<string, unknown[] | Float64Array>;
  outputs: unknown[];
}

/** One entry per logged request (not per row): what request rate and latency are computed from. */
export interface LoggedRequests {
  count: number;
  /** Epoch ms the request was scored. */
  times: number[];
  latencyMs: number[];
  versions: number[];
  /** How many rows the request scored. */
  rows: number[];
}

export function emptyRequests(): LoggedRequests {
  return { count: 0, times: [], latencyMs: [], versions: [], rows: [] };
}

/** A ground-truth label attached to a logged prediction, by request id (and row) or by entity and time. */
export interface InferenceLabel {
  model: string;
  requestId: string | null;
  /** The row within the request; null labels every row of it. */
  row: number | null;
  /** Entity keys as JSON object text with sorted keys; matched to logged rows of the same entity. */
  entity: string | null;
  /** When the outcome was observed (epoch ms); an entity label applies to rows logged before it. */
  time: number;
  label: unknown;
}

export function emptyRows(): LoggedRows {
  return { count: 0, requestIds: [], rows: [], times: [], versions: [], entities: [], inputs: new Map(), outputs: [] };
}

/** Entity keys as canonical JSON text: sorted keys, so `{b, a}` and `{a, b}` match. */
export function entityText(keys: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(keys).sort().map((k) => [k, keys[k]])));
}
