// Row shapes of the feature store's tables (migration 0003-features). Only the SQL stores see these.

export type FeatureRegistryVersionRow = {
  version: number;
  applied_time: number;
  digest: string;
  forced: number;
  added: number;
  changed: number;
  removed: number;
}

export type FeatureObjectRow = {
  kind: string;
  name: string;
  version: number;
  registry_version: number;
  digest: string;
  spec: string | null;
  removed: number;
  created_time: number;
}

export type FeatureMaterializationRunRow = {
  run_id: string;
  view: string;
  start_time: number;
  end_time: number;
  status: string;
  rows: number;
  started_time: number;
  ended_time: number | null;
  error: string | null;
  statistics: string | null;
}

export type FeatureWatermarkRow = { view: string; watermark: number; updated_time: number }

export type FeatureTrainingDatasetRow = {
  dataset_id: string;
  name: string;
  created_time: number;
  registry_version: number;
  definitions: string;
  features: string;
  feature_service: string | null;
  entity_digest: string;
  result_digest: string;
  row_count: number;
  run_id: string | null;
  /** FeatureProfile[] as JSON (migration 0009), computed when the set is built. */
  statistics?: string | null;
}

export type FeatureTables = {
  feature_registry_versions: FeatureRegistryVersionRow;
  feature_objects: FeatureObjectRow;
  feature_materialization_runs: FeatureMaterializationRunRow;
  feature_watermarks: FeatureWatermarkRow;
  feature_training_datasets: FeatureTrainingDatasetRow;
}
