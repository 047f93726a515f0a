import { CairnError, invalid } from '../errors.js';
import type { FeatureStatus, FeatureViewSpec, OnlineFeaturesResult, OnlineFeaturesText } from './entities.js';
import type { FeatureSelectionInput, ResolvedFeatures } from './feature-resolution.js';
import type { OnDemandCode } from './on-demand.js';
import { computeOnDemand } from './on-demand.js';
import { parseValues, renderOnlineFeaturesJson, timestampJson, valueJson, valueTexts, type OnlineColumnJson } from './online-features-json.js';
import { encodeEntityKey, type OnlineRecord, type OnlineStore } from './online/online-store.js';
import { coerceValue, type ValueType } from './value-types.js';

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

/**
 * Values as the offline store returns them in-process: timestamps as Dates (a Date holds whole
 * milliseconds; the JSON answer keeps microseconds), int64 beyond 2^53 as BigInts.
 */
export function outputValue(v: unknown, type: string): unknown {
  return type === 'timestamp' && typeof v === 'number' ? new Date(Math.floor(v)) : v;
}

/** An output value as JSON text: timestamps as ISO-8601 with microseconds, int64 digits exact. */
const outputJson = (v: unknown, type: string): string => (type === 'timestamp' && typeof v === 'number' ? timestampJson(String(v)) : valueJson(v));

// What serving needs of a resolved request, worked out once per resolution (the resolver caches
// those per registry version), so a request does no lookups by name.
interface ServingPlan {
  views: Array<{ name: string; spec: FeatureViewSpec; keyspace: string; keyTypes: string }>;
  /** Stored features by view and position in the view's schema; on-demand ones by view name. */
  outputs: Array<{ view: number; position: number; feature: string; type: string } | { onDemand: string; feature: string; type: string }>;
}

const plans = new WeakMap<ResolvedFeatures, ServingPlan>();

function planFor(resolved: ResolvedFeatures): ServingPlan {
  let plan = plans.get(resolved);
  if (plan) return plan;
  for (const v of resolved.views.values()) {
    if (!v.stored.spec.online) throw new CairnError('FAILED_PRECONDITION', `Feature view '${v.stored.name}' is not served online (online: false). Read it with getHistoricalFeatures, or set online: true, apply and materialize.`);
  }
  const views = [...resolved.views.values()].map((v) => ({
    name: v.stored.name, spec: v.stored.spec, keyspace: viewKeyspace(v.stored.spec), keyTypes: JSON.stringify(v.stored.spec.joinKeys),
  }));
  const index = new Map(views.map((v, i) => [v.name, i]));
  plan = {
    views,
    outputs: resolved.outputs.map((o) => {
      if (o.onDemand) return { onDemand: o.view, feature: o.feature, type: o.type };
      const view = index.get(o.view)!;
      return { view, position: views[view]!.spec.features.findIndex((f) => f.name === o.feature), feature: o.feature, type: o.type };
    }),
  };
  plans.set(resolved, plan);
  return plan;
}

interface OnlineRead {
  resolved: ResolvedFeatures;
  plan: ServingPlan;
  /** Per view: statuses and event times per entity, and the records whose values are served (found, within the TTL). */
  perView: Array<{ statuses: FeatureStatus[]; eventTimestamps: Array<number | null>; live: Array<OnlineRecord | null> }>;
}

// The part both answers share: resolve, read every view in one round trip, apply TTLs.
async function readOnline(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, input: GetOnlineFeaturesInput, now: () => number,
): Promise<OnlineRead> {
  if (!Array.isArray(input.entities) || !input.entities.length) throw invalid('Give at least one entity, e.g. entities: [{ driver_id: 1001 }].');
  const at = input.at === undefined ? now() : coerceValue(input.at, 'timestamp', "'at'") as number;
  const resolved = await resolve(input);
  const plan = planFor(resolved);
  // Views with the same (typed) join keys share their encoded keys.
  const keysByType = new Map<string, string[]>();
  const requests = plan.views.map((v) => {
    let keys = keysByType.get(v.keyTypes);
    if (!keys) keysByType.set(v.keyTypes, (keys = entityKeys(v.spec, input.entities)));
    return { view: v.name, keyspace: v.keyspace, keys };
  });
  const records = await online.read(requests);
  const n = input.entities.length;
  const perView = plan.views.map((v, i) => {
    const oldest = v.spec.ttlMs === null ? -Infinity : at - v.spec.ttlMs;
    const statuses = new Array<FeatureStatus>(n);
    const eventTimestamps = new Array<number | null>(n);
    const live = new Array<OnlineRecord | null>(n);
    const recs = records[i]!;
    for (let j = 0; j < n; j++) {
      // Only the newest row is kept online: one after `at` hides whatever offline would pick at `at`,
      // so it is answered as not found rather than served from the future.
      const rec = recs[j] && recs[j]!.eventTs <= at ? recs[j]! : null;
      statuses[j] = !rec ? 'NOT_FOUND' : rec.eventTs < oldest ? 'OUTSIDE_MAX_AGE' : 'PRESENT';
      eventTimestamps[j] = rec ? rec.eventTs : null;
      live[j] = rec && rec.eventTs >= oldest ? rec : null;
    }
    return { statuses, eventTimestamps, live };
  });
  return { resolved, plan, perView };
}

/** Per view, each served record's values parsed once (views not asked for stay unparsed). */
function parsedValues(read: OnlineRead): (view: number) => Array<Record<string, unknown> | null> {
  const parsed = new Map<number, Array<Record<string, unknown> | null>>();
  return (view) => {
    let p = parsed.get(view);
    if (!p) {
      const int64s = read.plan.views[view]!.spec.features.filter((f) => f.type === 'int64').map((f) => f.name);
      parsed.set(view, (p = read.perView[view]!.live.map((r) => (r ? parseValues(r.valuesJson, int64s) : null))));
    }
    return p;
  };
}

// Outputs of the on-demand views, from their request fields and input features (as values).
async function onDemandOutputs(read: OnlineRead, code: OnDemandCode, entities: Array<Record<string, unknown>>, values: (view: number) => Array<Record<string, unknown> | null>): Promise<Map<string, Array<Record<string, unknown>>>> {
  const computed = new Map<string, Array<Record<string, unknown>>>();
  for (const o of read.resolved.onDemand) {
    const spec = o.stored.spec;
    const columns = spec.inputs.map((i) => {
      const v = read.plan.views.findIndex((x) => x.name === i.view);
      const type = read.plan.views[v]!.spec.features.find((f) => f.name === i.feature)?.type ?? 'string';
      return values(v).map((r) => (r ? outputValue(r[i.feature] ?? null, type) : null));
    });
    const inputs = entities.map((_, j) => Object.fromEntries(spec.inputs.map((i, k) => [i.feature, columns[k]![j]])));
    computed.set(o.stored.name, await computeOnDemand(code, o.stored, entities, inputs));
  }
  return computed;
}

const SEVERITY: Record<FeatureStatus, number> = { PRESENT: 0, OUTSIDE_MAX_AGE: 1, NOT_FOUND: 2 };

// An on-demand output is only as good as its inputs: per entity it carries the worst status of the
// views it reads (NOT_FOUND over OUTSIDE_MAX_AGE over PRESENT); its value is still computed, as offline.
function onDemandStatuses(read: OnlineRead, n: number): Map<string, FeatureStatus[]> {
  const out = new Map<string, FeatureStatus[]>();
  for (const o of read.resolved.onDemand) {
    const views = [...new Set(o.stored.spec.inputs.map((i) => read.plan.views.findIndex((x) => x.name === i.view)))].map((v) => read.perView[v]!.statuses);
    out.set(o.stored.name, Array.from({ length: n }, (_, j) => views.reduce<FeatureStatus>((worst, st) => (SEVERITY[st[j]!] > SEVERITY[worst] ? st[j]! : worst), 'PRESENT')));
  }
  return out;
}

/**
 * Reads the latest values of the requested features for each entity from the online store (one
 * round trip), applying each view's TTL relative to `at` exactly as offline retrieval does. The
 * features of one view share one `statuses` and one `eventTimestamps` array (they are the view's).
 * Online holds only each entity's newest row, so a row newer than `at` is answered NOT_FOUND (the
 * value offline would pick at `at` is not kept): historical reads belong to getHistoricalFeatures.
 */
export async function getOnlineFeatures(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, code: OnDemandCode, input: GetOnlineFeaturesInput, now: () => number,
): Promise<OnlineFeaturesResult> {
  const read = await readOnline(resolve, online, input, now);
  const values = parsedValues(read);
  const computed = await onDemandOutputs(read, code, input.entities, values);
  const onDemandStatus = onDemandStatuses(read, input.entities.length);
  const onDemandTimes = input.entities.map(() => null);
  return {
    featureNames: read.resolved.outputs.map((o) => o.column),
    results: read.plan.outputs.map((o) => {
      if ('onDemand' in o) return { values: computed.get(o.onDemand)!.map((r) => outputValue(r[o.feature] ?? null, o.type)), statuses: onDemandStatus.get(o.onDemand)!, eventTimestamps: onDemandTimes };
      const v = read.perView[o.view]!;
      return { values: values(o.view).map((r) => (r ? outputValue(r[o.feature] ?? null, o.type) : null)), statuses: v.statuses, eventTimestamps: v.eventTimestamps };
    }),
  };
}

interface OnlineColumns {
  featureNames: string[];
  types: ValueType[];
  columns: OnlineColumnJson[];
  /** Statuses and event times per stored view, then per on-demand view. */
  views: Array<{ statuses: FeatureStatus[]; eventTimestamps: Array<number | null> }>;
  entities: number;
}

// Each output column's values as JSON text. Stored values are copied as the text they were written
// as, never parsed and printed again: with 100 entities x 50 features that is most of the work.
async function onlineColumns(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, code: OnDemandCode, input: GetOnlineFeaturesInput, now: () => number,
): Promise<OnlineColumns> {
  const read = await readOnline(resolve, online, input, now);
  const computed = read.resolved.onDemand.length ? await onDemandOutputs(read, code, input.entities, parsedValues(read)) : null;
  // Per view, each served record's value texts in the view's feature order (the order they were written in).
  const texts = new Map<number, Array<string[] | null>>();
  const textsOf = (view: number) => {
    let t = texts.get(view);
    if (!t) {
      const names = read.plan.views[view]!.spec.features.map((f) => f.name);
      texts.set(view, (t = read.perView[view]!.live.map((r) => (r ? valueTexts(r.valuesJson, names) : null))));
    }
    return t;
  };
  // On-demand outputs' statuses are rendered like a view's, after the stored views.
  const onDemandViews = [...onDemandStatuses(read, input.entities.length)];
  const views = [...read.perView, ...onDemandViews.map(([, statuses]) => ({ statuses, eventTimestamps: statuses.map(() => null) }))];
  const columns = read.plan.outputs.map((o): OnlineColumnJson => {
    if ('onDemand' in o) {
      const view = read.perView.length + onDemandViews.findIndex(([name]) => name === o.onDemand);
      return { values: computed!.get(o.onDemand)!.map((r) => outputJson(r[o.feature] ?? null, o.type)), view };
    }
    const rows = textsOf(o.view);
    const values = new Array<string>(rows.length);
    for (let j = 0; j < rows.length; j++) {
      const text = rows[j]?.[o.position] ?? 'null';
      values[j] = o.type === 'timestamp' ? timestampJson(text) : text;
    }
    return { values, view: o.view };
  });
  return { featureNames: read.resolved.outputs.map((o) => o.column), types: read.resolved.outputs.map((o) => o.type), columns, views, entities: input.entities.length };
}

/**
 * `getOnlineFeatures` as UTF-8 JSON: what `JSON.stringify` of the result gives, except that
 * timestamps keep their microseconds and int64 values beyond 2^53 their exact digits. For HTTP.
 */
export async function getOnlineFeaturesJson(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, code: OnDemandCode, input: GetOnlineFeaturesInput, now: () => number,
): Promise<Buffer> {
  const c = await onlineColumns(resolve, online, code, input, now);
  return renderOnlineFeaturesJson(c.featureNames, c.columns, c.views, c.entities);
}

/** `getOnlineFeatures` with each value as the JSON text the HTTP answer carries (for the CLI). */
export async function getOnlineFeaturesText(
  resolve: (input: FeatureSelectionInput) => Promise<ResolvedFeatures>, online: OnlineStore, code: OnDemandCode, input: GetOnlineFeaturesInput, now: () => number,
): Promise<OnlineFeaturesText> {
  const c = await onlineColumns(resolve, online, code, input, now);
  const n = c.entities;
  const tail = (view: number | null) => (view === null
    ? { statuses: new Array<FeatureStatus>(n).fill('PRESENT'), eventTimestamps: new Array<number | null>(n).fill(null) }
    : { statuses: c.views[view]!.statuses, eventTimestamps: c.views[view]!.eventTimestamps });
  return { featureNames: c.featureNames, types: c.types, results: c.columns.map((col) => ({ values: col.values, ...tail(col.view) })) };
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
