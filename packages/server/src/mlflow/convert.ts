import { withMirroredTags, type ArtifactFileInfo, type DatasetInput, type Experiment, type MetricSeries, type Run, type RunInfo, type Tags } from '@cairn/core';
import { JsonText } from '../json-text.js';
import { encodeMetric, metricSeriesJson } from '../metric-value-codec.js';

// Cairn entities as MLflow's REST JSON (protobuf JSON with proto field names): ids are strings,
// int64 timestamps are numbers, unset optional fields and empty repeated fields are left out, and
// non-finite doubles are the strings "NaN", "Infinity" and "-Infinity".

export { PARENT_RUN_TAG, RUN_NAME_TAG, USER_TAG } from '@cairn/core';

type Json = Record<string, unknown>;

/** `mlflow-artifacts:/<location>`: MLflow clients resolve it to this server's artifact proxy. */
export function mlflowArtifactUri(location: string): string {
  return `mlflow-artifacts:/${location.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`;
}

/** Adds `key: list` only when the list has entries, as protobuf JSON leaves out empty repeated fields. */
function withList(target: Json, key: string, list: unknown[]): Json {
  if (list.length) target[key] = list;
  return target;
}

export function keyValues(tags: Tags): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function experimentJson(e: Experiment): Json {
  return withList(
    {
      experiment_id: e.experimentId,
      name: e.name,
      artifact_location: mlflowArtifactUri(e.artifactLocation),
      lifecycle_stage: e.lifecycleStage,
      last_update_time: e.lastUpdateTime,
      creation_time: e.creationTime,
    },
    'tags',
    keyValues(e.tags),
  );
}

export function runInfoJson(info: RunInfo): Json {
  const json: Json = {
    run_id: info.runId,
    run_uuid: info.runId,
    run_name: info.runName,
    experiment_id: info.experimentId,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
  };
  if (info.endTime !== null) json.end_time = info.endTime;
  json.artifact_uri = mlflowArtifactUri(info.artifactUri);
  json.lifecycle_stage = info.lifecycleStage;
  return json;
}

/** MLflow's Metric message has Cairn's wire shape: key, value (non-finite as strings), timestamp, step. */
export const metricJson = encodeMetric;

/**
 * The tags MLflow clients read attributes from: the stored tags plus `mlflow.runName`, `mlflow.user`
 * and `mlflow.parentRunId` mirrored from the run (core's `withMirroredTags`, the rule search applies
 * too, so every tag runs/get shows can be searched).
 */
export const runTags: (run: Run) => Tags = withMirroredTags;

export function datasetInputJson(input: DatasetInput): Json {
  const d = input.dataset;
  const dataset: Json = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source };
  if (d.schema != null) dataset.schema = d.schema;
  if (d.profile != null) dataset.profile = d.profile;
  return { ...withList({}, 'tags', keyValues(input.tags)), dataset };
}

export function runJson(run: Run): Json {
  const data = withList({}, 'metrics', run.data.metrics.map(metricJson));
  withList(data, 'params', keyValues(run.data.params));
  withList(data, 'tags', keyValues(runTags(run)));
  return {
    info: runInfoJson(run.info),
    data,
    inputs: withList({}, 'dataset_inputs', run.inputs.map(datasetInputJson)),
  };
}

/** A listing entry with `path` as given; `file_size` only for files, `is_dir` always. */
export function fileInfoJson(path: string, info: ArtifactFileInfo): Json {
  const json: Json = { path, is_dir: info.isDir };
  if (!info.isDir && info.size !== null) json.file_size = info.size;
  return json;
}

/** A response holding a list under `key` and an optional page token, both left out when empty. */
export function pageJson(key: string, items: unknown[], nextPageToken: string | null): Json {
  const json = withList({}, key, items);
  if (nextPageToken) json.next_page_token = nextPageToken;
  return json;
}

/** A get-history reply, `pageJson('metrics', …)` written directly: pages hold up to a million points. */
export function metricPageJson(series: MetricSeries, nextPageToken: string | null): JsonText | Json {
  if (!series.steps.length) return pageJson('metrics', [], nextPageToken);
  const token = nextPageToken ? `,"next_page_token":${JSON.stringify(nextPageToken)}` : '';
  return new JsonText(metricSeriesJson(series, '{"metrics":', `${token}}`));
}
