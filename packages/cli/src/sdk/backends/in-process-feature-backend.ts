import type { PushTarget } from '@cairn/client';
import type { FeatureService, GetOnlineFeaturesInput, ObjectKind, OnlineFeaturesResult } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import type { FeatureBackend } from '../feature-backend.js';

/**
 * Calls the feature service directly, in this process. Results have the shape they have over HTTP
 * (timestamp values as ISO-8601 strings), so code behaves the same against a server.
 *
 * @example
 * ```ts
 * const platform = await openPlatform(loadConfig());
 * const features = new InProcessFeatureBackend(platform.features);
 * ```
 */
export class InProcessFeatureBackend implements FeatureBackend {
  constructor(private readonly features: FeatureService) {}

  async getOnlineFeatures(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesResult> {
    const result = await this.features.getOnlineFeatures(input);
    for (const r of result.results) {
      for (let i = 0; i < r.values.length; i++) if (r.values[i] instanceof Date) r.values[i] = (r.values[i] as Date).toISOString();
    }
    return result;
  }

  push = (source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget } = {}) => this.features.push(source, rows, options);
  listObjects = (kind?: ObjectKind) => this.features.list(kind);

  async getObjects(name: string) {
    const objects = await this.features.registry.find(name);
    if (!objects.length) throw new CairnError('NOT_FOUND', `No applied definition is named '${name}'. List them with cairn.features.list().`);
    return objects;
  }
}
