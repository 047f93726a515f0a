import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type {
  ApiToken,
  ArtifactFileInfo,
  CreateExperimentInput,
  CreateTokenInput,
  CreateRunInput,
  DatasetInput,
  Experiment,
  LogBatchInput,
  Metric,
  Page,
  PutResult,
  Run,
  RunInfo,
  SearchExperimentsInput,
  SearchRunsInput,
  UpdateRunInput,
} from '@cairn/core';
import { HttpTransport, type FetchLike, type RequestBody } from './http-transport.js';
import { decodeMetric, decodeRun, encodeMetric, type WireMetric, type WireRun } from './wire.js';

export interface CairnClientOptions {
  /** The server's address, e.g. `http://127.0.0.1:5050`. */
  baseUrl: string;
  /** An API token secret, sent as `Authorization: Bearer …`. */
  token?: string;
  /** A fetch implementation; defaults to Node's global fetch. */
  fetch?: FetchLike;
}

/** What to upload: bytes, a Node stream, or `{ file }` to stream a file from disk. */
export type ArtifactBody = Uint8Array | Readable | { file: string };

const seg = encodeURIComponent;

/**
 * A typed client for Cairn's `/api/v1` HTTP API: one method per route. Errors come back as
 * `CairnError` with the server's code; metric values may be NaN or ±Infinity both ways.
 *
 * @example
 * ```ts
 * const client = new CairnClient({ baseUrl: 'http://127.0.0.1:5050', token: process.env.CAIRN_TOKEN });
 * const exp = await client.createExperiment({ name: 'churn' });
 * const run = await client.createRun({ experimentId: exp.experimentId, runName: 'baseline' });
 * await client.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.3, timestamp: Date.now(), step: 1 }] });
 * ```
 */
export class CairnClient {
  private readonly http: HttpTransport;

  constructor(options: CairnClientOptions) {
    this.http = new HttpTransport(options.baseUrl, options.token, options.fetch ?? globalThis.fetch);
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

  /** Streams an artifact's bytes; the caller must consume or destroy the stream. */
  async downloadArtifact(runId: string, path: string): Promise<Readable> {
    const res = await this.http.send('GET', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, headers: { accept: 'application/octet-stream' } });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>);
  }

  /** Uploads one artifact as a raw PUT body; files and Node streams are streamed, never read whole. */
  async uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<PutResult> {
    const headers: Record<string, string> = {};
    let raw: RequestBody;
    if (body instanceof Uint8Array) {
      raw = body;
    } else if (body instanceof Readable) {
      raw = Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>;
    } else {
      const { size } = await stat(body.file);
      // A known length lets the server refuse an oversized upload before reading it.
      headers['content-length'] = String(size);
      raw = Readable.toWeb(createReadStream(body.file)) as unknown as ReadableStream<Uint8Array>;
    }
    const res = await this.http.json<{ file: PutResult }>('PUT', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, body: raw, headers });
    return res.file;
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
}
