import type { ArtifactRecord, PipelineSource, StepError } from '../entities.js';
import type { CacheDecision } from '../sql/step-run-store.js';

/** One attempt of one step run, as handed to an executor (and, for the queue, serialized as the job). */
export interface StepTask {
  runId: string;
  stepRunId: string;
  stepId: string;
  pipelineName: string;
  source: PipelineSource | null;
  /** The run's parameters (workers rebuild the graph from them). */
  params: Record<string, unknown>;
  /** Fresh for each dispatch: a claim must show it, so stale deliveries are ignored. */
  dispatchToken: string;
  attempt: number;
  maxAttempts: number;
  /** Input artifacts by input name. */
  artifacts: Record<string, ArtifactRecord>;
  /** Parameter and literal inputs by input name. */
  values: Record<string, unknown>;
  /** Input name → the `step.output` it is wired from (names the tracking run's dataset inputs). */
  inputSources?: Record<string, string>;
  experimentId: string | null;
  parentTrackingRunId: string | null;
  /** When the orchestrator dispatched it (epoch ms), for dispatch-latency figures. */
  dispatchedAt: number;
  /**
   * Set when the attempt is handed straight to a handler in this process: the step is still
   * PENDING/RETRYING and the claim also records the dispatch (one write instead of two).
   */
  direct?: { cache: CacheDecision };
}

/** How an attempt ended, as its runner recorded it in the metadata store. */
export type StepOutcome =
  | { status: 'COMPLETED'; outputs: Record<string, ArtifactRecord> }
  | { status: 'FAILED'; error: StepError; retrying: boolean }
  | { status: 'CANCELLED' }
  /** The dispatch was superseded (another delivery completed it, or the run moved on). */
  | { status: 'STALE' };

/** Runs one attempt where it is called: claims it, runs the step, records the result. */
export type StepHandler = (task: StepTask, signal: AbortSignal) => Promise<StepOutcome>;

/** An attempt's state in the metadata store, for executors that must notice lost deliveries. */
export type StepProbe =
  | { state: 'queued' }
  | { state: 'running'; leaseTime: number | null }
  | { state: 'finished'; outcome: StepOutcome };

export interface SubmitOptions {
  /** Aborted when the run is cancelled. */
  signal: AbortSignal;
  /** The in-process handler: executors that run steps here call it. */
  handler: StepHandler;
  probe(): Promise<StepProbe>;
}

export interface WorkerOptions {
  /** Steps one worker process runs at once. */
  concurrency: number;
}

export interface RunningWorker {
  readonly id: string;
  /** Stops taking steps, lets running ones finish (or up to `graceMs`), then disconnects. */
  close(graceMs?: number): Promise<void>;
}

/** Executors whose steps run in separate worker processes (`cairn worker`) offer this. */
export interface WorkerPool {
  start(handler: StepHandler, options: WorkerOptions): Promise<RunningWorker>;
}

/**
 * Where step attempts run: the plug-in point between the orchestrator (which decides what runs
 * when) and the place that runs it. `local` calls the handler in this process; `queue` puts the
 * task on a BullMQ queue for `cairn worker` processes and waits for the outcome.
 */
export interface Executor {
  readonly name: string;
  /** True when `submit` calls the handler in this process (no queue in between). */
  readonly runsHere: boolean;
  /** Runs one attempt somewhere and resolves with its outcome; never rejects for a step's own failure. */
  submit(task: StepTask, options: SubmitOptions): Promise<StepOutcome>;
  /** Present when steps are taken by worker processes. */
  readonly workers?: WorkerPool;
  close(): Promise<void>;
}
