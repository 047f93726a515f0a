import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CairnConfig } from '../../config/config.js';
import type { RunService } from '../../tracking/run-service.js';
import type { ArtifactRecord, StepError } from '../entities.js';
import type { StepOutcome, StepTask } from '../executors/executor.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import type { LineageStore, LinkInput } from '../sql/lineage-store.js';
import type { LogStore } from '../sql/log-store.js';
import type { StepRunStore } from '../sql/step-run-store.js';
import type { StepDefinition } from '../step-definition.js';
import type { AttemptEnv } from './attempt-env.js';
import { runInChild } from './child-host.js';
import { runCommandStep } from './command-runner.js';
import { runInProcess } from './in-process.js';
import { StepLogSink } from './log-capture.js';
import { abortText } from './process-runner.js';
import { StepDefinitionError, describeError } from './step-io.js';
import { StepTracking } from './step-tracking.js';

export interface StepRunnerDeps {
  steps: StepRunStore;
  lineage: LineageStore;
  logs: LogStore;
  runs: RunService;
  objects: ArtifactObjects;
  config: CairnConfig;
  cacheDir: string;
  /** Scratch folders of attempts are made under it. */
  workRoot: string;
  /** Renew the attempt's lease this often, stopping it when the claim is lost or the run cancelled (workers). */
  leaseMs: number | null;
  /** Finds the step definition a task names (from the running graph, or by loading the pipeline file). */
  resolveStep(task: StepTask): Promise<StepDefinition>;
  now(): number;
}

export const token = (): string => randomBytes(12).toString('hex');
export const WORKER_ID = `${hostname()}:${process.pid}`;

const outputsMap = (links: LinkInput[]): Record<string, ArtifactRecord> => Object.fromEntries(links.map((l) => [l.name, l.artifact]));

/**
 * Runs one attempt where it is called: claims it (a stale or duplicate delivery is turned away),
 * opens the step's tracking run, runs the step in-process, in a child process or as a command,
 * stores its outputs and completes it with its lineage in one transaction. Timeouts and
 * cancellation abort the attempt (killing its process); a lost claim discards the result.
 */
export class StepRunner {
  private readonly tracking: StepTracking;

  constructor(private readonly d: StepRunnerDeps) {
    this.tracking = new StepTracking(d.runs);
  }

  readonly run = async (task: StepTask, signal: AbortSignal): Promise<StepOutcome> => {
    const d = this.d;
    const claimToken = token();
    const claimed = task.direct
      ? await d.steps.claimDirect(task.stepRunId, task.dispatchToken, task.attempt, task.direct.cache, claimToken, WORKER_ID, d.now())
      : await d.steps.claim(task.stepRunId, task.dispatchToken, claimToken, WORKER_ID, d.now());
    if (!claimed) return this.outcomeOf(task);

    const controller = new AbortController();
    let why: 'cancel' | 'timeout' | 'lost' | null = null;
    const stop = (reason: typeof why, text: string) => {
      if (why) return;
      why = reason;
      controller.abort(new Error(text));
    };
    const onSignal = () => stop('cancel', abortText(signal));
    if (signal.aborted) onSignal();
    else signal.addEventListener('abort', onSignal, { once: true });
    const timers: NodeJS.Timeout[] = [];
    if (d.leaseMs) {
      timers.push(setInterval(() => {
        d.steps.renewLease(task.stepRunId, claimToken, d.now()).then((s) => {
          if (!s.owned) stop('lost', 'another worker took this step over');
          else if (s.cancelRequested) stop('cancel', 'the pipeline run was cancelled');
        }, () => {});
      }, d.leaseMs));
    }
    const sink = new StepLogSink(task.stepRunId, task.attempt, d.logs, d.now);
    const workdir = join(d.workRoot, `${task.stepRunId}-${task.attempt}-${claimToken.slice(0, 6)}`);
    let made = false;
    let trackingRunId: string | null = null;
    try {
      trackingRunId = await this.tracking.open(task, claimed.trackingRunId).catch((e: unknown) => {
        sink.log(`[cairn] could not open the step's tracking run: ${(e as Error).message}`);
        return null;
      });
      const def = await d.resolveStep(task);
      if (def.timeoutMs !== null) timers.push(setTimeout(() => stop('timeout', `step '${task.stepId}' timed out after ${def.timeoutMs} ms`), def.timeoutMs));
      const env: AttemptEnv = {
        task, objects: d.objects, sink, signal: controller.signal, projectDir: d.config.projectDir, config: d.config, cacheDir: d.cacheDir, trackingRunId, now: d.now,
        workdir: () => (made ||= (mkdirSync(workdir, { recursive: true }), true), workdir),
        logMetrics: async (metrics, step = 0) => {
          if (!trackingRunId) return;
          const timestamp = d.now();
          await d.runs.logBatch(trackingRunId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step })) });
        },
      };
      const run = def.impl.type === 'command' ? runCommandStep : def.isolation === 'process' ? runInChild : runInProcess;
      const outputs = await run(def, task.stepId, env);
      if (why) throw new Error(abortText(controller.signal));
      await sink.close();
      const inputs = Object.entries(task.artifacts).map(([name, artifact]) => ({ name, artifact }));
      if (!(await d.steps.complete(task.stepRunId, claimToken, d.now(), outputs, inputs, trackingRunId))) return { status: 'STALE' };
      await this.tracking.end(trackingRunId, 'FINISHED', outputs, task);
      return { status: 'COMPLETED', outputs: outputsMap(outputs) };
    } catch (e) {
      return await this.failed(task, claimToken, sink, trackingRunId, e, why);
    } finally {
      for (const t of timers) clearTimeout(t);
      signal.removeEventListener('abort', onSignal);
      await sink.close().catch(() => {});
      if (made) await rm(workdir, { recursive: true, force: true }).catch(() => {});
    }
  };

  private async failed(task: StepTask, claimToken: string, sink: StepLogSink, trackingRunId: string | null, e: unknown, why: 'cancel' | 'timeout' | 'lost' | null): Promise<StepOutcome> {
    const d = this.d;
    if (why === 'lost') return { status: 'STALE' };
    if (why === 'cancel') {
      await sink.close();
      await d.steps.endAttempt(task.stepRunId, claimToken, 'CANCELLED', { message: 'cancelled while running', stack: null }, d.now(), trackingRunId);
      await this.tracking.end(trackingRunId, 'KILLED', [], task);
      return { status: 'CANCELLED' };
    }
    const described = describeError(e);
    const error: StepError = { message: described.message, stack: described.stack };
    const retrying = !(e instanceof StepDefinitionError) && task.attempt < task.maxAttempts;
    sink.log(`[cairn] attempt ${task.attempt} of ${task.maxAttempts} failed: ${error.message}${retrying ? ' (retrying)' : ''}`);
    await sink.close();
    if (!(await d.steps.endAttempt(task.stepRunId, claimToken, retrying ? 'RETRYING' : 'FAILED', error, d.now(), trackingRunId))) return { status: 'STALE' };
    if (!retrying) await this.tracking.end(trackingRunId, 'FAILED', [], task);
    return { status: 'FAILED', error, retrying };
  }

  /** Resolves once what this runner writes after a step completed (its output reference files) is written. */
  settled(): Promise<void> {
    return this.tracking.settled();
  }

  /** The outcome of a dispatch this runner could not claim: whatever the store says happened. */
  async outcomeOf(task: StepTask): Promise<StepOutcome> {
    const step = await this.d.steps.get(task.stepRunId);
    if (!step || step.attempt !== task.attempt) return { status: 'STALE' };
    if (step.status === 'COMPLETED' || step.status === 'CACHED') {
      const outputs = (await this.d.lineage.outputsOf([step.stepRunId])).get(step.stepRunId) ?? {};
      return { status: 'COMPLETED', outputs };
    }
    if (step.status === 'FAILED' || step.status === 'RETRYING') return { status: 'FAILED', error: step.error ?? { message: 'failed', stack: null }, retrying: step.status === 'RETRYING' };
    if (step.status === 'CANCELLED' || step.status === 'SKIPPED') return { status: 'CANCELLED' };
    return { status: 'STALE' };
  }
}
