import type { GetOnlineFeaturesInput, ObjectKind, OnlineFeaturesResult, StoredObject } from '@cairn/core';
import type { CairnClientOptions } from './cairn-client.js';
import { HttpTransport } from './http-transport.js';

/** Where pushed rows go; both by default. */
export type PushTarget = 'online' | 'offline' | 'online_and_offline';

/**
 * A typed client for the feature store's `/api/v1/features…` routes: online serving, push, and
 * the applied definitions. Errors come back as `CairnError` with the server's code.
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
    this.http = new HttpTransport(options.baseUrl, options.token, options.fetch ?? globalThis.fetch);
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
}
