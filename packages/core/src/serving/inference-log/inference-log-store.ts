import type { InferenceLogQuery, InferenceRecord, LoggedRequests, LoggedRows, ReadOptions } from './entities.js';
import type { InputSummary, InputSummarySpec } from './input-summary.js';

export interface AppendOptions {
  /** A name unique to this batch of rows (`[A-Za-z0-9_-]`). */
  batch?: string;
}

/**
 * Where logged predictions go: the plug-in point of the inference log, with a backend writing
 * Parquet files to the artifact store and one writing to the metadata database
 * (`serving.inference_log.store`). `append` takes a batch; it either stores all of it or throws.
 */
export interface InferenceLogStore {
  /**
   * Stores a batch whole or throws. A batch given a `batch` name is idempotent: storing it again
   * under the same name (after a crash, from the spool) leaves it stored once.
   */
  append(records: InferenceRecord[], options?: AppendOptions): Promise<void>;
  /** The rows logged in the window, in no particular order (`times` tells when each was scored). */
  read(query: InferenceLogQuery, options?: ReadOptions): Promise<LoggedRows>;
  /** Per-feature statistics of the window's inputs (see `summarizeRows`, which every store must agree with): what the monitor judges drift and data quality on. */
  summarizeInputs(query: InferenceLogQuery, spec: InputSummarySpec): Promise<InputSummary>;
  /** One entry per request in the window (time, latency, version, rows), in no particular order; no inputs or outputs are read. */
  requests(query: InferenceLogQuery): Promise<LoggedRequests>;
  close(): Promise<void>;
}
