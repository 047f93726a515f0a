import type { PushTarget } from '@cairn/client';
import type { FeatureService, GetOnlineFeaturesInput, ObjectKind, OnlineFeaturesResult } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import type { FeatureBackend } from '../feature-backend.js';

const int64Value = (text: string): unknown => {
  const n = JSON.parse(text) as unknown;
  return typeof n === 'number' && !Number.isSafeInteger(n) ? BigInt(text) : n;
};

/**
 * Calls the feature service directly, in this process. Results have the shape they have over HTTP
 * (timestamp values as ISO-8601 strings, with microseconds when they have any), so code behaves
 * the same against a server; int64 values beyond 2^53 are exact BigInts here.
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
    // The answer's JSON texts, as a server sends them, parsed value by value.
    const { featureNames, types, results } = await this.features.getOnlineFeaturesText(input);
    return {
      featureNames,
      results: results.map((r, i) => ({ ...r, values: r.values.map((text) => (types[i] === 'int64' ? int64Value(text) : JSON.parse(text))) })),
    };
  }

  push = (source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget } = {}) => this.features.push(source, rows, options);
  listObjects = (kind?: ObjectKind) => this.features.list(kind);

  async getObjects(name: string) {
    const objects = await this.features.registry.find(name);
    if (!objects.length) throw new CairnError('NOT_FOUND', `No applied definition is named '${name}'. List them with cairn.features.list().`);
    return objects;
  }
}
