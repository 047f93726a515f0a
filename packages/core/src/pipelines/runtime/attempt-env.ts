import type { CairnConfig } from '../../config/config.js';
import type { StepTask } from '../executors/executor.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import type { StepLogSink } from './log-capture.js';
import type { StepProcesses } from './process-runner.js';

/** Everything one attempt's code path needs, whichever way the step runs (in-process, child, command). */
export interface AttemptEnv {
  task: StepTask;
  objects: ArtifactObjects;
  sink: StepLogSink;
  /** Aborted on timeout, cancellation or a lost claim; its reason says which. */
  signal: AbortSignal;
  /** The attempt's scratch folder, created on first use and removed afterwards. */
  workdir(): string;
  projectDir: string;
  config: CairnConfig;
  cacheDir: string;
  trackingRunId: string | null;
  now(): number;
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  /** Child processes the attempt starts are marked, guarded and recorded through this. */
  processes: StepProcesses;
  /** Called when the step's own code starts (an isolated step's child has loaded): its timeout starts then. */
  codeStarted(): void;
}
