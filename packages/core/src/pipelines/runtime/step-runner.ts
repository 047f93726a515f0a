import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { CairnConfig } from '../../config/config.js';
import { randomRunId, type RunService } from '../../tracking/run-service.js';
import type { ArtifactRecord, StepError } from '../entities.js';
import type { StepOutcome, StepTask } from '../executors/executor.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import type { LineageStore, LinkInput } from '../sql/lineage-store.js';
import type { LogStore } from '../sql/log-store.js';
import type { StepAttemptStore } from '../sql/step-attempt-store.js';
import type { Claimed, StepRunStore } from '../sql/step-run-store.js';
import type { StepDefinition } from '../step-definition.js';
import { killAbandonedProcesses } from './abandoned-processes.js';
import type { AttemptEnv } from './attempt-env.js';
import { runInChild } from './child-host.js';
import { runCommandStep } from './command-runner.js';
import { runInProcess } from './in-process.js';
import { StepLogSink } from './log-capture.js';
import type { ProcessGuard } from './process-guard.js';
import { abortText, type StepProcesses } from './process-runner.js';
import { StepDefinitionError, describeError } from './step-io.js';
import { StepTracking } from './step-tracking.js';
import type { WorkFolders } from './work-folders.js';

export interface StepRunnerDeps {
  steps: StepRunStore;
  attempts: StepAttemptStore;
  lineage: LineageStore;
  logs: LogStore;
  runs: RunService;
  objects: ArtifactObjects;
  config: CairnConfig;
  cacheDir: string;
  /** Scratch folders of attempts are made under it. */
  workFolders: WorkFolders;
  /** Kills this process's step processes if it dies (shared by the runners of one service). */
  guard: ProcessGuard;
  /** Renew the attempt's lease this often, stopping it when the claim is lost or the run cancelled (workers). */
  leaseMs: number | null;
  /** Finds the step definition a task names (from the running graph, or by loading the pipeline file). */
  resolveStep(task: StepTask): Promise<StepDefinition>;
  now(): number;
}

export const token = (): string => randomBytes(12).toString('hex');
export const WORKER_ID = `${hostname()}:${process.pid}`;

/** How long an isolated step's child may take to load the pipeline file before its code starts. */
export const startupAllowanceMs = (timeoutMs: number | null): number => Math.max(60_000, timeoutMs ?? 0);

const outputsMap = (links: LinkInput[]): Record<string, ArtifactRecord> => Object.fromEntries(links.map((l) => [l.name, l.artifact]));

type StopReason = 'cancel' | 'timeout' | 'lost';

/**
 * Runs one attempt where it is called: claims it (a stale or duplicate delivery is turned away;
 * a redelivery after its taker died takes over, killing what the dead attempt left), opens the
 * step's tracking run (its id is recorded by the claim, so a sweep can end it if this process
 * dies), runs the step in-process, in a child process or as a command, stores its outputs and
 * completes it with its lineage in one transaction. Timeouts and cancellation abort the attempt
 * (killing its process); a lost claim discards the result.
 */
export class StepRunner {
  private readonly tracking: StepTracking;

  constructor(private readonly d: StepRunnerDeps) {
    this.tracking = new StepTracking(d.runs);
  }

  readonly run = async (task: StepTask, signal: AbortSignal): Promise<StepOutcome> => {
    const d = this.d;
    const claimToken = token();
    const proposed = task.experimentId ? randomRunId() : null;
    const claimed = task.direct
      ? await d.steps.claimDirect(task.stepRunId, task.dispatchToken, task.direct.cache, claimToken, WORKER_ID, d.now(), proposed)
      : await d.steps.claim(task.stepRunId, task.dispatchToken, claimToken, WORKER_ID, d.now(), proposed);
    if (!claimed) return this.outcomeOf(task);
    const attempt: StepTask = { ...task, attempt: claimed.attempt };
    if (claimed.tookOver?.processGroup) {
      killAbandonedProcesses([{ stepRunId: task.stepRunId, attempt: claimed.tookOver.attempt, worker: claimed.tookOver.worker, processGroup: claimed.tookOver.processGroup }]);
    }
    d.workFolders.sweepOnce();

    const controller = new AbortController();
    let why: StopReason | null = null;
    const stop = (reason: StopReason, text: string) => {
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
    const sink = new StepLogSink(task.stepRunId, attempt.attempt, d.logs, d.now);
    const workdir = d.workFolders.path(task.stepRunId, attempt.attempt, claimToken);
    let made = false;
    let trackingRunId: string | null = null;
    try {
      trackingRunId = await this.openTracking(attempt, claimed, sink);
      const def = await d.resolveStep(attempt);
      let clockStarted = false;
      const startClock = () => {
        if (clockStarted) return;
        clockStarted = true;
        if (def.timeoutMs !== null) timers.push(setTimeout(() => stop('timeout', `step '${task.stepId}' timed out after ${def.timeoutMs} ms`), def.timeoutMs));
      };
      const isolated = def.impl.type === 'function' && def.isolation === 'process';
      let startup: NodeJS.Timeout | null = null;
      if (isolated) {
        // Loading the pipeline file in a fresh process takes seconds: not counted against the timeout.
        const allowance = startupAllowanceMs(def.timeoutMs);
        startup = setTimeout(() => stop('timeout', `step '${task.stepId}': its child process did not start the step's code within ${allowance / 1000} s (loading the pipeline file)`), allowance);
        timers.push(startup);
      } else {
        startClock();
      }
      const env: AttemptEnv = {
        task: attempt, objects: d.objects, sink, signal: controller.signal, projectDir: d.config.projectDir, config: d.config, cacheDir: d.cacheDir, trackingRunId, now: d.now,
        workdir: () => (made ||= (mkdirSync(workdir, { recursive: true }), true), workdir),
        logMetrics: async (metrics, step = 0) => {
          if (!trackingRunId) return;
          const timestamp = d.now();
          await d.runs.logBatch(trackingRunId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step })) });
        },
        processes: this.processes(attempt),
        codeStarted: () => {
          if (startup) clearTimeout(startup);
          startClock();
        },
      };
      const run = def.impl.type === 'command' ? runCommandStep : isolated ? runInChild : runInProcess;
      const outputs = await run(def, task.stepId, env);
      if (why) throw new Error(abortText(controller.signal));
      await sink.close();
      const inputs = Object.entries(task.artifacts).map(([name, artifact]) => ({ name, artifact }));
      if (!(await d.steps.complete(task.stepRunId, claimToken, d.now(), outputs, inputs))) return { status: 'STALE' };
      await this.tracking.end(trackingRunId, 'FINISHED', outputs, task);
      return { status: 'COMPLETED', outputs: outputsMap(outputs) };
    } catch (e) {
      return await this.failed(attempt, claimToken, sink, trackingRunId, e, why);
    } finally {
      for (const t of timers) clearTimeout(t);
      signal.removeEventListener('abort', onSignal);
      await sink.close().catch(() => {});
      if (made) await rm(workdir, { recursive: true, force: true }).catch(() => {});
    }
  };

  // The claim recorded the tracking run's id, so the run can be ended by a sweep even if this process dies next.
  private async openTracking(task: StepTask, claimed: Claimed, sink: StepLogSink): Promise<string | null> {
    const id = claimed.trackingRunId;
    if (!id) return null;
    try {
      return await this.tracking.open(task, id, claimed.newTrackingRun);
    } catch (e) {
      sink.log(`[cairn] could not open the step's tracking run: ${(e as Error).message}`);
      if (claimed.newTrackingRun) await this.d.steps.clearTrackingRun(task.stepRunId, id).catch(() => {});
      return null;
    }
  }

  // Child processes of an attempt: marked with the attempt (so a takeover or resume can find what
  // is left of them), guarded (killed if this process dies) and recorded by process group.
  private processes(task: StepTask): StepProcesses {
    const { guard, attempts } = this.d;
    return {
      env: { ...guard.env, CAIRN_STEP_RUN_ID: task.stepRunId, CAIRN_ATTEMPT: String(task.attempt) },
      starting: () => guard.arm(),
      started: (pid) => {
        guard.watch(pid);
        void attempts.recordProcessGroup(task.stepRunId, task.attempt, pid).catch(() => {});
      },
      ended: (pid) => guard.release(pid),
    };
  }

  private async failed(task: StepTask, claimToken: string, sink: StepLogSink, trackingRunId: string | null, e: unknown, why: StopReason | null): Promise<StepOutcome> {
    const d = this.d;
    if (why === 'lost') return { status: 'STALE' };
    if (why === 'cancel') {
      await sink.close();
      await d.steps.endAttempt(task.stepRunId, claimToken, 'CANCELLED', { message: 'cancelled while running', stack: null }, d.now());
      await this.tracking.end(trackingRunId, 'KILLED', [], task);
      return { status: 'CANCELLED' };
    }
    const described = describeError(e);
    const error: StepError = { message: described.message, stack: described.stack };
    const retrying = !(e instanceof StepDefinitionError) && task.attempt < task.maxAttempts;
    sink.log(`[cairn] attempt ${task.attempt} of ${task.maxAttempts} failed: ${error.message}${retrying ? ' (retrying)' : ''}`);
    await sink.close();
    if (!(await d.steps.endAttempt(task.stepRunId, claimToken, retrying ? 'RETRYING' : 'FAILED', error, d.now()))) return { status: 'STALE' };
    if (!retrying) await this.tracking.end(trackingRunId, 'FAILED', [], task);
    return { status: 'FAILED', error, retrying };
  }

  /** Resolves once what this runner writes after a step completed (its output reference files) is written. */
  settled(): Promise<void> {
    return this.tracking.settled();
  }

  /** The outcome of a dispatch this runner could not claim: whatever the store says happened to it. */
  async outcomeOf(task: StepTask): Promise<StepOutcome> {
    const state = await this.d.steps.attemptState(task.stepRunId);
    if (!state || state.dispatchToken !== task.dispatchToken) return { status: 'STALE' };
    const step = (await this.d.steps.get(task.stepRunId))!;
    if (step.status === 'COMPLETED' || step.status === 'CACHED') {
      const outputs = (await this.d.lineage.outputsOf([step.stepRunId])).get(step.stepRunId) ?? {};
      return { status: 'COMPLETED', outputs };
    }
    if (step.status === 'FAILED' || step.status === 'RETRYING') return { status: 'FAILED', error: step.error ?? { message: 'failed', stack: null }, retrying: step.status === 'RETRYING' };
    if (step.status === 'CANCELLED' || step.status === 'SKIPPED') return { status: 'CANCELLED' };
    return { status: 'STALE' };
  }
}
