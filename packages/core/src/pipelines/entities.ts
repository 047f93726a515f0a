// Domain entities of the pipeline orchestrator. Stores map rows to these; nothing above a store sees a column.

export const PIPELINE_RUN_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type PipelineRunStatus = (typeof PIPELINE_RUN_STATUSES)[number];

export const STEP_STATUSES = ['PENDING', 'QUEUED', 'RUNNING', 'RETRYING', 'COMPLETED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
/** A step in one of these has outputs its dependents can use. */
export const DONE_STEP_STATUSES: readonly StepStatus[] = ['COMPLETED', 'CACHED'];
export const FINAL_STEP_STATUSES: readonly StepStatus[] = ['COMPLETED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELLED'];

/** What kind of value flows along an edge; it picks the materializer that stores it. */
export const VALUE_KINDS = ['json', 'number', 'string', 'boolean', 'table', 'file', 'folder', 'model'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

/** Where a pipeline's code lives, so a worker or a resumed run can load the same definition. */
export interface PipelineSource {
  /** Relative to the project folder when inside it, else absolute. */
  file: string;
  /** The export holding the pipeline; null finds it by name among the module's exports. */
  exportName: string | null;
}

export interface PipelineRun {
  runId: string;
  pipelineName: string;
  status: PipelineRunStatus;
  /** Why the run ended as it did when Cairn ended it (a heartbeat lapse, a cancel request). */
  statusReason: string | null;
  params: Record<string, unknown>;
  source: PipelineSource | null;
  executor: string;
  /** The tracking experiment (`pipelines/<name>`) and run the step runs nest under. */
  experimentId: string | null;
  trackingRunId: string | null;
  noCache: boolean;
  stepCount: number;
  createdTime: number;
  endTime: number | null;
  heartbeatTime: number | null;
  cancelRequested: boolean;
  resumeCount: number;
  /** `host:pid` of the process running (or that last ran) the run. */
  runner: string | null;
}

export interface StepError {
  message: string;
  stack: string | null;
}

export type CacheStatus = 'hit' | 'miss' | 'off';

/** The parts of a step's cache key; `cairn pipelines explain` names the one that changed. */
export interface CacheParts {
  step: string;
  /** sha256 of the step's own source (a function's text, a command's argv and the scripts it names). */
  code: string;
  version: string | null;
  /** Canonical JSON of each parameter (pipeline params and literal values bound to inputs). */
  params: Record<string, string>;
  /** Digest of each input artifact. */
  inputs: Record<string, string>;
  /** Materializer (with its format version) of each input artifact and declared output. */
  materializers: Record<string, string>;
}

/** Where one step input comes from. */
export type Binding =
  | { from: 'output'; step: string; output: string }
  | { from: 'param'; name: string }
  | { from: 'value'; value: unknown };

export interface StepRun {
  stepRunId: string;
  runId: string;
  /** Unique within the pipeline: the step name, or `name_2`… when a step is used twice. */
  stepId: string;
  stepName: string;
  kind: 'function' | 'command';
  /** Topological position: the order `show` lists steps in. */
  position: number;
  status: StepStatus;
  attempt: number;
  maxAttempts: number;
  startTime: number | null;
  endTime: number | null;
  error: StepError | null;
  cache: { key: string | null; parts: CacheParts | null; status: CacheStatus | null; note: string | null; cachedFrom: string | null };
  trackingRunId: string | null;
  /** `host:pid` of the process that ran the last attempt. */
  worker: string | null;
  upstream: string[];
  bindings: Record<string, Binding>;
}

export const ATTEMPT_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/**
 * One attempt of a step run: a retry, a resume or a takeover (a worker picking up the step of one
 * that died) each start a new one, numbered from 1 across the step run's life.
 */
export interface StepAttempt {
  stepRunId: string;
  stepId: string;
  attempt: number;
  status: AttemptStatus;
  startTime: number;
  /** For an attempt whose process died: the last time it was known alive (its runner's heartbeat, its lease). */
  endTime: number | null;
  error: string | null;
  /** `host:pid` of the process that ran it. */
  worker: string | null;
  /** Process group of its child process (command and isolated steps). */
  processGroup: number | null;
}

export interface ArtifactRecord {
  artifactId: string;
  /** sha256 of the artifact's manifest (each file's path and sha256). */
  digest: string;
  /** e.g. `json@1`, `table-parquet@1`. */
  materializer: string;
  kind: ValueKind;
  /** Key of the artifact's folder in the artifact store. */
  uri: string;
  size: number;
  fileCount: number;
  createdTime: number;
}

/** An artifact as one step saw it: produced (`output`) or consumed (`input`) under `name`. */
export interface ArtifactLink {
  stepRunId: string;
  direction: 'input' | 'output';
  name: string;
  artifact: ArtifactRecord;
}

export interface LogLine {
  stepRunId: string;
  stepId: string;
  attempt: number;
  seq: number;
  stream: 'stdout' | 'stderr';
  time: number;
  text: string;
}

export interface PipelineSummary {
  name: string;
  source: PipelineSource | null;
  params: Record<string, unknown>;
  stepCount: number;
  updatedTime: number;
  lastRun: { runId: string; status: PipelineRunStatus; createdTime: number } | null;
}

export interface Schedule {
  scheduleId: string;
  name: string;
  pipelineName: string;
  source: PipelineSource;
  cron: string;
  timezone: string;
  params: Record<string, unknown>;
  enabled: boolean;
  createdTime: number;
  lastTickTime: number | null;
}

/** A pipeline run with all its step runs and every attempt of them. */
export interface PipelineRunDetail {
  run: PipelineRun;
  steps: StepRun[];
  /** In step order, then by attempt number. */
  attempts: StepAttempt[];
}

/** One node of `cairn pipelines lineage`: a step run and the artifacts it consumed and produced. */
export interface LineageNode {
  step: StepRun;
  inputs: ArtifactLink[];
  outputs: ArtifactLink[];
}

/** Progress events a running pipeline emits (the CLI's live table listens to these). */
export type PipelineEvent =
  | { type: 'run'; runId: string; status: PipelineRunStatus; reason?: string | null }
  | { type: 'step'; runId: string; stepId: string; status: StepStatus; attempt: number; error?: StepError | null; note?: string | null };
