import type {
  DefinitionVersion, FeatureServiceDetail, FeatureViewDetail, GetOnlineFeaturesInput, MaterializationSummary, ObjectKind, OnlineFeaturesResult, StoredObject, TrainingDataset, ViewFreshness,
} from '@cairn/core';
import type { CairnClientOptions, CallOptions } from './cairn-api.js';
import { HttpTransport } from './http-transport.js';

/** Where pushed rows go; both by default. */
export type PushTarget = 'online' | 'offline' | 'online_and_offline';

/**
 * A typed client for the feature store's `/api/v1/features…` routes: online serving, push, the
 * applied definitions, and the catalog reads (freshness, view and service details, history,
 * materializations, training sets). Browser-safe (the web UI uses it as `CairnApi.features`).
 * Errors come back as `CairnError` with the server's code.
 *
 * @example
 * ```ts
 * const features = new FeaturesClient({ baseUrl: 'http://127.0.0.1:5050', token: process.env.CAIRN_TRACKING_TOKEN });
 * const { featureNames, results } = await features.getOnlineFeatures({
 *   entities: [{ customer_id: 1001 }],
 *   featureService: 'churn_features',
 * });
 * ```
 */
export class FeaturesClient {
  private readonly http: HttpTransport;

  constructor(options: CairnClientOptions) {
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.http = new HttpTransport(options.baseUrl, options.token, options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /**
   * The latest values of features for each entity, with a status per value (PRESENT, NOT_FOUND,
   * OUTSIDE_MAX_AGE). `results[i]` is feature `featureNames[i]`; its `values[j]` belongs to `entities[j]`.
   * Timestamp-typed values arrive as ISO-8601 strings.
   */
  async getOnlineFeatures(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesResult> {
    return this.http.json<OnlineFeaturesResult>('POST', '/api/v1/features/online', { json: input });
  }

  /** Writes rows of a push source to the online store (and keeps them for offline retrieval). */
  async push(source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget } = {}): Promise<{ rows: number; views: string[] }> {
    return this.http.json<{ rows: number; views: string[] }>('POST', '/api/v1/features/push', { json: { source, rows, ...(options.to ? { to: options.to } : {}) } });
  }

  /** The applied definitions (latest version of each), optionally of one kind. */
  async listObjects(kind?: ObjectKind): Promise<StoredObject[]> {
    return (await this.http.json<{ objects: StoredObject[] }>('GET', '/api/v1/features/objects', { query: { kind } })).objects;
  }

  /** The applied definitions with this name, of any kind (`NOT_FOUND` when there are none). */
  async getObjects(name: string): Promise<StoredObject[]> {
    return (await this.http.json<{ objects: StoredObject[] }>('GET', `/api/v1/features/objects/${encodeURIComponent(name)}`)).objects;
  }

  /** Each feature view's watermark, last materialization and whether it is stale. */
  async freshness(options: CallOptions = {}): Promise<ViewFreshness[]> {
    return (await this.http.json<{ views: ViewFreshness[] }>('GET', '/api/v1/features/freshness', options)).views;
  }

  /** A feature view (or on-demand view) with its versions, freshness, statistics, expectation results and materializations. */
  async view(name: string, options: CallOptions = {}): Promise<FeatureViewDetail> {
    return (await this.http.json<{ view: FeatureViewDetail }>('GET', `/api/v1/features/views/${encodeURIComponent(name)}`, options)).view;
  }

  /** A feature service with its views, versions, training sets, and the runs and models that used it. */
  async service(name: string, options: CallOptions = {}): Promise<FeatureServiceDetail> {
    return (await this.http.json<{ service: FeatureServiceDetail }>('GET', `/api/v1/features/services/${encodeURIComponent(name)}`, options)).service;
  }

  /** Every applied version of a definition with what changed each time. */
  async objectVersions(kind: ObjectKind, name: string, options: CallOptions = {}): Promise<DefinitionVersion[]> {
    return (await this.http.json<{ versions: DefinitionVersion[] }>('GET', `/api/v1/features/objects/${encodeURIComponent(name)}/versions`, { query: { kind }, ...options })).versions;
  }

  /** Materialization runs, newest first (without statistics). */
  async materializations(q: { view?: string; maxResults?: number } = {}, options: CallOptions = {}): Promise<MaterializationSummary[]> {
    return (await this.http.json<{ runs: MaterializationSummary[] }>('GET', '/api/v1/features/materializations', { query: { ...q }, ...options })).runs;
  }

  async trainingSet(datasetId: string, options: CallOptions = {}): Promise<TrainingDataset> {
    return (await this.http.json<{ trainingSet: TrainingDataset }>('GET', `/api/v1/features/training-sets/${encodeURIComponent(datasetId)}`, options)).trainingSet;
  }
}
