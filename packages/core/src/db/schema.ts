import type { Generated } from 'kysely';

// Row shapes of the metadata database. Only stores see these; everything above works with entities.
// Booleans are 0/1 integers and times are epoch milliseconds on both SQLite and PostgreSQL.

export interface ExperimentRow {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface TagRow { key: string; value: string }
export interface ExperimentTagRow extends TagRow { experiment_id: number }
export interface RunTagRow extends TagRow { run_uuid: string }
export interface ParamRow { run_uuid: string; key: string; value: string }

export interface RunRow {
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: string;
  status_reason: string | null;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: string;
  deleted_time: number | null;
  artifact_uri: string;
  parent_run_uuid: string | null;
  source_git_commit: string | null;
  source_git_dirty: number | null;
  source_entry_point: string | null;
  source_node_version: string | null;
  last_heartbeat: number | null;
}

export interface MetricRow {
  run_uuid: string;
  key: string;
  /** 0 when is_nan = 1: SQLite cannot store NaN. */
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

/**
 * Up to 8192 points of one metric's history, packed as little-endian Float64 triples
 * (step, timestamp, value); see tracking/sql/metric-segments.ts.
 */
export interface MetricSegmentRow {
  run_uuid: string;
  key: string;
  /** 0, 1, 2, … per (run, key), in write order. */
  seq: number;
  /** Points in `data`. */
  n: number;
  min_step: number;
  max_step: number;
  data: Buffer;
}

export interface DatasetRow {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface RunInputRow {
  run_uuid: string;
  dataset_uuid: string;
  /** The `mlflow.data.context` input tag (training, validation, …), kept as a column for search. */
  context: string | null;
  /** Other input tags, JSON. */
  tags: string | null;
}

export interface ApiTokenRow {
  token_id: string;
  name: string;
  role: string;
  token_hash: string;
  created_time: number;
  expires_time: number | null;
  revoked_time: number | null;
  last_used_time: number | null;
}

export interface Database {
  experiments: ExperimentRow;
  experiment_tags: ExperimentTagRow;
  runs: RunRow;
  run_tags: RunTagRow;
  params: ParamRow;
  metric_segments: MetricSegmentRow;
  latest_metrics: MetricRow;
  datasets: DatasetRow;
  run_inputs: RunInputRow;
  api_tokens: ApiTokenRow;
}
