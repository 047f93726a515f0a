import type { FeaturesClient, PushTarget } from '@cairn/client';
import type { GetOnlineFeaturesInput, ObjectKind } from '@cairn/core';
import type { FeatureBackend } from '../feature-backend.js';

/**
 * Sends feature store calls to a Cairn server through `FeaturesClient`.
 *
 * @example
 * ```ts
 * const features = new HttpFeatureBackend(new FeaturesClient({ baseUrl: 'http://127.0.0.1:5050', token }));
 * ```
 */
export class HttpFeatureBackend implements FeatureBackend {
  constructor(private readonly client: FeaturesClient) {}

  getOnlineFeatures = (input: GetOnlineFeaturesInput) => this.client.getOnlineFeatures(input);
  push = (source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget } = {}) => this.client.push(source, rows, options);
  listObjects = (kind?: ObjectKind) => this.client.listObjects(kind);
  getObjects = (name: string) => this.client.getObjects(name);
}
