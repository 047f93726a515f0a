import type { RunService } from '../../tracking/run-service.js';
import { decideCache } from '../cache/cache-lookup.js';
import type { Dag } from '../dag.js';
import type { ArtifactRecord, PipelineEvent, PipelineRun, PipelineRunStatus, StepError, StepRun, StepStatus } from '../entities.js';
import type { Executor, StepHandler, StepOutcome, StepTask } from '../executors/executor.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import type { LineageStore } from '../sql/lineage-store.js';
import type { PipelineRunStore } from '../sql/pipeline-run-store.js';
import type { StepRunStore } from '../sql/step-run-store.js';
import { backoffMs } from '../step-definition.js';
import { bindInputs, probeAttempt } from './attempt-state.js';
import { token } from './step-runner.js';
import { StepTracking, type CachedStep } from './step-tracking.js';

export interface OrchestratorDeps {
  runStore: PipelineRunStore;
  steps: StepRunStore;
  lineage: LineageStore;
  objects: ArtifactObjects;
  runs: RunService;
  executor: Executor;
  handler: StepHandler;
  /** Waits for what the handler finishes after a step completed (reference files), before the run ends. */
  settle?: () => Promise<void>;
  concurrency: number;
  heartbeatMs: number;
  projectDir: string;
  now(): number;
}

export interface OrchestrateInput {
  run: PipelineRun;
  dag: Dag;
  /** The run's step rows, in any order (finished ones are reused on resume). */
  steps: StepRun[];
  owner: string;
  onEvent?: (event: PipelineEvent) => void;
  /** Aborting it cancels the run (Ctrl-C). */
  signal?: AbortSignal;
}

const FINAL: ReadonlySet<StepStatus> = new Set(['COMPLETED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELLED']);

/**
 * Drives one pipeline run: starts each step once its dependencies are done, up to the concurrency
 * limit; answers from the cache when it can; retries failed attempts with backoff; skips the
 * dependents of a failed step; heartbeats the run and honours cancel requests; records the end.
 */
export class Orchestrator {
  private readonly n: number;
  private readonly status: StepStatus[];
  private readonly rows: StepRun[];
  private readonly outputs: Array<Record<string, ArtifactRecord> | null>;
  private readonly waiting: number[];
  private readonly attempts: number[];
  /** Whether a step has had an attempt in this execution (only its first looks up the cache). */
  private readonly tried: boolean[];
  private readonly ready: number[] = [];
  private readonly controllers = new Map<number, AbortController>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private head = 0;
  private slots = 0;
  private inflight = 0;
  private settled = 0;
  private stopping: string | null = null;
  private lost = false;
  private firstFailure: { stepId: string; error: StepError } | null = null;
  private failures = 0;
  private finish!: () => void;
  private fatal: unknown = null;
  private readonly tracking: StepTracking;
  private readonly cachedToTrack: CachedStep[] = [];
  private trackingCached = false;
  private trackedCached: Promise<void> = Promise.resolve();
  private cachedTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: OrchestratorDeps, private readonly input: OrchestrateInput) {
    const { dag } = input;
    this.n = dag.nodes.length;
    const byStep = new Map(input.steps.map((s) => [s.stepId, s]));
    this.rows = dag.nodes.map((node) => byStep.get(node.id)!);
    this.status = this.rows.map((r) => r.status);
    this.attempts = this.rows.map((r) => r.attempt);
    this.tried = this.rows.map(() => false);
    this.outputs = this.rows.map(() => null);
    this.waiting = dag.nodes.map((node) => node.upstream.filter((u) => !this.isDone(u)).length);
    this.tracking = new StepTracking(d.runs);
  }

  private isDone(i: number): boolean {
    return this.status[i] === 'COMPLETED' || this.status[i] === 'CACHED';
  }

  async execute(): Promise<PipelineRunStatus> {
    const { run } = this.input;
    const done = this.rows.map((r, i) => (this.isDone(i) ? r.stepRunId : null)).filter((x): x is string => x !== null);
    const reused = await this.d.lineage.outputsOf(done);
    for (let i = 0; i < this.n; i++) {
      if (this.isDone(i)) this.outputs[i] = reused.get(this.rows[i]!.stepRunId) ?? {};
      if (FINAL.has(this.status[i]!)) this.settled++;
      else if (this.waiting[i] === 0) this.ready.push(i);
    }
    const heartbeat = setInterval(() => void this.beat(), this.d.heartbeatMs);
    const onAbort = () => this.cancel('cancelled: the process running the pipeline was interrupted');
    this.input.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.input.signal?.aborted) onAbort();
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        this.pump();
        this.maybeFinish();
      });
    } finally {
      clearInterval(heartbeat);
      this.input.signal?.removeEventListener('abort', onAbort);
      for (const t of this.retryTimers) clearTimeout(t);
      await this.drainCachedTracking();
      await this.d.settle?.();
    }
    if (this.fatal) throw this.fatal;
    if (this.lost) return (await this.d.runStore.get(run.runId))?.status ?? 'FAILED';
    return this.record();
  }

  /** Stops starting steps and aborts running ones; the run ends CANCELLED once they have stopped. */
  cancel(reason: string): void {
    if (this.stopping) return;
    this.stopping = reason;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const c of this.controllers.values()) c.abort(new Error(reason));
    // Workers elsewhere learn about it from the run's row.
    void this.d.runStore.requestCancel(this.input.run.runId).catch(() => {});
    this.maybeFinish();
  }

  private async beat(): Promise<void> {
    try {
      const s = await this.d.runStore.heartbeat(this.input.run.runId, this.input.owner, this.d.now());
      if (!s.owned) {
        this.lost = true;
        this.cancel('this process no longer owns the run (its heartbeat lapsed and it was ended or resumed elsewhere)');
      } else if (s.cancelRequested) {
        this.cancel('cancelled by request (cairn pipelines cancel)');
      }
    } catch {
      // A database hiccup: the next beat retries; the timeout is many beats long.
    }
  }

  private emit(i: number, status: StepStatus, extra: { error?: StepError | null; note?: string | null } = {}): void {
    this.status[i] = status;
    if (FINAL.has(status)) this.settled++;
    this.input.onEvent?.({ type: 'step', runId: this.input.run.runId, stepId: this.input.dag.nodes[i]!.id, status, attempt: this.attempts[i]!, ...extra });
  }

  private weight(i: number): number {
    const cpu = this.input.dag.nodes[i]!.step.resources.cpu ?? 1;
    return Math.min(this.d.concurrency, Math.max(1, Math.ceil(cpu)));
  }

  private pump(): void {
    while (!this.stopping && this.head < this.ready.length) {
      const i = this.ready[this.head]!;
      const w = this.weight(i);
      if (this.slots + w > this.d.concurrency) break;
      this.head++;
      this.slots += w;
      this.inflight++;
      this.start(i)
        .catch((e: unknown) => {
          this.fatal ??= e;
          this.cancel(`internal error: ${(e as Error).message}`);
        })
        .finally(() => {
          this.slots -= w;
          this.inflight--;
          this.pump();
          this.maybeFinish();
        });
    }
  }

  private maybeFinish(): void {
    if (this.inflight > 0 || this.retryTimers.size > 0) return;
    if (this.settled >= this.n || this.stopping || this.head >= this.ready.length) this.finish?.();
  }

  private async start(i: number): Promise<void> {
    const { run, dag } = this.input;
    const node = dag.nodes[i]!;
    const row = this.rows[i]!;
    const { artifacts, values, sources, missing } = bindInputs(node, run.params, (id) => this.outputs[dag.byId.get(id)!.index] ?? null);
    if (missing) {
      await this.d.steps.endUnfinished(run.runId, [node.id], 'FAILED', missing, this.d.now());
      return this.failed(i, { message: missing, stack: null });
    }
    // Attempts are numbered across the step run's life: after a resume, the next one follows the killed one.
    let attempt = this.attempts[i]! + 1;
    const cache = await decideCache(
      { def: node.step, artifacts, values, disabledBecause: run.noCache ? 'the run was started with --no-cache' : null, lookup: !this.tried[i] },
      this.d.steps, this.d.objects, this.d.projectDir,
    );
    this.tried[i] = true;
    const target = {
      runId: run.runId, stepRunId: row.stepRunId, stepId: node.id, pipelineName: run.pipelineName, values, artifacts, inputSources: sources,
      experimentId: run.experimentId, parentTrackingRunId: run.trackingRunId,
    };
    if (cache.hit) {
      const links = (m: Record<string, ArtifactRecord>) => Object.entries(m).map(([name, artifact]) => ({ name, artifact }));
      const outputs = links(cache.hit.outputs);
      if (await this.d.steps.recordCached(row.stepRunId, this.d.now(), cache.decision, cache.hit.stepRunId, outputs, links(artifacts))) {
        this.outputs[i] = cache.hit.outputs;
        this.emit(i, 'CACHED', { note: `reused step run ${cache.hit.stepRunId}` });
        this.trackCached({ target, from: cache.hit, outputs });
        return this.released(i);
      }
    }
    const dispatchToken = token();
    const direct = this.d.executor.runsHere;
    if (!direct) attempt = (await this.d.steps.markQueued(row.stepRunId, dispatchToken, cache.decision)) ?? attempt;
    this.attempts[i] = attempt;
    this.emit(i, direct ? 'RUNNING' : 'QUEUED');
    const task: StepTask = {
      ...target, source: run.source, params: run.params, dispatchToken, attempt, maxAttempts: row.maxAttempts, dispatchedAt: this.d.now(),
      ...(direct ? { direct: { cache: cache.decision } } : {}),
    };
    const controller = new AbortController();
    this.controllers.set(i, controller);
    let outcome: StepOutcome;
    try {
      outcome = await this.d.executor.submit(task, { signal: controller.signal, handler: this.d.handler, probe: () => probeAttempt(this.d.steps, this.d.lineage, row.stepRunId, dispatchToken) });
    } catch (e) {
      const error = { message: `the executor could not run the step: ${(e as Error).message}`, stack: (e as Error).stack ?? null };
      const retrying = attempt < task.maxAttempts && !this.stopping;
      await this.d.steps.failDispatched(row.stepRunId, dispatchToken, error, this.d.now(), retrying);
      outcome = { status: 'FAILED', error, retrying };
    } finally {
      this.controllers.delete(i);
    }
    // A takeover (a worker picking up the step of one that died) started a later attempt: count from it.
    if (outcome.status !== 'COMPLETED') this.attempts[i] = (await this.d.steps.attemptState(row.stepRunId))?.attempt ?? this.attempts[i]!;
    if (outcome.status === 'STALE') {
      const probe = await probeAttempt(this.d.steps, this.d.lineage, row.stepRunId, dispatchToken);
      outcome = probe.state === 'finished' ? probe.outcome : { status: 'FAILED', error: { message: 'the attempt was superseded and did not finish', stack: null }, retrying: false };
    }
    await this.settle(i, outcome);
  }

  private async settle(i: number, outcome: StepOutcome): Promise<void> {
    if (outcome.status === 'COMPLETED') {
      this.outputs[i] = outcome.outputs;
      this.emit(i, 'COMPLETED');
      return this.released(i);
    }
    if (outcome.status === 'CANCELLED' || outcome.status === 'STALE') {
      this.emit(i, 'CANCELLED');
      if (!this.stopping) this.cancel('cancelled by request (cairn pipelines cancel)');
      return;
    }
    if (outcome.retrying && !this.stopping) {
      this.emit(i, 'RETRYING', { error: outcome.error });
      const node = this.input.dag.nodes[i]!;
      // Backoff counts the attempts of this retry budget (a resume starts a new one).
      const inBudget = Math.max(1, this.attempts[i]! - (this.rows[i]!.maxAttempts - node.step.retry.maxAttempts));
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.ready.push(i);
        this.pump();
        this.maybeFinish();
      }, backoffMs(node.step.retry, inBudget));
      this.retryTimers.add(timer);
      return;
    }
    if (outcome.retrying) await this.d.steps.endUnfinished(this.input.run.runId, [this.input.dag.nodes[i]!.id], 'CANCELLED', this.stopping ?? 'cancelled', this.d.now());
    return outcome.retrying ? this.emit(i, 'CANCELLED') : this.failed(i, outcome.error);
  }

  // A failed step: its dependents (transitively) will never run.
  private async failed(i: number, error: StepError): Promise<void> {
    const { dag, run } = this.input;
    this.failures++;
    this.firstFailure ??= { stepId: dag.nodes[i]!.id, error };
    this.emit(i, 'FAILED', { error });
    const skipped: number[] = [];
    const stack = [...dag.nodes[i]!.downstream];
    const seen = new Set<number>();
    while (stack.length) {
      const j = stack.pop()!;
      if (seen.has(j) || FINAL.has(this.status[j]!)) continue;
      seen.add(j);
      skipped.push(j);
      stack.push(...dag.nodes[j]!.downstream);
    }
    if (!skipped.length) return;
    const note = `skipped: upstream step '${dag.nodes[i]!.id}' failed`;
    await this.d.steps.endUnfinished(run.runId, skipped.map((j) => dag.nodes[j]!.id), 'SKIPPED', note, this.d.now());
    for (const j of skipped.sort((a, b) => a - b)) this.emit(j, 'SKIPPED', { note });
  }

  // Cache hits' tracking runs are made off the hits' path, many per transaction (64 hits, or what
  // came within 250 ms, or at the run's end): a commit costs more than a whole hit, on PostgreSQL
  // several times more. A cached step's `trackingRunId` is filled in when its batch is written.
  private trackCached(hit: CachedStep): void {
    this.cachedToTrack.push(hit);
    this.scheduleCachedTracking();
  }

  private scheduleCachedTracking(): void {
    if (this.trackingCached || !this.cachedToTrack.length) return;
    if (this.cachedToTrack.length >= 64) {
      clearTimeout(this.cachedTimer);
      this.cachedTimer = undefined;
      this.trackedCached = this.flushCachedTracking();
    } else {
      this.cachedTimer ??= setTimeout(() => {
        this.cachedTimer = undefined;
        if (!this.trackingCached && this.cachedToTrack.length) this.trackedCached = this.flushCachedTracking();
      }, 250).unref();
    }
  }

  private async flushCachedTracking(): Promise<void> {
    this.trackingCached = true;
    try {
      const batch = this.cachedToTrack.splice(0, 1000);
      const ids = await this.tracking.cached(batch);
      const pairs = batch.flatMap((h, k) => (ids[k] ? [{ stepRunId: h.target.stepRunId, trackingRunId: ids[k] }] : []));
      await this.d.steps.setTrackingRuns(pairs).catch(() => {});
    } finally {
      this.trackingCached = false;
      this.scheduleCachedTracking();
    }
  }

  private async drainCachedTracking(): Promise<void> {
    while (this.trackingCached || this.cachedToTrack.length) {
      clearTimeout(this.cachedTimer);
      this.cachedTimer = undefined;
      if (!this.trackingCached) this.trackedCached = this.flushCachedTracking();
      await this.trackedCached;
    }
    clearTimeout(this.cachedTimer);
    this.cachedTimer = undefined;
  }

  private released(i: number): void {
    for (const j of this.input.dag.nodes[i]!.downstream) {
      if (--this.waiting[j]! === 0 && this.status[j] === 'PENDING') this.ready.push(j);
    }
  }

  private async record(): Promise<PipelineRunStatus> {
    const { run, owner } = this.input;
    const now = this.d.now();
    let status: PipelineRunStatus = 'COMPLETED';
    let reason: string | null = null;
    if (this.stopping) {
      status = 'CANCELLED';
      reason = this.stopping;
      await this.d.steps.endUnfinished(run.runId, null, 'CANCELLED', reason, now);
    } else if (this.firstFailure) {
      status = 'FAILED';
      const more = this.failures > 1 ? ` (and ${this.failures - 1} more failed step${this.failures > 2 ? 's' : ''})` : '';
      reason = `step '${this.firstFailure.stepId}' failed: ${this.firstFailure.error.message.split('\n')[0]}${more}`;
    }
    if (await this.d.runStore.finish(run.runId, owner, status, reason, now)) {
      if (run.trackingRunId) await this.d.runs.update(run.trackingRunId, { status: status === 'COMPLETED' ? 'FINISHED' : status === 'FAILED' ? 'FAILED' : 'KILLED' }).catch(() => {});
      this.input.onEvent?.({ type: 'run', runId: run.runId, status, reason });
      return status;
    }
    return (await this.d.runStore.get(run.runId))?.status ?? status;
  }
}
