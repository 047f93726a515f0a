import type {
  ApiToken,
  ArtifactFileInfo,
  ArtifactPreview,
  CreateExperimentInput,
  CreateTokenInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  ExperimentKeys,
  ExperimentStats,
  LineageGraph,
  LineageKind,
  LineageQuery,
  LogBatchInput,
  Metric,
  Page,
  PutResult,
  Role,
  Run,
  RunInfo,
  SearchExperimentsInput,
  SearchRunsInput,
  SeriesAxis,
  UpdateRunInput,
} from '@cairn/core';
import { FeaturesClient } from './features-client.js';
import { HttpTransport, type FetchLike } from './http-transport.js';
import { PipelinesClient } from './pipelines-client.js';
import { RegistryApi } from './registry-api.js';
import { decodeMetric, decodeRun, decodeValue, encodeMetric, type WireMetric, type WireRun } from './wire.js';

export interface CairnClientOptions {
  /** The server's address, e.g. `http://127.0.0.1:5050`. */
  baseUrl: string;
  /** An API token secret, sent as `Authorization: Bearer …`. */
  token?: string;
  /** A fetch implementation; defaults to the global fetch. */
  fetch?: FetchLike;
}

/** A metric history downsampled for a chart, as columns (see `sampledHistories`). */
export interface SampledHistory {
  runId: string;
  key: string;
  /** Points of the history in the range asked. */
  total: number;
  /** Fewer points than `total` were returned. */
  sampled: boolean;
  steps: number[];
  timestamps: number[];
  values: number[];
}

export interface SampledHistoryQuery {
  runIds: string[];
  keys: string[];
  maxPoints?: number;
  axis?: SeriesAxis;
  min?: number;
  max?: number;
}

/** Who the caller is to the server: its role (admin when the server has auth off). */
export interface Whoami {
  authEnabled: boolean;
  role: Role;
  tokenName: string | null;
}

/** Per-call options: an AbortSignal cancels the request (a chart zooming again, a page left). */
export interface CallOptions {
  signal?: AbortSignal;
}

const seg = encodeURIComponent;

/**
 * The part of the `/api/v1` client that runs anywhere `fetch` does, browsers included: every JSON
 * route, and artifacts as `fetch` Responses and byte uploads. {@link CairnClient} adds Node streams
 * and files on top; the web UI uses this class, so no Node module reaches its bundle.
 *
 * @example
 * ```ts
 * const api = new CairnApi({ baseUrl: window.location.origin, token: sessionStorage.getItem('cairn.token') ?? undefined });
 * const { items } = await api.searchRuns({ experimentIds: ['1'], filter: 'metrics.auc > 0.7' });
 * ```
 */
export class CairnApi {
  protected readonly http: HttpTransport;
  /** The model registry: models, versions, aliases, promotion, audit. */
  readonly models: RegistryApi;
  /** Pipeline runs, step logs, cancel and resume, schedules. */
  readonly pipelines: PipelinesClient;
  /** Online features, definitions and the catalog reads. */
  readonly features: FeaturesClient;

  constructor(options: CairnClientOptions) {
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.http = new HttpTransport(options.baseUrl, options.token, fetch);
    const shared = { ...options, fetch };
    this.models = new RegistryApi(shared);
    this.pipelines = new PipelinesClient(shared);
    this.features = new FeaturesClient(shared);
  }

  /** The normalized server address (no trailing slash). */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Liveness, the server's version and its run heartbeat timeout (absent on servers older than it). */
  health(): Promise<{ status: string; version: string; heartbeatTimeoutSeconds?: number }> {
    return this.http.json('GET', '/health');
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.http.json('GET', '/api/v1/openapi.json');
  }

  /** The caller's role; fails with UNAUTHENTICATED when the server needs a token and none (or a bad one) was given. */
  whoami(options: CallOptions = {}): Promise<Whoami> {
    return this.http.json('GET', '/api/v1/whoami', options);
  }

  // Experiments

  async createExperiment(input: CreateExperimentInput): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('POST', '/api/v1/experiments', { json: input })).experiment;
  }

  async searchExperiments(input: SearchExperimentsInput = {}): Promise<Page<Experiment>> {
    const { experiments, nextPageToken } = await this.http.json<{ experiments: Experiment[]; nextPageToken?: string | null }>(
      'GET',
      '/api/v1/experiments',
      { query: { filter: input.filter, orderBy: input.orderBy, maxResults: input.maxResults, pageToken: input.pageToken, viewType: input.viewType } },
    );
    return { items: experiments, nextPageToken: nextPageToken ?? null };
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('GET', `/api/v1/experiments/${seg(experimentId)}`)).experiment;
  }

  async getExperimentByName(name: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('GET', `/api/v1/experiments-by-name/${seg(name)}`)).experiment;
  }

  async renameExperiment(experimentId: string, name: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('PATCH', `/api/v1/experiments/${seg(experimentId)}`, { json: { name } })).experiment;
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/experiments/${seg(experimentId)}`);
  }

  async restoreExperiment(experimentId: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('POST', `/api/v1/experiments/${seg(experimentId)}/restore`)).experiment;
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.http.json('PUT', `/api/v1/experiments/${seg(experimentId)}/tags`, { json: { key, value } });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/experiments/${seg(experimentId)}/tags`, { query: { key } });
  }

  // Runs

  async createRun(input: CreateRunInput): Promise<Run> {
    return decodeRun((await this.http.json<{ run: WireRun }>('POST', '/api/v1/runs', { json: input })).run);
  }

  async getRun(runId: string): Promise<Run> {
    return decodeRun((await this.http.json<{ run: WireRun }>('GET', `/api/v1/runs/${seg(runId)}`)).run);
  }

  async updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    return (await this.http.json<{ runInfo: RunInfo }>('PATCH', `/api/v1/runs/${seg(runId)}`, { json: input })).runInfo;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/runs/${seg(runId)}`);
  }

  async restoreRun(runId: string): Promise<void> {
    await this.http.json('POST', `/api/v1/runs/${seg(runId)}/restore`);
  }

  /** Logs metrics, params and tags atomically. */
  async logBatch(runId: string, input: LogBatchInput): Promise<void> {
    const json = { ...input, ...(input.metrics ? { metrics: input.metrics.map(encodeMetric) } : {}) };
    await this.http.json('POST', `/api/v1/runs/${seg(runId)}/batch`, { json });
  }

  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/runs/${seg(runId)}/tags`, { query: { key } });
  }

  async heartbeat(runId: string): Promise<void> {
    await this.http.json('POST', `/api/v1/runs/${seg(runId)}/heartbeat`);
  }

  async getMetricHistory(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    const res = await this.http.json<{ metrics: WireMetric[]; nextPageToken?: string | null }>('GET', `/api/v1/runs/${seg(runId)}/metrics/history`, {
      query: { key, maxResults: page.maxResults, pageToken: page.pageToken },
    });
    return { items: res.metrics.map(decodeMetric), nextPageToken: res.nextPageToken ?? null };
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.http.json('POST', `/api/v1/runs/${seg(runId)}/inputs`, { json: { datasets } });
  }

  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    const res = await this.http.json<{ runs: WireRun[]; nextPageToken?: string | null }>('POST', '/api/v1/runs/search', { json: input });
    return { items: res.runs.map(decodeRun), nextPageToken: res.nextPageToken ?? null };
  }

  // Artifacts

  async listArtifacts(runId: string, path = ''): Promise<ArtifactFileInfo[]> {
    return (await this.http.json<{ files: ArtifactFileInfo[] }>('GET', `/api/v1/runs/${seg(runId)}/artifacts`, { query: { path: path || undefined } })).files;
  }

  async deleteArtifact(runId: string, path: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path } });
  }

  // Tokens (admin)

  createToken(input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    return this.http.json('POST', '/api/v1/tokens', { json: input });
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.http.json<{ tokens: ApiToken[] }>('GET', '/api/v1/tokens')).tokens;
  }

  async revokeToken(tokenId: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/tokens/${seg(tokenId)}`);
  }

  // Views (read-only, for people looking at runs)

  /** Active run counts and latest run activity of experiments, in the order given. */
  async experimentStats(experimentIds: string[], options: CallOptions = {}): Promise<ExperimentStats[]> {
    return (await this.http.json<{ stats: ExperimentStats[] }>('GET', '/api/v1/experiments/stats', { query: { experimentId: experimentIds }, ...options })).stats;
  }

  /** The metric, param and tag keys used by active runs of the experiments. */
  experimentKeys(experimentIds: string[], options: CallOptions = {}): Promise<ExperimentKeys> {
    return this.http.json('GET', '/api/v1/experiments/keys', { query: { experimentId: experimentIds }, ...options });
  }

  /** Metric histories downsampled on the server (min and max kept per bucket), optionally a step or time range only. */
  async sampledHistories(q: SampledHistoryQuery, options: CallOptions = {}): Promise<SampledHistory[]> {
    const res = await this.http.json<{ series: Array<Omit<SampledHistory, 'values'> & { values: Array<number | string> }> }>('GET', '/api/v1/metrics/sampled', {
      query: { runId: q.runIds, key: q.keys, maxPoints: q.maxPoints, axis: q.axis, min: q.min, max: q.max },
      ...options,
    });
    return res.series.map((s) => ({ ...s, values: s.values.map(decodeValue) }));
  }

  /** A preview of an artifact: its first text, its first table rows, or its kind (image, binary). */
  async previewArtifact(runId: string, path: string, options: CallOptions = {}): Promise<ArtifactPreview> {
    return (await this.http.json<{ preview: ArtifactPreview }>('GET', `/api/v1/runs/${seg(runId)}/artifacts/preview`, { query: { path }, ...options })).preview;
  }

  /** An artifact's bytes as a fetch Response (read it with `.blob()`, `.arrayBuffer()` or `.body`). */
  fetchArtifact(runId: string, path: string, options: CallOptions = {}): Promise<Response> {
    return this.http.send('GET', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, headers: { accept: 'application/octet-stream' }, ...options });
  }

  /** A folder of a run's artifacts (all of them for '') as a zip, as a fetch Response. */
  fetchArtifactArchive(runId: string, folder: string, options: CallOptions = {}): Promise<Response> {
    return this.http.send('GET', `/api/v1/runs/${seg(runId)}/artifacts/archive`, { query: { path: folder || undefined }, headers: { accept: 'application/zip' }, ...options });
  }

  // Lineage

  /**
   * The lineage graph around an object (an alias, a version, a run, a training set, a feature view,
   * source data, a pipeline run or step): its inputs upstream, what was made from it downstream.
   */
  async lineage(kind: LineageKind, key: string, q: LineageQuery = {}, options: CallOptions = {}): Promise<LineageGraph> {
    return (await this.http.json<{ graph: LineageGraph }>('GET', '/api/v1/lineage', { query: { kind, key, ...q }, ...options })).graph;
  }

  /** Uploads bytes as one artifact file (Node callers can stream files with `CairnClient.uploadArtifact`). */
  async putArtifact(runId: string, path: string, body: Uint8Array<ArrayBuffer> | Blob): Promise<PutResult> {
    return (await this.http.json<{ file: PutResult }>('PUT', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, body })).file;
  }
}
