// Domain entities of experiment tracking. Stores map rows to these; nothing above a store sees a column.

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export type LifecycleStage = 'active' | 'deleted';
/** Which lifecycle stages a search or listing returns. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export type Tags = Record<string, string>;

export interface Experiment {
  /** Decimal string, as MLflow clients expect. */
  experimentId: string;
  name: string;
  /** Cairn-assigned artifact location, relative to the artifact root. */
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tags;
}

/** One point of a metric's history. `value` may be NaN or ±Infinity. */
export interface Metric {
  key: string;
  value: number;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Integer step, defaults to 0. */
  step: number;
}

/**
 * A stretch of one metric's history as columns, in history order: entry i of each column is point i.
 * Readers of long histories (HTTP replies, charts) take this instead of one object per point.
 */
export interface MetricSeries {
  key: string;
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface Param { key: string; value: string }
export interface Tag { key: string; value: string }

/** Where a run's code came from. */
export interface RunSource {
  gitCommit: string | null;
  gitDirty: boolean | null;
  entryPoint: string | null;
  nodeVersion: string | null;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  /** Why the run ended as it did (e.g. "no heartbeat for 600 s"), when Cairn ended it. */
  statusReason: string | null;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  /** Relative to the artifact root: `<experiment location>/<run id>/artifacts`. */
  artifactUri: string;
  parentRunId: string | null;
  source: RunSource;
  lastHeartbeat: number | null;
}

export interface Dataset {
  name: string;
  digest: string;
  /** e.g. `local`, `s3`, `http`, `cairn-training-set`. */
  sourceType: string;
  /** Free-form description of where the data lives (JSON by MLflow convention). */
  source: string;
  schema?: string | null;
  profile?: string | null;
}

export interface DatasetInput {
  dataset: Dataset;
  /** Input tags; `mlflow.data.context` (training, validation, …) is the well-known one. */
  tags: Tags;
}

/** One dataset runs of an experiment used, with the context it was used in (training, validation…). */
export interface DatasetSummary {
  experimentId: string;
  name: string;
  digest: string;
  context: string | null;
}

export interface RunData {
  params: Record<string, string>;
  tags: Tags;
  /** The latest value per key: the greatest (step, timestamp, value). */
  metrics: Metric[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: DatasetInput[];
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextPageToken: string | null;
}

export const CONTEXT_TAG = 'mlflow.data.context';
