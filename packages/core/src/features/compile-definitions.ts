import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import type { DataSource, Definition, Entity, FeatureExpectations, FeatureSelection, FeatureView, OnDemandFeatureView } from './define.js';
import { definitionKind } from './define.js';
import type {
  ExpectationsSpec, FeatureRef, FeatureServiceSpec, FeatureViewSpec, Field, FileSourceSpec, ObjectKind, ObjectSpec,
  OnDemandFeatureViewSpec, SourceSpec,
} from './entities.js';
import { closestName } from '../util/closest-name.js';
import { checkDefinitions } from './definition-checks.js';
import { isValueType, parseDuration, VALUE_TYPES, type ValueType } from './value-types.js';

/** Names become SQL identifiers and Redis fields: letters, digits and underscores only. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(`${what} '${String(name)}' is not a valid name: use letters, digits and underscores, starting with a letter or underscore.`);
  }
  return name;
}

function fields(record: Record<string, ValueType> | undefined, what: string): Field[] {
  if (!record || typeof record !== 'object') throw invalid(`${what} must be an object of name: type.`);
  return Object.entries(record).map(([name, type]) => {
    checkName(name, `${what} field`);
    if (!isValueType(type)) {
      const guess = typeof type === 'string' ? closestName(type, VALUE_TYPES) : null;
      throw invalid(`${what} field '${name}' has unknown type '${String(type)}'.${guess ? ` Did you mean '${guess}'?` : ''} Use ${VALUE_TYPES.join(', ')}.`);
    }
    return { name, type };
  });
}

const described = (d: { description?: string; tags?: Record<string, string>; owner?: string }) => ({
  description: d.description ?? '',
  tags: { ...(d.tags ?? {}) },
  owner: d.owner ?? '',
});

function sourceSpec(s: DataSource): SourceSpec {
  const base = {
    kind: 'source' as const, name: checkName(s.name, 'Source'), ...described(s),
    timestampField: checkName(s.timestampField, `Source '${s.name}' timestampField`),
    createdTimestampField: s.createdTimestampField ? checkName(s.createdTimestampField, `Source '${s.name}' createdTimestampField`) : null,
  };
  if (s.type === 'file') return fileSpec(s, base);
  if (s.type === 'postgres') {
    if (!!s.table === !!s.query) throw invalid(`PostgreSQL source '${s.name}' needs exactly one of 'table' or 'query'.`);
    if (s.table && !TABLE.test(s.table)) throw invalid(`PostgreSQL source '${s.name}': table '${s.table}' must be 'name' or 'schema.name'.`);
    return { ...base, type: 'postgres', table: s.table ?? null, query: s.query ?? null };
  }
  return { ...base, type: 'push', batchSource: s.batchSource ? fileSpec(s.batchSource, { ...base, name: s.batchSource.name }) : null };
}

function fileSpec(s: { name: string; path: string; format?: 'csv' | 'parquet' }, base: Omit<FileSourceSpec, 'type' | 'path' | 'format'>): FileSourceSpec {
  if (typeof s.path !== 'string' || !s.path) throw invalid(`File source '${s.name}' needs a 'path'.`);
  if (s.format !== undefined && s.format !== 'csv' && s.format !== 'parquet') throw invalid(`File source '${s.name}': format must be 'csv' or 'parquet', not ${JSON.stringify(s.format)}.`);
  // Without a format or a known extension the path is taken as a folder, whose files tell the
  // format when it is read (they may change after apply).
  const format = s.format ?? (/\.csv$/i.test(s.path) ? 'csv' : /\.parquet$/i.test(s.path) ? 'parquet' : null);
  return { ...base, type: 'file', path: s.path, format };
}

function expectationsSpec(e: FeatureExpectations | undefined, view: string, features: Field[]): ExpectationsSpec | null {
  if (!e) return null;
  const out: ExpectationsSpec = { features: {}, freshnessMs: e.freshness === undefined ? null : parseDuration(e.freshness, `View '${view}' freshness`) };
  for (const [name, x] of Object.entries(e.features ?? {})) {
    if (!features.some((f) => f.name === name)) throw invalid(`View '${view}' has an expectation on unknown feature '${name}'.`);
    out.features[name] = { notNull: !!x.notNull, min: x.min ?? null, max: x.max ?? null, allowed: x.allowed ? [...x.allowed] : null };
  }
  return out;
}

function viewSpec(v: FeatureView, entities: Map<string, Entity>): FeatureViewSpec {
  const name = checkName(v.name, 'Feature view');
  if (!Array.isArray(v.entities) || !v.entities.length) throw invalid(`Feature view '${name}' needs at least one entity.`);
  const joinKeys: Field[] = [];
  for (const e of v.entities) {
    const known = entities.get(e.name);
    if (!known) throw invalid(`Feature view '${name}' uses entity '${e.name}', which is not defined.`);
    for (const k of fields(known.joinKeys, `Entity '${known.name}' joinKeys`)) {
      if (joinKeys.some((j) => j.name === k.name)) throw invalid(`Feature view '${name}': join key '${k.name}' appears in two of its entities.`);
      joinKeys.push(k);
    }
  }
  const features = fields(v.schema, `Feature view '${name}' schema`);
  if (!features.length) throw invalid(`Feature view '${name}' has no features in its schema.`);
  const source = sourceSpec(v.source);
  const reserved = new Set([...joinKeys.map((k) => k.name), source.timestampField, source.createdTimestampField]);
  for (const f of features) if (reserved.has(f.name)) throw invalid(`Feature view '${name}': '${f.name}' is a join key or timestamp column, not a feature.`);
  return {
    kind: 'featureView', name, ...described(v), entities: v.entities.map((e) => e.name), joinKeys, features, source,
    ttlMs: v.ttl === undefined || v.ttl === null ? null : parseDuration(v.ttl, `Feature view '${name}' ttl`),
    online: v.online ?? true, expectations: expectationsSpec(v.expectations, name, features),
  };
}

type Schemas = Map<string, { features: Field[] }>;

/** Expands selections into `{view, feature}` refs, checking that each exists. */
export function resolveSelections(selections: FeatureSelection[], schemas: Schemas, what: string): FeatureRef[] {
  const refs: FeatureRef[] = [];
  const add = (view: string, feature: string) => {
    const schema = schemas.get(view);
    if (!schema) throw invalid(`${what} uses view '${view}', which is not defined.`);
    if (!schema.features.some((f) => f.name === feature)) throw invalid(`${what} uses feature '${view}:${feature}', which view '${view}' does not have.`);
    if (!refs.some((r) => r.view === view && r.feature === feature)) refs.push({ view, feature });
  };
  for (const s of selections) {
    if (typeof s === 'string') {
      const [view, feature, extra] = s.split(':');
      if (!view || !feature || extra !== undefined) throw invalid(`${what}: '${s}' is not a feature reference. Write 'view:feature'.`);
      add(view, feature);
    } else if ('view' in s && !definitionKind(s)) {
      for (const f of s.features) add(s.view.name, f);
    } else {
      const v = s as FeatureView | OnDemandFeatureView;
      for (const f of schemas.get(v.name)?.features ?? [{ name: '' }]) add(v.name, f.name);
    }
  }
  return refs;
}

export interface CompiledDefinitions { specs: ObjectSpec[]; odfvs: Map<string, OnDemandFeatureView> }

/** Validates definitions (and the entities and sources they reference) and turns them into specs. */
export function compileDefinitions(definitions: Definition[]): CompiledDefinitions {
  checkDefinitions(definitions);
  const byKind = new Map<ObjectKind, Map<string, Definition>>();
  const put = (kind: ObjectKind, d: Definition) => {
    const map = byKind.get(kind) ?? new Map<string, Definition>();
    byKind.set(kind, map);
    const prev = map.get(d.name);
    if (prev && prev !== d && canonicalJson(prev) !== canonicalJson(d)) throw invalid(`Two different ${kind} definitions are named '${d.name}'. Names must be unique per kind.`);
    map.set(d.name, d);
  };
  for (const d of definitions) {
    const kind = definitionKind(d);
    if (!kind) continue;
    put(kind, d);
    if (kind === 'featureView') {
      for (const e of (d as FeatureView).entities ?? []) put('entity', e);
      put('source', (d as FeatureView).source);
    }
  }
  const entities = new Map([...(byKind.get('entity') ?? new Map()).values()].map((e: Entity) => [checkName(e.name, 'Entity'), e]));
  const specs: ObjectSpec[] = [];
  for (const e of entities.values()) {
    const joinKeys = fields(e.joinKeys, `Entity '${e.name}' joinKeys`);
    if (!joinKeys.length) throw invalid(`Entity '${e.name}' needs at least one join key.`);
    specs.push({ kind: 'entity', name: e.name, ...described(e), joinKeys });
  }
  for (const s of byKind.get('source')?.values() ?? []) specs.push(sourceSpec(s as DataSource));
  const schemas: Schemas = new Map();
  for (const v of byKind.get('featureView')?.values() ?? []) {
    const spec = viewSpec(v as FeatureView, entities);
    specs.push(spec);
    schemas.set(spec.name, spec);
  }
  const odfvs = new Map<string, OnDemandFeatureView>();
  for (const d of byKind.get('onDemandFeatureView')?.values() ?? []) {
    const o = d as OnDemandFeatureView;
    const name = checkName(o.name, 'On-demand feature view');
    if (schemas.has(name)) throw invalid(`'${name}' names both a feature view and an on-demand feature view.`);
    if (typeof o.compute !== 'function') throw invalid(`On-demand feature view '${name}' needs a compute function.`);
    const request = fields(o.sources?.request ?? {}, `On-demand feature view '${name}' request`);
    const inputs = resolveSelections(o.sources?.features ?? [], schemas, `On-demand feature view '${name}'`);
    const seen = new Set(request.map((r) => r.name));
    for (const i of inputs) {
      if (seen.has(i.feature)) throw invalid(`On-demand feature view '${name}': input name '${i.feature}' appears twice; its function reads inputs by bare name.`);
      seen.add(i.feature);
    }
    const spec: OnDemandFeatureViewSpec = {
      kind: 'onDemandFeatureView', name, ...described(o), request, inputs,
      features: fields(o.schema, `On-demand feature view '${name}' schema`), computeSource: o.compute.toString(),
    };
    specs.push(spec);
    odfvs.set(name, o);
  }
  for (const o of odfvs.keys()) schemas.set(o, specs.find((s) => s.kind === 'onDemandFeatureView' && s.name === o) as OnDemandFeatureViewSpec);
  for (const d of byKind.get('featureService')?.values() ?? []) {
    const name = checkName(d.name, 'Feature service');
    const svc = d as unknown as { features: FeatureSelection[] };
    const features = resolveSelections(svc.features ?? [], schemas, `Feature service '${name}'`);
    if (!features.length) throw invalid(`Feature service '${name}' serves no features.`);
    specs.push({ kind: 'featureService', name, ...described(d), features } satisfies FeatureServiceSpec);
  }
  return { specs, odfvs };
}

/** JSON with object keys sorted, so equal specs always serialise (and digest) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : typeof v === 'function' ? v.toString() : v,
  );
}

export function specDigest(spec: ObjectSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
