import type { FeatureServiceSpec, FeatureViewSpec, Field, OnDemandFeatureViewSpec, StoredObject } from '@cairn/core';

/**
 * The fields an entity row of an online lookup needs: the join keys of the views a service (or a
 * view) reads, and the request fields of its on-demand views, each once.
 */
export function lookupFields(target: { kind: 'featureService' | 'featureView' | 'onDemandFeatureView'; name: string }, objects: StoredObject[]): Field[] {
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.name === name);
  const fields: Field[] = [];
  const add = (f: Field) => { if (!fields.some((x) => x.name === f.name)) fields.push(f); };
  const visit = (name: string) => {
    const view = find('featureView', name);
    if (view) return (view.spec as FeatureViewSpec).joinKeys.forEach(add);
    const od = find('onDemandFeatureView', name);
    if (!od) return;
    const spec = od.spec as OnDemandFeatureViewSpec;
    spec.inputs.forEach((i) => visit(i.view));
    spec.request.forEach(add);
  };
  if (target.kind === 'featureService') {
    const s = find('featureService', target.name);
    for (const v of new Set(((s?.spec as FeatureServiceSpec | undefined)?.features ?? []).map((f) => f.view))) visit(v);
  } else visit(target.name);
  return fields;
}

/** A typed value from what a person typed in a field of this type (blank is null). */
export function typedValue(text: string, type: string): string | number | boolean | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^(int|float|double)/.test(type) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) {
    const n = Number(t);
    // int64 beyond 2^53 stays text: the server parses its exact digits.
    return Number.isSafeInteger(n) || !/^int/.test(type) ? n : t;
  }
  if (type === 'bool') return t === 'true' ? true : t === 'false' ? false : t;
  return t;
}
