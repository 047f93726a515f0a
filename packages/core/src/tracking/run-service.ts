import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import type { ArtifactDownload, ArtifactFileInfo, ArtifactStore, GetOptions, PutResult } from '../artifacts/index.js';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { CairnError, invalid, notFound } from '../errors.js';
import { validateRelativePath } from '../paths/index.js';
import type { DatasetInput, DatasetSummary, Metric, MetricSeries, Page, Param, Run, RunInfo, RunSource, RunStatus, Tag, Tags, ViewType } from './entities.js';
import { TERMINAL_STATUSES } from './entities.js';
import type { ExperimentService } from './experiment-service.js';
import { checkTags } from './experiment-service.js';
import { seriesToMetrics } from './metric-series.js';
import { randomRunName } from './run-names.js';
import { decodePageToken, encodePageToken, searchRunIds } from './search/index.js';
import { datasetSummaries } from './sql/dataset-summaries.js';
import { RunStore } from './sql/run-store.js';
import { LIMITS, checkCount, checkKey, checkMetric, checkSafeInteger, checkStatus, checkText } from './validation.js';

export interface CreateRunInput {
  experimentId: string;
  runName?: string;
  userId?: string;
  startTime?: number;
  tags?: Tags;
  params?: Record<string, string>;
  parentRunId?: string | null;
  source?: Partial<RunSource>;
  /** Start heartbeats now: the run is KILLED if they stop for longer than the configured timeout. */
  heartbeat?: boolean;
}

/** A run for `createMany`, which may be recorded as already ended (a pipeline step answered from its cache). */
export interface RecordRunInput extends CreateRunInput {
  /** Default RUNNING. */
  status?: RunStatus;
  /** Default: now for a terminal status. */
  endTime?: number;
  /** An id chosen by the caller (`randomRunId()`): a pipeline step records its run's id before creating it. */
  runId?: string;
}

export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: number | null;
  runName?: string;
}

export interface LogBatchInput {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

export interface SearchRunsInput {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

/** Runs: lifecycle, logging (params, metrics, tags, inputs), search, heartbeats, artifacts. */
export class RunService {
  private readonly store: RunStore;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly experiments: ExperimentService,
    private readonly artifacts: ArtifactStore,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new RunStore(db, dialect);
  }

  async create(input: CreateRunInput): Promise<Run> {
    const run = await this.newRun(input, new Map());
    await this.store.create(run.row, run.tags, run.params);
    return this.get(run.row.run_uuid);
  }

  /**
   * Creates several runs in one transaction: all of them or none, each checked as `create` checks
   * it. A run may be recorded already ended (`status`, `endTime`). Returns the run ids, in order.
   */
  async createMany(inputs: RecordRunInput[]): Promise<string[]> {
    const lookups = new Map<string, Promise<unknown>>();
    const runs = [];
    for (const input of inputs) runs.push(await this.newRun(input, lookups));
    if (runs.length) await this.store.createMany(runs);
    return runs.map((r) => r.row.run_uuid);
  }

  // Checks a new run and builds its rows; `lookups` shares experiment and parent reads across a batch.
  private async newRun(input: RecordRunInput, lookups: Map<string, Promise<unknown>>) {
    const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (!lookups.has(key)) lookups.set(key, load());
      return lookups.get(key) as Promise<T>;
    };
    const exp = await once(`experiment:${input.experimentId}`, () => this.experiments.requireActive(String(input.experimentId)));
    const tags = checkTags(input.tags ?? {});
    const params = Object.entries(input.params ?? {}).map(([k, v]) => ({ key: checkKey(k, 'param key'), value: checkText(v, `params.${k}`, LIMITS.paramValueLength) }));
    checkCount(params.length, LIMITS.batchParams, 'params');
    const parentId = input.parentRunId;
    const parent = parentId ? await once(`run:${parentId}`, () => this.getInfo(parentId)) : null;
    const now = this.now();
    const startTime = input.startTime === undefined ? now : checkSafeInteger(input.startTime, 'startTime');
    const status = input.status === undefined ? 'RUNNING' : checkStatus(input.status);
    const ended = TERMINAL_STATUSES.includes(status);
    const src = input.source ?? {};
    const id = input.runId === undefined ? randomRunId() : checkRunId(input.runId);
    return {
      row: {
        run_uuid: id,
        experiment_id: Number(exp.experimentId),
        name: input.runName ? checkText(input.runName, 'runName', LIMITS.nameLength) : randomRunName(),
        user_id: input.userId ? checkText(input.userId, 'userId', LIMITS.nameLength) : currentUser(),
        status,
        status_reason: null,
        start_time: startTime,
        end_time: ended ? (input.endTime === undefined ? now : checkSafeInteger(input.endTime, 'endTime')) : null,
        lifecycle_stage: 'active',
        deleted_time: null,
        artifact_uri: `${exp.artifactLocation}/${id}/artifacts`,
        parent_run_uuid: parent?.runId ?? null,
        source_git_commit: opt(src.gitCommit, 'source.gitCommit'),
        source_git_dirty: src.gitDirty == null ? null : src.gitDirty ? 1 : 0,
        source_entry_point: opt(src.entryPoint, 'source.entryPoint'),
        source_node_version: opt(src.nodeVersion, 'source.nodeVersion'),
        last_heartbeat: input.heartbeat && !ended ? now : null,
      },
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      params,
    };
  }

  async get(runId: string): Promise<Run> {
    const [run] = await this.store.getMany([checkRunId(runId)]);
    if (!run) throw notFound(`Run '${runId}'`, 'Find run ids with `cairn runs list --experiment NAME`.', { entity: 'run', id: runId });
    return run;
  }

  async getInfo(runId: string): Promise<RunInfo> {
    const info = await this.store.getInfo(checkRunId(runId));
    if (!info) throw notFound(`Run '${runId}'`, 'Find run ids with `cairn runs list --experiment NAME`.', { entity: 'run', id: runId });
    return info;
  }

  async update(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    await this.getInfo(runId);
    const set: Parameters<RunStore['update']>[1] = {};
    if (input.status !== undefined) {
      set.status = checkStatus(input.status);
      if (TERMINAL_STATUSES.includes(set.status as RunStatus)) set.end_time = this.now();
      set.status_reason = null;
    }
    if (input.endTime !== undefined && input.endTime !== null) set.end_time = checkSafeInteger(input.endTime, 'endTime');
    if (input.runName !== undefined) set.name = checkText(input.runName, 'runName', LIMITS.nameLength);
    if (Object.keys(set).length) await this.store.update(runId, set);
    return this.getInfo(runId);
  }

  async delete(runId: string): Promise<void> {
    await this.getInfo(runId);
    await this.store.update(runId, { lifecycle_stage: 'deleted', deleted_time: this.now() });
  }

  async restore(runId: string): Promise<void> {
    await this.getInfo(runId);
    await this.store.update(runId, { lifecycle_stage: 'active', deleted_time: null });
  }

  /** Logs metrics, params and tags atomically: all of it or none. */
  async logBatch(runId: string, input: LogBatchInput): Promise<void> {
    const metrics = input.metrics ?? [];
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    checkCount(metrics.length, LIMITS.batchMetrics, 'metrics');
    checkCount(params.length, LIMITS.batchParams, 'params');
    checkCount(tags.length, LIMITS.batchTags, 'tags');
    const validKeys = new Set<string>();
    const checkedMetrics = metrics.map((m, i) => checkMetric(m, i, validKeys));
    const checkedParams = params.map((p, i) => ({ key: checkKey(p.key, `params[${i}].key`), value: checkText(p.value, `params[${i}].value`, LIMITS.paramValueLength) }));
    const checkedTags = tags.map((t, i) => ({ key: checkKey(t.key, `tags[${i}].key`), value: checkText(t.value, `tags[${i}].value`, LIMITS.tagValueLength) }));
    if (!checkedMetrics.length && !checkedParams.length && !checkedTags.length) {
      await this.getInfo(runId);
      return;
    }
    await this.store.logBatch(checkRunId(runId), checkedMetrics, checkedParams, checkedTags);
  }

  logMetric(runId: string, metric: Omit<Metric, 'timestamp' | 'step'> & Partial<Metric>): Promise<void> {
    return this.logBatch(runId, { metrics: [{ timestamp: this.now(), step: 0, ...metric }] });
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { params: [{ key, value }] });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    const info = await this.getInfo(runId);
    if (info.lifecycleStage !== 'active') throw new CairnError('FAILED_PRECONDITION', `Run '${runId}' is deleted; restore it first.`, { details: { entity: 'run', id: runId, lifecycleStage: info.lifecycleStage } });
    if (!(await this.store.deleteTag(runId, checkKey(key, 'key')))) throw notFound(`Tag '${key}' on run '${runId}'`, '', { entity: 'run_tag', id: runId, key });
  }

  /**
   * A metric's history ordered by (step, timestamp, value), without exact duplicates, paged. NaN
   * sorts below the numbers logged at the same step and time.
   */
  async getMetricHistory(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    const { series, nextPageToken } = await this.getMetricSeries(runId, key, page);
    return { items: seriesToMetrics(series), nextPageToken };
  }

  /** {@link getMetricHistory} as columns instead of one object per point: for long histories. */
  async getMetricSeries(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}): Promise<{ series: MetricSeries; nextPageToken: string | null }> {
    await this.getInfo(runId);
    const limit = page.maxResults ?? 1_000_000;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000_000) throw invalid(`'maxResults' must be an integer from 1 to 1000000.`);
    const offset = decodePageToken(page.pageToken);
    const series = await this.store.metricSeries(runId, checkKey(key, 'key'), offset, limit + 1);
    if (series.steps.length <= limit) return { series, nextPageToken: null };
    const cut = { key: series.key, steps: series.steps.subarray(0, limit), timestamps: series.timestamps.subarray(0, limit), values: series.values.subarray(0, limit) };
    return { series: cut, nextPageToken: encodePageToken(offset + limit) };
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    const info = await this.getInfo(runId);
    if (!Array.isArray(inputs)) throw invalid(`'datasets' must be a list.`);
    const checked = inputs.map((input, i) => {
      const d = input?.dataset;
      if (!d || typeof d !== 'object') throw invalid(`'datasets[${i}].dataset' is required.`);
      return {
        dataset: {
          name: checkText(d.name, `datasets[${i}].name`, LIMITS.nameLength, false),
          digest: checkText(d.digest, `datasets[${i}].digest`, 128, false),
          sourceType: checkText(d.sourceType, `datasets[${i}].sourceType`, 100, false),
          source: checkText(d.source, `datasets[${i}].source`, 65_535),
          schema: d.schema == null ? null : checkText(d.schema, `datasets[${i}].schema`, 1_048_576),
          profile: d.profile == null ? null : checkText(d.profile, `datasets[${i}].profile`, 16_384),
        },
        tags: checkTags(input.tags ?? {}),
      };
    });
    await this.store.logInputs(runId, Number(info.experimentId), checked);
  }

  /** The datasets the runs of these experiments logged as inputs (distinct, at most 1,000). */
  async datasetSummaries(experimentIds: string[]): Promise<DatasetSummary[]> {
    const ids = experimentIds.map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : null)).filter((id): id is number => id !== null);
    return datasetSummaries(this.db, ids);
  }

  async search(input: SearchRunsInput): Promise<Page<Run>> {
    if (!Array.isArray(input.experimentIds) || input.experimentIds.length === 0) {
      throw invalid(`Give at least one experiment id to search runs in.`);
    }
    const { ids, nextPageToken } = await searchRunIds(this.db, this.dialect, input);
    return { items: await this.store.getMany(ids), nextPageToken };
  }

  async heartbeat(runId: string): Promise<void> {
    const info = await this.getInfo(runId);
    if (info.status !== 'RUNNING') throw new CairnError('FAILED_PRECONDITION', `Run '${runId}' is ${info.status}${info.statusReason ? ` (${info.statusReason})` : ''}; it no longer takes heartbeats.`);
    await this.store.update(runId, { last_heartbeat: this.now() });
  }

  /** Marks runs whose heartbeat lapsed KILLED, with the reason. Returns the ids it ended. */
  async killStaleRuns(timeoutSeconds: number): Promise<string[]> {
    const now = this.now();
    return this.store.killStale(now - timeoutSeconds * 1000, now, `no heartbeat for more than ${timeoutSeconds} s: the process logging this run stopped`);
  }

  // Artifacts live under the run's Cairn-assigned prefix; every user path is validated first.
  async logArtifact(runId: string, path: string, body: Parameters<ArtifactStore['put']>[1], options?: { maxBytes?: number }): Promise<PutResult> {
    const info = await this.getInfo(runId);
    const rel = validateRelativePath(path, 'artifact path');
    const put = await this.artifacts.put(`${info.artifactUri}/${rel}`, body, options);
    return { ...put, path: rel };
  }

  async listArtifacts(runId: string, path = ''): Promise<ArtifactFileInfo[]> {
    const info = await this.getInfo(runId);
    const rel = validateRelativePath(path, 'artifact path', { allowEmpty: true });
    const prefix = rel ? `${info.artifactUri}/${rel}` : info.artifactUri;
    const files = await this.artifacts.list(prefix);
    return files.map((f) => ({ ...f, path: f.path.slice(info.artifactUri.length + 1) }));
  }

  async openArtifact(runId: string, path: string, options?: GetOptions): Promise<ArtifactDownload> {
    const info = await this.getInfo(runId);
    return this.artifacts.get(`${info.artifactUri}/${validateRelativePath(path, 'artifact path')}`, options);
  }

  async deleteArtifact(runId: string, path: string): Promise<void> {
    const info = await this.getInfo(runId);
    await this.artifacts.delete(`${info.artifactUri}/${validateRelativePath(path, 'artifact path')}`);
  }
}

export function randomRunId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

function checkRunId(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound(`Run '${String(id).slice(0, 80)}'`);
  return id;
}

function opt(v: string | null | undefined, field: string): string | null {
  return v == null ? null : checkText(v, field, 1000);
}

let user: string | undefined;
/** The OS user, looked up once: runs are created on hot paths (a pipeline's steps). */
function currentUser(): string {
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return user;
}
