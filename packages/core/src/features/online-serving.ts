import { invalid } from '../errors.js';
import type { FeatureStatus, FeatureViewSpec, OnlineFeaturesResult } from './entities.js';
import type { FeatureSelectionInput, ResolvedFeatures } from './feature-resolution.js';
import type { OnDemandCode } from './on-demand.js';
import { computeOnDemand } from './on-demand.js';
import { encodeEntityKey, type OnlineRecord, type OnlineStore } from './online/online-store.js';
import { coerceValue } from './value-types.js';

export interface GetOnlineFeaturesInput extends FeatureSelectionInput {
  /** One object per entity: its join keys (and request fields of on-demand views). */
  entities: Array<Record<string, unknown>>;
  /** The time TTLs are measured from (epoch ms or ISO); default now. */
  at?: number | string;
}

export const viewKeyspace = (view: FeatureViewSpec): string => view.joinKeys.map((k) => k.name).join(',');

/** Encoded entity keys of `entities` for one view, checking each join key is present and typed. */
export function entityKeys(view: FeatureViewSpec, entities: Array<Record<string, unknown>>): string[] {
  return entities.map((e, i) => encodeEntityKey(view.joinKeys.map((k) => {
    const v = e?.[k.name];
    // A null key is allowed and never found (nothing is stored under one), as offline where it never matches.
    if (v === undefined) throw invalid(`Entity ${i} has no '${k.name}', the join key of view '${view.name}'.`);
    return coerceValue(v, k.type, `Entity ${i} join key '${k.name}'`);
  })));
}

/** Values as the offline store returns them: timestamps as Dates. */
export function outputValue(v: unknown, type: string): unknown {
  return type === 'timestamp' && typeof v === 'number' ? new Date(v) : v;
}

/**
 * Reads the latest values of the requested features for each entity from the online store (one
 * round trip), applying each view's TTL relative to `at` exactly as offline retrieval does.
 */
export async function getOnlineFeatures(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, code: OnDemandCode, input: GetOnlineFeaturesInput, now: () => number,
): Promise<OnlineFeaturesResult> {
  if (!Array.isArray(input.entities) || !input.entities.length) throw invalid('Give at least one entity, e.g. entities: [{ driver_id: 1001 }].');
  const at = input.at === undefined ? now() : coerceValue(input.at, 'timestamp', "'at'") as number;
  const resolved = await resolve(input);
  const views = [...resolved.views.values()];
  const requests = views.map((v) => ({ view: v.stored.name, keyspace: viewKeyspace(v.stored.spec), keys: entityKeys(v.stored.spec, input.entities) }));
  const records = await online.read(requests);
  const byView = new Map(views.map((v, i) => [v.stored.name, records[i]!]));
  const lookup = (view: string, feature: string, j: number): { value: unknown; status: FeatureStatus; eventTs: number | null } => {
    const spec = resolved.views.get(view)!.stored.spec;
    const rec: OnlineRecord | null = byView.get(view)![j]!;
    if (!rec) return { value: null, status: 'NOT_FOUND', eventTs: null };
    if (spec.ttlMs !== null && rec.eventTs < at - spec.ttlMs) return { value: null, status: 'OUTSIDE_MAX_AGE', eventTs: rec.eventTs };
    const type = spec.features.find((f) => f.name === feature)?.type ?? 'string';
    return { value: outputValue(rec.values[feature] ?? null, type), status: 'PRESENT', eventTs: rec.eventTs };
  };
  const computed = new Map<string, Array<Record<string, unknown>>>();
  for (const o of resolved.onDemand) {
    const inputs = input.entities.map((e, j) => Object.fromEntries(o.stored.spec.inputs.map((i) => [i.feature, lookup(i.view, i.feature, j).value])));
    computed.set(o.stored.name, await computeOnDemand(code, o.stored, input.entities, inputs));
  }
  return {
    featureNames: resolved.outputs.map((o) => o.column),
    results: resolved.outputs.map((o) => {
      if (o.onDemand) {
        const rows = computed.get(o.view)!;
        return { values: rows.map((r) => outputValue(r[o.feature] ?? null, o.type)), statuses: rows.map(() => 'PRESENT' as const), eventTimestamps: rows.map(() => null) };
      }
      const cells = input.entities.map((_, j) => lookup(o.view, o.feature, j));
      return { values: cells.map((c) => c.value), statuses: cells.map((c) => c.status), eventTimestamps: cells.map((c) => c.eventTs) };
    }),
  };
}

/**
 * Row view of an online result: one object per entity, feature columns to values.
 *
 * @example
 * ```ts
 * const [row] = onlineRows(await store.getOnlineFeatures({ entities: [{ driver_id: 1 }], features: ['driver_stats:conv_rate'] }));
 * ```
 */
export function onlineRows(result: OnlineFeaturesResult): Array<Record<string, unknown>> {
  const n = result.results[0]?.values.length ?? 0;
  return Array.from({ length: n }, (_, j) => Object.fromEntries(result.featureNames.map((name, i) => [name, result.results[i]!.values[j]])));
}
