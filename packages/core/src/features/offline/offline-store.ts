import type { FeatureViewSpec, Field, PushSourceSpec } from '../entities.js';
import type { FeatureProfile } from '../stats/training-profile.js';

/**
 * Entity rows for historical retrieval: rows in memory, a CSV/Parquet file or folder, or a query the
 * offline engine runs. Each row carries the join keys and a lookup time (`timestampColumn`).
 */
export type EntitySource =
  | { rows: Array<Record<string, unknown>> }
  | { file: string }
  | { sql: string };

/** One view's part of a retrieval: which of its features, and the output column for each. */
export interface ViewRequest {
  view: FeatureViewSpec;
  features: Array<{ feature: string; column: string }>;
}

export interface HistoricalQuery {
  entities: EntitySource;
  /** Column of the entity rows holding the lookup time (default `event_timestamp`). */
  timestampColumn: string;
  views: ViewRequest[];
  /** Only use feature rows created at or before the lookup time (needs a created-timestamp field). */
  filterByCreatedTimestamp: boolean;
  /** Feature columns in output order (default: view by view, in request order). */
  featureOrder?: string[];
}

/**
 * The result of a historical retrieval, held by the offline engine until `close`. Rows come back in
 * entity-row order: the entity columns, then one column per requested feature.
 */
export interface RetrievalJob {
  readonly columns: Field[] | Array<{ name: string; type: string }>;
  readonly rowCount: number;
  /** Order-sensitive digest of the entity rows as read. */
  readonly entityDigest: string;
  /** Order-sensitive digest of the result (recomputed after computed columns are added). */
  resultDigest(): Promise<string>;
  toRows(): Promise<Array<Record<string, unknown>>>;
  /** Per-column statistics of the result (what the monitor measures drift against), computed where the rows are. */
  profile(): Promise<FeatureProfile[]>;
  /** The result as an Arrow IPC stream. */
  toArrow(): Promise<Uint8Array>;
  writeParquet(path: string): Promise<void>;
  writeCsv(path: string): Promise<void>;
  /** Adds columns computed row by row from existing ones (on-demand feature views). */
  addComputedColumns(inputs: string[], outputs: Field[], compute: (row: Record<string, unknown>) => Record<string, unknown>): Promise<void>;
  /** Keeps only these columns, in this order. */
  project(columns: string[]): Promise<void>;
  close(): Promise<void>;
}

/** One feature row read for materialization: the newest row of one entity in the window. */
export interface LatestRow {
  /** Join key values in the view's join-key order. */
  key: unknown[];
  eventTs: number;
  createdTs: number | null;
  values: Record<string, unknown>;
}

export interface PullLatestQuery {
  view: FeatureViewSpec;
  /** Inclusive window bounds, epoch ms. */
  start: number;
  end: number;
  batchSize: number;
}

/**
 * Where feature history lives and point-in-time joins run. The DuckDB store is the engine; views
 * on PostgreSQL sources are pushed down to PostgreSQL by it.
 */
export interface OfflineStore {
  getHistoricalFeatures(query: HistoricalQuery): Promise<RetrievalJob>;
  /** For each entity, its newest row with start <= event time <= end, in batches of at most `batchSize` (callers gather them). */
  pullLatest(query: PullLatestQuery): AsyncIterable<LatestRow[]>;
  /** Keeps pushed rows for offline retrieval of views on a push source. */
  writePushed(source: PushSourceSpec, columns: Field[], rows: Array<Record<string, unknown>>): Promise<void>;
  close(): Promise<void>;
}
