import type { Kysely } from 'kysely';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/index.js';
import type { CairnConfig } from '../config/config.js';
import type { Database } from '../db/schema.js';
import { CairnError } from '../errors.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import { randomRunId, type RunService } from '../tracking/run-service.js';
import { validateDag, type Dag } from './dag.js';
import type { Pipeline } from './define.js';
import type { PipelineEvent, PipelineRun, PipelineRunDetail, Schedule, StepRun } from './entities.js';
import type { Executor, RunningWorker, StepTask } from './executors/executor.js';
import { ArtifactObjects } from './materializers/artifact-objects.js';
import { describeParams, resolveParams } from './params.js';
import { PipelineQueries } from './pipeline-queries.js';
import { endTrackingRuns, openPipelineTracking } from './pipeline-tracking.js';
import { ScheduleService } from './scheduler/schedule-service.js';
import { PipelineScheduler } from './scheduler/scheduler.js';
import { Orchestrator } from './runtime/orchestrator.js';
import { loadRecordedPipeline, recordedSource } from './runtime/pipeline-loader.js';
import { StepRunner, token } from './runtime/step-runner.js';
import { LineageStore } from './sql/lineage-store.js';
import { LogStore } from './sql/log-store.js';
import { PipelineRunStore } from './sql/pipeline-run-store.js';
import { pipelineDb, type StepRunRow } from './sql/pipeline-tables.js';
import { ScheduleStore } from './sql/schedule-store.js';
import { StepRunStore } from './sql/step-run-store.js';
import type { StepDefinition } from './step-definition.js';

export interface PipelineServiceDeps {
  db: Kysely<Database>;
  experiments: ExperimentService;
  runs: RunService;
  artifacts: ArtifactStore;
  config: CairnConfig;
  executor: Executor;
  now?: () => number;
}

export interface StartRunOptions {
  /** Parameter values from a run config file (typed). */
  values?: Record<string, unknown>;
  /** `--param k=v` values (strings, parsed by the declared types); they win over `values`. */
  overrides?: Record<string, unknown>;
  noCache?: boolean;
  onEvent?: (event: PipelineEvent) => void;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** The file the pipeline came from (default: where `pipeline()` was called). */
  sourceFile?: string | null;
  exportName?: string | null;
}

export interface RunHandle {
  runId: string;
  /** Resolves when the run has ended, with its final state. */
  done: Promise<PipelineRunDetail>;
  cancel(reason?: string): void;
}

interface ActiveRun { dag: Dag; orchestrator: Orchestrator; done: Promise<unknown> }

/**
 * Pipelines: validate, run, resume and cancel pipeline runs; read their state (`queries`); run
 * queue workers. Step state lives in the metadata database; outputs in the artifact store.
 *
 * @example
 * ```ts
 * const handle = await platform.pipelines.start(churn, { overrides: { lr: '0.05' } });
 * const { run, steps } = await handle.done;
 * console.log(run.status, steps.map((s) => `${s.stepId}: ${s.status}`));
 * ```
 */
export class PipelineService {
  readonly queries: PipelineQueries;
  readonly schedules: ScheduleService;
  private readonly scheduleStore: ScheduleStore;
  private readonly runStore: PipelineRunStore;
  private readonly steps: StepRunStore;
  private readonly lineage: LineageStore;
  private readonly logs: LogStore;
  private readonly objects: ArtifactObjects;
  private readonly runner: StepRunner;
  private readonly active = new Map<string, ActiveRun>();
  private readonly loaded = new Map<string, Promise<Dag>>();
  private readonly now: () => number;
  private lastReap = 0;

  constructor(private readonly d: PipelineServiceDeps) {
    const db = pipelineDb(d.db);
    this.now = d.now ?? Date.now;
    this.runStore = new PipelineRunStore(db);
    this.steps = new StepRunStore(db);
    this.lineage = new LineageStore(db);
    this.logs = new LogStore(db);
    this.objects = new ArtifactObjects(d.artifacts, this.cacheDir);
    this.scheduleStore = new ScheduleStore(db);
    this.schedules = new ScheduleService(this.scheduleStore, this.now);
    this.queries = new PipelineQueries(this.runStore, this.steps, this.lineage, this.logs, () => this.reapThrottled());
    this.runner = this.makeRunner(null);
  }

  get executorName(): string {
    return this.d.executor.name;
  }

  private get cacheDir(): string {
    return join(this.d.config.projectDir, '.cairn', 'cache', 'pipelines');
  }

  private makeRunner(leaseMs: number | null): StepRunner {
    return new StepRunner({
      steps: this.steps, lineage: this.lineage, logs: this.logs, runs: this.d.runs, objects: this.objects, config: this.d.config,
      cacheDir: this.cacheDir, workRoot: join(this.cacheDir, 'work'), leaseMs, now: this.now, resolveStep: (t) => this.resolveStep(t),
    });
  }

  /** Builds and checks a pipeline's graph without running anything. */
  validate(pipeline: Pipeline): Dag {
    return validateDag(pipeline.build());
  }

  /** Starts a run and returns at once; `done` resolves when it ends. */
  async start(pipeline: Pipeline, options: StartRunOptions = {}): Promise<RunHandle> {
    const dag = this.validate(pipeline);
    const params = resolveParams(pipeline.name, pipeline.params, options.values, options.overrides);
    const now = this.now();
    const runId = randomRunId();
    const owner = token();
    const source = recordedSource(options.sourceFile === undefined ? pipeline.sourceFile : options.sourceFile, options.exportName ?? null, this.d.config.projectDir);
    const tracking = await openPipelineTracking(this.d.experiments, this.d.runs, pipeline.name, runId, params, { config: this.d.config, entryPoint: source?.file ?? null });
    const stepRows: StepRunRow[] = dag.nodes.map((node) => ({
      step_run_id: randomRunId(), run_id: runId, step_id: node.id, step_name: node.step.name, kind: node.step.impl.type, position: node.index,
      status: 'PENDING', attempt: 0, max_attempts: node.step.retry.maxAttempts, start_time: null, end_time: null, error_message: null, error_stack: null,
      cache_key: null, cache_parts: null, cache_status: null, cache_note: null, cached_from: null, tracking_run_id: null, dispatch_token: null,
      claim_token: null, worker: null, lease_time: null,
      upstream: JSON.stringify(node.upstream.map((u) => dag.nodes[u]!.id)), bindings: JSON.stringify(node.bindings),
    }));
    await this.runStore.create(
      {
        run_id: runId, pipeline_name: pipeline.name, status: 'RUNNING', status_reason: null, params: JSON.stringify(params),
        source_file: source?.file ?? null, export_name: source?.exportName ?? null, executor: this.d.executor.name,
        experiment_id: tracking ? Number(tracking.experimentId) : null, tracking_run_id: tracking?.runId ?? null, no_cache: options.noCache ? 1 : 0,
        step_count: dag.nodes.length, created_time: now, end_time: null, heartbeat_time: now, owner_token: owner, cancel_requested: 0, resume_count: 0,
      },
      stepRows,
      { name: pipeline.name, source_file: source?.file ?? null, export_name: source?.exportName ?? null, params: JSON.stringify(describeParams(pipeline.params)), step_count: dag.nodes.length, updated_time: now },
    );
    const run = (await this.runStore.get(runId))!;
    return this.launch(run, dag, await this.steps.list(runId), owner, options);
  }

  /** Starts a run and waits for it to end. */
  async run(pipeline: Pipeline, options: StartRunOptions = {}): Promise<PipelineRunDetail> {
    return (await this.start(pipeline, options)).done;
  }

  /**
   * Re-runs what did not finish in a FAILED or CANCELLED run (a runner killed mid-run is marked
   * FAILED once its heartbeat lapses), reusing the outputs of completed steps.
   */
  async resume(runId: string, options: Omit<StartRunOptions, 'values' | 'overrides' | 'sourceFile' | 'exportName'> & { pipeline?: Pipeline } = {}): Promise<RunHandle> {
    const run = await this.queries.getRunInfo(runId);
    if (run.status === 'RUNNING') {
      const ago = run.heartbeatTime ? Math.round((this.now() - run.heartbeatTime) / 1000) : null;
      throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' is still running (last heartbeat ${ago ?? '?'} s ago). Cancel it first, or wait: a dead runner is detected after ${this.d.config.pipelines.heartbeat_timeout_seconds} s.`);
    }
    if (run.status === 'COMPLETED') throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' completed; there is nothing to resume. Start a new run instead.`);
    let pipeline = options.pipeline;
    if (!pipeline) {
      if (!run.source) throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' has no recorded source file to load the pipeline from.`);
      pipeline = await loadRecordedPipeline(run.source, run.pipelineName, this.d.config.projectDir, true);
    }
    const dag = this.validate(pipeline);
    const steps = await this.steps.list(runId);
    const known = new Set(steps.map((s) => s.stepId));
    const added = dag.nodes.filter((n) => !known.has(n.id)).map((n) => n.id);
    const removed = steps.filter((s) => !dag.byId.has(s.stepId)).map((s) => s.stepId);
    if (added.length || removed.length) {
      throw new CairnError('FAILED_PRECONDITION', `Pipeline '${run.pipelineName}' changed since run '${runId}' started (${[added.length ? `new steps: ${added.join(', ')}` : '', removed.length ? `removed steps: ${removed.join(', ')}` : ''].filter(Boolean).join('; ')}); start a new run instead.`);
    }
    const owner = token();
    if (!(await this.runStore.claimForResume(runId, owner, this.now()))) throw new CairnError('CONFLICT', `Pipeline run '${runId}' was resumed by another process just now.`);
    await this.steps.resetUnfinished(runId);
    if (run.trackingRunId) await this.d.runs.update(run.trackingRunId, { status: 'RUNNING' }).catch(() => {});
    return this.launch((await this.runStore.get(runId))!, dag, await this.steps.list(runId), owner, options);
  }

  /** Cancels a run: its runner stops running steps and ends it CANCELLED. A run whose runner is gone is ended here. */
  async cancel(runId: string): Promise<PipelineRun> {
    const run = await this.queries.getRunInfo(runId);
    if (run.status !== 'RUNNING') throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' is already ${run.status}.`);
    const local = this.active.get(runId);
    if (local) {
      local.orchestrator.cancel('cancelled by request (cairn pipelines cancel)');
      return run;
    }
    await this.runStore.requestCancel(runId);
    const cutoff = this.now() - this.d.config.pipelines.heartbeat_timeout_seconds * 1000;
    if (await this.runStore.endOrphan(runId, 'CANCELLED', 'cancelled by request; no runner was alive', cutoff, this.now())) {
      await this.endTracking(runId, await this.steps.endUnfinished(runId, null, 'CANCELLED', 'cancelled by request', this.now()), 'KILLED');
    }
    return (await this.runStore.get(runId))!;
  }

  /** Marks runs whose runner stopped heartbeating FAILED (with the reason). Returns their ids. */
  async reapStale(): Promise<string[]> {
    const timeout = this.d.config.pipelines.heartbeat_timeout_seconds;
    const now = this.now();
    const reason = `no heartbeat for more than ${timeout} s: the process running the pipeline stopped (killed or crashed); resume with cairn pipelines resume`;
    const ids = await this.runStore.reapStale(now - timeout * 1000, now, reason);
    for (const id of ids) await this.endTracking(id, await this.steps.endUnfinished(id, null, 'FAILED', `did not finish: ${reason}`, now), 'FAILED');
    return ids;
  }

  /** Starts a queue worker in this process (`cairn worker`). Needs `pipelines.executor: queue`. */
  async startWorker(options: { concurrency?: number } = {}): Promise<RunningWorker> {
    const pool = this.d.executor.workers;
    if (!pool) throw new CairnError('FAILED_PRECONDITION', `Workers take steps from the queue executor, but pipelines.executor is '${this.d.executor.name}'. Set pipelines.executor: queue (or CAIRN_PIPELINES_EXECUTOR=queue).`);
    const leaseMs = Math.max(200, Math.min(5000, Math.floor((this.d.config.pipelines.queue_lock_seconds * 1000) / 4)));
    const runner = this.makeRunner(leaseMs);
    const worker = await pool.start(runner.run, { concurrency: options.concurrency ?? this.d.config.pipelines.worker_concurrency });
    return {
      id: worker.id,
      async close(graceMs?: number) {
        await worker.close(graceMs);
        await runner.settled();
      },
    };
  }

  /**
   * A scheduler firing this database's cron schedules from this process (`cairn scheduler`, or the
   * server with `pipelines.server_scheduler`). Fired runs execute here with the configured executor.
   */
  createScheduler(options: { pollMs?: number; onError?: (e: unknown) => void } = {}): PipelineScheduler {
    return new PipelineScheduler({
      store: this.scheduleStore, now: this.now, pollMs: options.pollMs, onError: options.onError,
      housekeeping: () => this.reapStale(),
      fire: async (schedule: Schedule) => {
        const pipeline = await loadRecordedPipeline(schedule.source, schedule.pipelineName, this.d.config.projectDir, true);
        const handle = await this.start(pipeline, { values: schedule.params, sourceFile: pipeline.sourceFile, exportName: schedule.source.exportName });
        handle.done.catch((e: unknown) => options.onError?.(e));
        return handle.runId;
      },
    });
  }

  /** Runs started by this process that have not ended yet. */
  activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  /** Cancels runs started here, waits (up to `graceMs`) for them to record their end, and closes the executor. */
  async close(graceMs = 15_000): Promise<void> {
    const running = [...this.active.values()];
    for (const a of running) a.orchestrator.cancel('cancelled: Cairn is shutting down');
    if (running.length) await Promise.race([Promise.allSettled(running.map((a) => a.done)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.d.executor.close();
  }

  private launch(run: PipelineRun, dag: Dag, steps: StepRun[], owner: string, options: StartRunOptions): RunHandle {
    const timeoutMs = this.d.config.pipelines.heartbeat_timeout_seconds * 1000;
    const orchestrator = new Orchestrator(
      {
        runStore: this.runStore, steps: this.steps, lineage: this.lineage, objects: this.objects, runs: this.d.runs, executor: this.d.executor,
        handler: this.runner.run, settle: () => this.runner.settled(), concurrency: this.d.config.pipelines.concurrency, heartbeatMs: Math.max(100, Math.min(2000, timeoutMs / 4)),
        projectDir: this.d.config.projectDir, now: this.now,
      },
      { run, dag, steps, owner, onEvent: options.onEvent, signal: options.signal },
    );
    const finished = orchestrator.execute().finally(() => this.active.delete(run.runId));
    this.active.set(run.runId, { dag, orchestrator, done: finished });
    const done = finished.then(() => this.queries.getRun(run.runId));
    return { runId: run.runId, done, cancel: (reason = 'cancelled') => orchestrator.cancel(reason) };
  }

  private async resolveStep(task: StepTask): Promise<StepDefinition> {
    const here = this.active.get(task.runId)?.dag;
    const dag = here ?? (await this.loadDag(task));
    const node = dag.byId.get(task.stepId);
    if (!node) throw new CairnError('FAILED_PRECONDITION', `Pipeline '${task.pipelineName}' as loaded here has no step '${task.stepId}': deploy the same pipeline code to every worker.`);
    return node.step;
  }

  // Workers load the pipeline file a run recorded, once per run (re-imported when the file changed).
  private loadDag(task: StepTask): Promise<Dag> {
    let p = this.loaded.get(task.runId);
    if (!p) {
      if (!task.source) return Promise.reject(new CairnError('FAILED_PRECONDITION', `Pipeline '${task.pipelineName}' has no source file, so a worker cannot load it; define it in a module file.`));
      p = loadRecordedPipeline(task.source, task.pipelineName, this.d.config.projectDir, true).then((pl) => validateDag(pl.build()));
      p.catch(() => this.loaded.delete(task.runId));
      this.loaded.set(task.runId, p);
      if (this.loaded.size > 50) this.loaded.delete(this.loaded.keys().next().value!);
    }
    return p;
  }

  private async endTracking(runId: string, stepTrackingIds: string[], status: 'FAILED' | 'KILLED'): Promise<void> {
    await endTrackingRuns(this.d.runs, [...stepTrackingIds, (await this.runStore.get(runId))?.trackingRunId ?? null], status);
  }

  private async reapThrottled(): Promise<void> {
    if (this.now() - this.lastReap < 1000) return;
    this.lastReap = this.now();
    await this.reapStale();
  }
}
