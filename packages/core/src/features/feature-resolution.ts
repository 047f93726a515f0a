import { CairnError, invalid } from '../errors.js';
import type { FeatureRef, FeatureServiceSpec, FeatureViewSpec, ObjectKind, OnDemandFeatureViewSpec, StoredObject } from './entities.js';
import type { FeatureRegistry } from './registry/feature-registry.js';
import type { ValueType } from './value-types.js';

export interface FeatureSelectionInput {
  /** `view:feature` references. */
  features?: string[];
  /** Or the name of a feature service. */
  featureService?: string;
  /** Name output columns `view__feature` instead of `feature`. */
  fullFeatureNames?: boolean;
}

export interface ResolvedOutput { view: string; feature: string; column: string; type: ValueType; onDemand: boolean }

export interface ResolvedFeatures {
  outputs: ResolvedOutput[];
  /** Base views to read, with the features needed (requested ones and on-demand inputs). */
  views: Map<string, { stored: StoredObject<FeatureViewSpec>; features: string[] }>;
  onDemand: Array<{ stored: StoredObject<OnDemandFeatureViewSpec>; outputs: ResolvedOutput[] }>;
  service: StoredObject<FeatureServiceSpec> | null;
  /** Every definition used, with the version used, for training-dataset records. */
  definitions: Array<{ kind: ObjectKind; name: string; version: number }>;
  /** The registry version every object above was read at. */
  registryVersion: number;
}

export function parseRef(ref: string): FeatureRef {
  const parts = typeof ref === 'string' ? ref.split(':') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw invalid(`'${String(ref)}' is not a feature reference. Write 'view:feature', e.g. 'driver_stats:conv_rate'.`);
  return { view: parts[0], feature: parts[1] };
}

/** Looks up the views and features a request names, checking each exists, and names the outputs. */
/**
 * Resolves a selection against one registry version: when the registry moves on while the objects
 * are read (another process applied), it starts again, so the objects and the version agree.
 */
export async function resolveFeatures(registry: FeatureRegistry, input: FeatureSelectionInput): Promise<ResolvedFeatures> {
  for (;;) {
    const registryVersion = await registry.cachedVersion();
    const resolved = await resolveAt(registry, input, registryVersion);
    if ((await registry.cachedVersion()) === registryVersion) return resolved;
  }
}

async function resolveAt(registry: FeatureRegistry, input: FeatureSelectionInput, registryVersion: number): Promise<ResolvedFeatures> {
  if (!!input.features?.length === !!input.featureService) throw invalid('Name the features to read (features: ["view:feature", ...]) or a featureService, not both and not neither.');
  const service = input.featureService ? await registry.getService(input.featureService) : null;
  const refs = service ? service.spec.features : input.features!.map(parseRef);
  const views = new Map<string, { stored: StoredObject<FeatureViewSpec>; features: string[] }>();
  const onDemand = new Map<string, { stored: StoredObject<OnDemandFeatureViewSpec>; outputs: ResolvedOutput[] }>();
  const outputs: ResolvedOutput[] = [];
  const lookup = async (viewName: string) => {
    const found = await registry.findAnyView(viewName);
    if (!found) throw new CairnError('NOT_FOUND', `Feature view '${viewName}' does not exist. List views with 'cairn features list'.`);
    return found;
  };
  const need = (stored: StoredObject<FeatureViewSpec>, feature: string) => {
    const entry = views.get(stored.name) ?? { stored, features: [] };
    if (!entry.features.includes(feature)) entry.features.push(feature);
    views.set(stored.name, entry);
  };
  for (const ref of refs) {
    const found = await lookup(ref.view);
    const field = found.spec.features.find((f) => f.name === ref.feature);
    if (!field) throw new CairnError('NOT_FOUND', `Feature '${ref.view}:${ref.feature}' does not exist: view '${ref.view}' has ${found.spec.features.map((f) => f.name).join(', ')}.`);
    const out: ResolvedOutput = { view: ref.view, feature: ref.feature, column: input.fullFeatureNames ? `${ref.view}__${ref.feature}` : ref.feature, type: field.type, onDemand: found.kind === 'onDemandFeatureView' };
    if (outputs.some((o) => o.view === out.view && o.feature === out.feature)) continue;
    const clash = outputs.find((o) => o.column === out.column);
    if (clash) throw invalid(`Features '${clash.view}:${clash.feature}' and '${out.view}:${out.feature}' would both be named '${out.column}'. Set fullFeatureNames to name them view__feature.`);
    outputs.push(out);
    if (found.kind === 'featureView') {
      need(found as StoredObject<FeatureViewSpec>, ref.feature);
    } else {
      const odfv = found as StoredObject<OnDemandFeatureViewSpec>;
      const entry = onDemand.get(odfv.name) ?? { stored: odfv, outputs: [] };
      entry.outputs.push(out);
      onDemand.set(odfv.name, entry);
      for (const i of odfv.spec.inputs) {
        const base = await lookup(i.view);
        if (base.kind !== 'featureView') throw new CairnError('FAILED_PRECONDITION', `On-demand view '${odfv.name}' reads '${i.view}', which is not a feature view.`);
        need(base as StoredObject<FeatureViewSpec>, i.feature);
      }
    }
  }
  const definitions = [
    ...[...views.values()].map((v) => ({ kind: 'featureView' as const, name: v.stored.name, version: v.stored.version })),
    ...[...onDemand.values()].map((o) => ({ kind: 'onDemandFeatureView' as const, name: o.stored.name, version: o.stored.version })),
    ...(service ? [{ kind: 'featureService' as const, name: service.name, version: service.version }] : []),
  ];
  return { outputs, views, onDemand: [...onDemand.values()], service, definitions, registryVersion };
}

/**
 * `resolveFeatures` with the answer kept per registry version: serving resolves the same feature
 * lists over and over, so a repeated request costs one map lookup.
 */
export function cachedResolver(registry: FeatureRegistry, max = 1000): (input: FeatureSelectionInput) => Promise<ResolvedFeatures> {
  let version = -1;
  const cache = new Map<string, ResolvedFeatures>();
  return async (input) => {
    const v = await registry.cachedVersion();
    if (v !== version) {
      cache.clear();
      version = v;
    }
    const key = JSON.stringify([input.featureService ?? null, input.features ?? null, !!input.fullFeatureNames]);
    const hit = cache.get(key);
    if (hit) return hit;
    const resolved = await resolveFeatures(registry, input);
    if (cache.size >= max) cache.clear();
    cache.set(key, resolved);
    return resolved;
  };
}
