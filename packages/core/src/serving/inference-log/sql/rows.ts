// Row shapes of the serving tables (migration 0009-serving-monitoring). Only the SQL stores see these.
export type InferenceLogRow = {
  request_id: string;
  row_index: number;
  model: string;
  version: number;
  time: number;
  entity: string | null;
  inputs: string;
  output: string;
  latency_ms: number;
}

export type InferenceLabelRow = {
  label_id: string;
  model: string;
  request_id: string | null;
  row_index: number | null;
  entity: string | null;
  time: number;
  label: string;
  created_time: number;
}

export type ServingTables = {
  inference_log: InferenceLogRow;
  inference_labels: InferenceLabelRow;
}
