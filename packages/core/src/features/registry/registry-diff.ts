import { canonicalJson } from '../compile-definitions.js';
import type {
  BreakingChange, FeatureServiceSpec, Field, ObjectChange, ObjectSpec, OnDemandFeatureViewSpec, FeatureViewSpec, StoredObject,
} from '../entities.js';

const key = (s: { kind: string; name: string }) => `${s.kind}:${s.name}`;

function fieldDiff(label: string, before: Field[], after: Field[]): string[] {
  const out: string[] = [];
  for (const a of after) {
    const b = before.find((f) => f.name === a.name);
    if (!b) out.push(`${label} ${a.name} added (${a.type})`);
    else if (b.type !== a.type) out.push(`${label} ${a.name}: ${b.type} -> ${a.type}`);
  }
  for (const b of before) if (!after.some((f) => f.name === b.name)) out.push(`${label} ${b.name} removed`);
  return out;
}

/** Readable differences between two versions of one object. */
export function describeChange(before: ObjectSpec, after: ObjectSpec): string[] {
  const details: string[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  if (after.kind === 'featureView' || after.kind === 'onDemandFeatureView') {
    details.push(...fieldDiff('feature', (before as FeatureViewSpec).features, after.features));
  }
  if (after.kind === 'featureView') details.push(...fieldDiff('join key', (before as FeatureViewSpec).joinKeys, after.joinKeys));
  if (after.kind === 'featureService') {
    const was = new Set((before as FeatureServiceSpec).features.map((r) => `${r.view}:${r.feature}`));
    const now = new Set(after.features.map((r) => `${r.view}:${r.feature}`));
    for (const r of now) if (!was.has(r)) details.push(`serves ${r}`);
    for (const r of was) if (!now.has(r)) details.push(`no longer serves ${r}`);
  }
  const handled = new Set(['features', 'joinKeys', 'kind', 'name']);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (handled.has(k) || canonicalJson(a[k]) === canonicalJson(b[k])) continue;
    details.push(k === 'computeSource' ? 'compute function changed' : `${k}: ${short(b[k])} -> ${short(a[k])}`);
  }
  return details;
}

const short = (v: unknown) => {
  const s = canonicalJson(v) ?? 'none';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** Added, changed and removed objects between what is stored and the new specs. */
export function diffObjects(current: StoredObject[], next: Array<{ spec: ObjectSpec; digest: string }>): ObjectChange[] {
  const stored = new Map(current.map((o) => [key(o), o]));
  const changes: ObjectChange[] = [];
  for (const n of next) {
    const prev = stored.get(key(n.spec));
    if (!prev) changes.push({ kind: n.spec.kind, name: n.spec.name, change: 'added', details: [], fromVersion: null });
    else if (prev.digest !== n.digest) changes.push({ kind: n.spec.kind, name: n.spec.name, change: 'changed', details: describeChange(prev.spec, n.spec), fromVersion: prev.version });
  }
  const nextKeys = new Set(next.map((n) => key(n.spec)));
  for (const o of current) if (!nextKeys.has(key(o))) changes.push({ kind: o.kind, name: o.name, change: 'removed', details: [], fromVersion: o.version });
  return changes;
}

type Consumers = (service: string) => Promise<{ runs: string[]; models: Array<{ name: string; version: string }> }>;

/**
 * Features that stored feature services serve and that the new specs remove or retype. Consumers
 * trained on the old definitions (runs and models) would read something else, so these break them.
 */
export async function findBreakingChanges(current: StoredObject[], next: ObjectSpec[], consumers: Consumers): Promise<BreakingChange[]> {
  const typeIn = (specs: Array<ObjectSpec>, view: string, feature: string) => {
    const v = specs.find((s) => (s.kind === 'featureView' || s.kind === 'onDemandFeatureView') && s.name === view) as FeatureViewSpec | OnDemandFeatureViewSpec | undefined;
    return v ? (v.features.find((f) => f.name === feature)?.type ?? null) : null;
  };
  const currentSpecs = current.map((o) => o.spec);
  const out: BreakingChange[] = [];
  for (const svc of currentSpecs.filter((s): s is FeatureServiceSpec => s.kind === 'featureService')) {
    const nextSvc = next.find((s) => s.kind === 'featureService' && s.name === svc.name) as FeatureServiceSpec | undefined;
    const found: Array<{ feature: string; reason: string }> = [];
    for (const ref of svc.features) {
      const name = `${ref.view}:${ref.feature}`;
      const before = typeIn(currentSpecs, ref.view, ref.feature);
      const after = typeIn(next, ref.view, ref.feature);
      if (!nextSvc) found.push({ feature: name, reason: `feature service '${svc.name}' is removed` });
      else if (after === null) found.push({ feature: name, reason: `feature removed from '${ref.view}'` });
      else if (!nextSvc.features.some((r) => r.view === ref.view && r.feature === ref.feature)) found.push({ feature: name, reason: `no longer served by '${svc.name}'` });
      else if (before !== null && before !== after) found.push({ feature: name, reason: `retyped ${before} -> ${after}` });
    }
    if (!found.length) continue;
    const { runs, models } = await consumers(svc.name);
    for (const f of found) out.push({ service: svc.name, ...f, runs, models });
  }
  return out;
}
