import type { Generated } from 'kysely';
import type { DatasetRow, ExperimentRow, MetricRow, RunInputRow, RunRow } from '../../db/schema.js';
import {
  CONTEXT_TAG,
  type DatasetInput,
  type Experiment,
  type LifecycleStage,
  type Metric,
  type RunInfo,
  type RunStatus,
  type Tags,
} from '../entities.js';
import { keyMap } from '../../util/key-map.js';

type Selected<T> = { [K in keyof T]: T[K] extends Generated<infer U> ? U : T[K] };

export function toExperiment(row: Selected<ExperimentRow>, tags: Tags): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    creationTime: row.creation_time,
    lastUpdateTime: row.last_update_time,
    tags,
  };
}

export function toRunInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    experimentId: String(row.experiment_id),
    runName: row.name,
    userId: row.user_id,
    status: row.status as RunStatus,
    statusReason: row.status_reason,
    startTime: row.start_time,
    endTime: row.end_time,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    artifactUri: row.artifact_uri,
    parentRunId: row.parent_run_uuid,
    source: {
      gitCommit: row.source_git_commit,
      gitDirty: row.source_git_dirty === null ? null : row.source_git_dirty === 1,
      entryPoint: row.source_entry_point,
      nodeVersion: row.source_node_version,
    },
    lastHeartbeat: row.last_heartbeat,
  };
}

export function toMetric(row: Pick<MetricRow, 'key' | 'value' | 'timestamp' | 'step' | 'is_nan'>): Metric {
  return { key: row.key, value: row.is_nan === 1 ? Number.NaN : row.value, timestamp: row.timestamp, step: row.step };
}

/** SQLite stores NaN as NULL, so NaN is a flag and the value column holds 0. */
export function toMetricRow(runId: string, m: Metric): MetricRow {
  const nan = Number.isNaN(m.value);
  return { run_uuid: runId, key: m.key, value: nan ? 0 : m.value, timestamp: m.timestamp, step: m.step, is_nan: nan ? 1 : 0 };
}

export function toDatasetInput(input: Pick<RunInputRow, 'context' | 'tags'>, ds: DatasetRow): DatasetInput {
  const tags = keyMap(input.tags ? Object.entries(JSON.parse(input.tags) as Tags) : []);
  if (input.context !== null) tags[CONTEXT_TAG] = input.context;
  return {
    dataset: { name: ds.name, digest: ds.digest, sourceType: ds.source_type, source: ds.source, schema: ds.schema, profile: ds.profile },
    tags,
  };
}

export function tagsOf(rows: { key: string; value: string }[]): Tags {
  return keyMap(rows.map((r) => [r.key, r.value]));
}
