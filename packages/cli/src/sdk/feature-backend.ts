import type { PushTarget } from '@cairn/client';
import type { GetOnlineFeaturesInput, ObjectKind, OnlineFeaturesResult, StoredObject } from '@cairn/core';

/**
 * Where the SDK sends feature store calls: the platform in this process, or a Cairn server over
 * HTTP. Both return the same JSON-shaped results (timestamp values as ISO-8601 strings) and throw
 * `CairnError` with the same codes.
 *
 * @example
 * ```ts
 * const features: FeatureBackend = new HttpFeatureBackend(new FeaturesClient({ baseUrl: 'http://127.0.0.1:5050' }));
 * const online = await features.getOnlineFeatures({ entities: [{ customer_id: 7 }], featureService: 'churn_features' });
 * ```
 */
export interface FeatureBackend {
  getOnlineFeatures(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesResult>;
  push(source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget }): Promise<{ rows: number; views: string[] }>;
  listObjects(kind?: ObjectKind): Promise<StoredObject[]>;
  getObjects(name: string): Promise<StoredObject[]>;
}
