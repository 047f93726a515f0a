import type { Kysely } from 'kysely';
import { isAbsolute, join, resolve } from 'node:path';
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
import { openPipelineTracking } from './pipeline-tracking.js';
import { RunRecovery } from './run-recovery.js';
import { ScheduleService } from './scheduler/schedule-service.js';
import { PipelineScheduler } from './scheduler/scheduler.js';
import { Orchestrator } from './runtime/orchestrator.js';
import { loadRecordedPipeline, recordedSource } from './runtime/pipeline-loader.js';
import { ProcessGuard } from './runtime/process-guard.js';
import { StepRunner, WORKER_ID, token } from './runtime/step-runner.js';
import { WorkFolders } from './runtime/work-folders.js';
import { LineageStore } from './sql/lineage-store.js';
import { LogStore } from './sql/log-store.js';
import { PipelineRunStore } from './sql/pipeline-run-store.js';
import { pipelineDb, type StepRunRow } from './sql/pipeline-tables.js';
import { ScheduleStore, type TickClaim } from './sql/schedule-store.js';
import { StepAttemptStore } from './sql/step-attempt-store.js';
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
  /** The schedule tick that fires this run: the run is recorded on it in the transaction that creates it. */
  tick?: TickClaim;
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
  private readonly attempts: StepAttemptStore;
  private readonly lineage: LineageStore;
  private readonly logs: LogStore;
  private readonly objects: ArtifactObjects;
  private readonly runner: StepRunner;
  private readonly guard = new ProcessGuard();
  private readonly workFolders: WorkFolders;
  private readonly recovery: RunRecovery;
  private readonly active = new Map<string, ActiveRun>();
  private readonly loaded = new Map<string, Promise<Dag>>();
  private readonly now: () => number;
  private lastReap = 0;

  constructor(private readonly d: PipelineServiceDeps) {
    const db = pipelineDb(d.db);
    this.now = d.now ?? Date.now;
    this.runStore = new PipelineRunStore(db);
    this.steps = new StepRunStore(db);
    this.attempts = new StepAttemptStore(db);
    this.lineage = new LineageStore(db);
    this.logs = new LogStore(db);
    this.objects = new ArtifactObjects(d.artifacts, this.cacheDir);
    this.workFolders = new WorkFolders(join(this.cacheDir, 'work'), this.attempts);
    this.recovery = new RunRecovery({
      runStore: this.runStore, steps: this.steps, attempts: this.attempts, runs: d.runs, workFolders: this.workFolders,
      heartbeatTimeoutSeconds: d.config.pipelines.heartbeat_timeout_seconds, now: this.now,
    });
    this.scheduleStore = new ScheduleStore(db);
    this.schedules = new ScheduleService(this.scheduleStore, this.now, d.config.projectDir);
    this.queries = new PipelineQueries(this.runStore, this.steps, this.attempts, this.lineage, this.logs, () => this.reapThrottled());
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
      steps: this.steps, attempts: this.attempts, lineage: this.lineage, logs: this.logs, runs: this.d.runs, objects: this.objects, config: this.d.config,
      cacheDir: this.cacheDir, workFolders: this.workFolders, guard: this.guard, leaseMs, now: this.now, resolveStep: (t) => this.resolveStep(t),
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
    try {
      await this.runStore.create(
        {
          run_id: runId, pipeline_name: pipeline.name, status: 'RUNNING', status_reason: null, params: JSON.stringify(params),
          source_file: source?.file ?? null, export_name: source?.exportName ?? null, executor: this.d.executor.name,
          experiment_id: tracking ? Number(tracking.experimentId) : null, tracking_run_id: tracking?.runId ?? null, no_cache: options.noCache ? 1 : 0,
          step_count: dag.nodes.length, created_time: now, end_time: null, heartbeat_time: now, owner_token: owner, cancel_requested: 0, resume_count: 0,
          runner: WORKER_ID,
        },
        stepRows,
        { name: pipeline.name, source_file: source?.file ?? null, export_name: source?.exportName ?? null, params: JSON.stringify(describeParams(pipeline.params)), step_count: dag.nodes.length, updated_time: now },
        options.tick,
      );
    } catch (e) {
      // No run was created (a schedule tick taken over by another scheduler, a database error): nor is its tracking run.
      if (tracking) await this.d.runs.delete(tracking.runId).catch(() => {});
      throw e;
    }
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
  async resume(runId: string, options: Omit<StartRunOptions, 'values' | 'overrides' | 'sourceFile' | 'exportName' | 'tick'> & { pipeline?: Pipeline } = {}): Promise<RunHandle> {
    let run = await this.queries.getRunInfo(runId);
    if (run.status === 'RUNNING') {
      // Its runner ran on this machine and has exited: no need to wait for the heartbeat to lapse.
      if (await this.recovery.endIfRunnerGone(run, 'FAILED', `the process running the pipeline (${run.runner}) exited without ending it (killed or crashed)`)) {
        run = await this.queries.getRunInfo(runId);
      } else {
        const ago = run.heartbeatTime ? Math.round((this.now() - run.heartbeatTime) / 1000) : null;
        const timeout = this.d.config.pipelines.heartbeat_timeout_seconds;
        throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' is still running${run.runner ? ` in ${run.runner}` : ''} (last heartbeat ${ago ?? '?'} s ago). If that process is working, let it finish, or stop it (Ctrl-C there, or \`cairn pipelines cancel ${runId}\`) and resume then. If it died on another machine, the run is marked FAILED ${timeout} s after its last heartbeat (pipelines.heartbeat_timeout_seconds): resume it then.`);
      }
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
    if (!(await this.runStore.claimForResume(runId, owner, WORKER_ID, this.now()))) throw new CairnError('CONFLICT', `Pipeline run '${runId}' was resumed by another process just now.`);
    // A step of the dead runner may still be running here (its guard died too): never run a second copy beside it.
    await this.recovery.killLeftovers(runId).catch(() => []);
    await this.steps.resetUnfinished(runId, new Map(dag.nodes.map((n) => [n.id, n.step.retry.maxAttempts])));
    await this.workFolders.sweep().catch(() => 0);
    if (run.trackingRunId) await this.d.runs.update(run.trackingRunId, { status: 'RUNNING' }).catch(() => {});
    return this.launch((await this.runStore.get(runId))!, dag, await this.steps.list(runId), owner, options);
  }

  /**
   * Cancels a run: its runner stops running steps and ends it CANCELLED. A run whose runner is gone
   * is ended here: at once when it ran on this machine, else once its heartbeat lapsed.
   */
  async cancel(runId: string): Promise<PipelineRun> {
    const run = await this.queries.getRunInfo(runId);
    if (run.status !== 'RUNNING') throw new CairnError('FAILED_PRECONDITION', `Pipeline run '${runId}' is already ${run.status}.`);
    const local = this.active.get(runId);
    if (local) {
      local.orchestrator.cancel('cancelled by request (cairn pipelines cancel)');
      return run;
    }
    await this.runStore.requestCancel(runId);
    if (!(await this.recovery.endIfRunnerGone(run, 'CANCELLED', `cancelled by request; the process running it (${run.runner}) had exited`))) await this.recovery.reapStale();
    return (await this.runStore.get(runId))!;
  }

  /**
   * Ends runs whose runner stopped heartbeating (FAILED with the reason, or CANCELLED if a cancel
   * was asked for), ending their steps, attempts and tracking runs at the last heartbeat and killing
   * what their attempts left on this machine. Returns their ids.
   */
  reapStale(): Promise<string[]> {
    return this.recovery.reapStale();
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
  createScheduler(options: { pollMs?: number; leaseMs?: number; onError?: (e: unknown) => void } = {}): PipelineScheduler {
    return new PipelineScheduler({
      store: this.scheduleStore, now: this.now, pollMs: options.pollMs, onError: options.onError,
      housekeeping: () => this.reapStale(),
      leaseMs: options.leaseMs ?? this.d.config.pipelines.scheduler_lease_seconds * 1000,
      fire: async (schedule: Schedule, tick: TickClaim) => {
        const pipeline = await loadRecordedPipeline(schedule.source, schedule.pipelineName, this.d.config.projectDir, true);
        const file = isAbsolute(schedule.source.file) ? schedule.source.file : resolve(this.d.config.projectDir, schedule.source.file);
        const handle = await this.start(pipeline, { values: schedule.params, sourceFile: file, exportName: schedule.source.exportName, tick });
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
    this.guard.close();
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

  private async reapThrottled(): Promise<void> {
    if (this.now() - this.lastReap < 1000) return;
    this.lastReap = this.now();
    await this.reapStale();
  }
}
