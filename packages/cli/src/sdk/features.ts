import type { PushTarget } from '@cairn/client';
import type { GetOnlineFeaturesInput, ObjectKind, OnlineFeaturesResult, StoredObject } from '@cairn/core';
import type { FeatureBackend } from './feature-backend.js';

/**
 * The feature store from the SDK: `cairn.features`. Works the same in-process and against a server
 * (`POST /api/v1/features/online`). Defining, applying and materializing features is done with
 * `cairn features …` next to the definition files.
 *
 * @example
 * ```ts
 * const rows = await cairn.features.getOnlineRows({ entities: [{ customer_id: 1001 }], featureService: 'churn_features' });
 * await cairn.features.push('clicks_push', [{ customer_id: 1001, clicks: 3, event_timestamp: new Date().toISOString() }]);
 * ```
 */
export class FeatureQueries {
  constructor(private readonly backend: () => FeatureBackend) {}

  /**
   * The latest values of features for each entity, with a status per value (PRESENT, NOT_FOUND,
   * OUTSIDE_MAX_AGE); `results[i]` is feature `featureNames[i]`, its `values[j]` belongs to `entities[j]`.
   *
   * @example
   * ```ts
   * const online = await cairn.features.getOnline({ entities: [{ customer_id: 1001 }], features: ['customer_stats:orders_30d'] });
   * ```
   */
  getOnline(input: GetOnlineFeaturesInput): Promise<OnlineFeaturesResult> {
    return this.backend().getOnlineFeatures(input);
  }

  /**
   * Like {@link getOnline}, as one object per entity: the entity's own fields and each feature's value
   * (null unless PRESENT).
   *
   * @example
   * ```ts
   * const [row] = await cairn.features.getOnlineRows({ entities: [{ customer_id: 1001 }], featureService: 'churn_features' });
   * ```
   */
  async getOnlineRows(input: GetOnlineFeaturesInput): Promise<Array<Record<string, unknown>>> {
    const { featureNames, results } = await this.getOnline(input);
    return input.entities.map((entity, j) => {
      const row: Record<string, unknown> = { ...entity };
      featureNames.forEach((name, i) => (row[name] = results[i]!.statuses[j] === 'PRESENT' ? results[i]!.values[j] : null));
      return row;
    });
  }

  /** Writes rows of a push source to the online store (and keeps them offline), newest value winning. */
  push(source: string, rows: Array<Record<string, unknown>>, options: { to?: PushTarget } = {}): Promise<{ rows: number; views: string[] }> {
    return this.backend().push(source, rows, options);
  }

  /** The applied definitions (entities, sources, feature views, services), optionally of one kind. */
  list(kind?: ObjectKind): Promise<StoredObject[]> {
    return this.backend().listObjects(kind);
  }

  /** The applied definitions with this name, of any kind (`NOT_FOUND` when there are none). */
  get(name: string): Promise<StoredObject[]> {
    return this.backend().getObjects(name);
  }
}
