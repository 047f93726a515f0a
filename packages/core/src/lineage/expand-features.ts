import type { FeatureServiceSpec, FeatureViewSpec, OnDemandFeatureViewSpec, SourceSpec, TrainingDataset } from '../features/entities.js';
import type { LineageExpansion, LineageLink } from './entities.js';
import { unlessMissing, type LineageContext } from './lineage-context.js';

// The feature store's side of the graph: source data → sources → feature views → services →
// training sets → the runs that trained on them.

/** The data a source reads, as a `data` node key and how to show it. */
export function dataOf(source: SourceSpec): { key: string; label: string; detail: string } {
  if (source.type === 'file') return { key: `file:${source.path}`, label: source.path, detail: source.format ? `${source.format} file` : 'data files' };
  if (source.type === 'postgres') {
    return source.table
      ? { key: `table:${source.table}`, label: source.table, detail: 'PostgreSQL table' }
      : { key: `query:${source.name}`, label: `query of ${source.name}`, detail: (source.query ?? '').replace(/\s+/g, ' ').slice(0, 80) };
  }
  return source.batchSource ? dataOf(source.batchSource) : { key: `push:${source.name}`, label: `rows pushed to ${source.name}`, detail: 'push source' };
}

const viewKind = (o: { kind: string }) => (o.kind === 'onDemandFeatureView' ? 'onDemandFeatureView' : 'featureView') as 'featureView' | 'onDemandFeatureView';

/** A readable duration: 14d, 2h, 90s. */
export function shortDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Views using a view's features: services serving them, on-demand views reading them, and training sets selected without a service. */
async function consumersOf(c: LineageContext, name: string): Promise<LineageLink[]> {
  const out: LineageLink[] = [];
  for (const o of await c.featureObjects('featureService')) if ((o.spec as FeatureServiceSpec).features.some((f) => f.view === name)) out.push({ kind: 'featureService', key: o.name, relation: 'served by' });
  for (const o of await c.featureObjects('onDemandFeatureView')) if ((o.spec as OnDemandFeatureViewSpec).inputs.some((f) => f.view === name)) out.push({ kind: 'onDemandFeatureView', key: o.name, relation: 'input of' });
  for (const d of await c.d.features.catalog.trainingSets(null, 200)) if (d.definitions.some((x) => x.name === name && x.kind !== 'featureService')) out.push({ kind: 'trainingSet', key: d.datasetId, relation: 'built' });
  return out;
}

export async function expandTrainingSet(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const d: TrainingDataset | null = await unlessMissing(() => c.d.features.catalog.trainingSet(key));
  if (!d) return null;
  const upstream: LineageLink[] = d.featureService
    ? [{ kind: 'featureService', key: d.featureService, relation: 'built' }]
    : d.definitions.filter((x) => x.kind === 'featureView' || x.kind === 'onDemandFeatureView').map((x) => ({ kind: viewKind(x), key: x.name, relation: 'built' }));
  return { label: d.name, detail: `${d.rowCount} rows, ${d.features.length} features`, status: null, upstream, downstream: d.runId ? [{ kind: 'run', key: d.runId, relation: 'trained' }] : [] };
}

export async function expandFeatureService(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const o = await c.featureObject('featureService', key);
  if (!o) return null;
  const spec = o.spec as FeatureServiceSpec;
  const upstream: LineageLink[] = [];
  for (const view of new Set(spec.features.map((f) => f.view))) {
    upstream.push({ kind: (await c.featureObject('onDemandFeatureView', view)) ? 'onDemandFeatureView' : 'featureView', key: view, relation: 'served by' });
  }
  const sets = await c.d.features.catalog.trainingSets(key, 50);
  return { label: key, detail: `${spec.features.length} features`, status: null, upstream, downstream: sets.map((s) => ({ kind: 'trainingSet', key: s.datasetId, relation: 'built' })) };
}

export async function expandFeatureView(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const o = await c.featureObject('featureView', key);
  if (!o) return null;
  const spec = o.spec as FeatureViewSpec;
  const ttl = spec.ttlMs === null ? 'no TTL' : `TTL ${shortDuration(spec.ttlMs)}`;
  return {
    label: key, detail: `${spec.features.length} features, ${ttl}${spec.online ? '' : ', offline only'}`, status: null,
    upstream: [{ kind: 'source', key: spec.source.name, relation: 'feeds' }], downstream: await consumersOf(c, key),
  };
}

export async function expandOnDemandView(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const o = await c.featureObject('onDemandFeatureView', key);
  if (!o) return null;
  const spec = o.spec as OnDemandFeatureViewSpec;
  return {
    label: key, detail: `on demand, ${spec.features.length} features`, status: null,
    upstream: [...new Set(spec.inputs.map((i) => i.view))].map((v) => ({ kind: 'featureView', key: v, relation: 'input of' })),
    downstream: await consumersOf(c, key),
  };
}

export async function expandSource(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const o = await c.featureObject('source', key);
  if (!o) return null;
  const spec = o.spec as SourceSpec;
  const views = (await c.featureObjects('featureView')).filter((v) => (v.spec as FeatureViewSpec).source.name === key);
  return {
    label: key, detail: `${spec.type} source`, status: null,
    upstream: [{ kind: 'data', key: dataOf(spec).key, relation: 'read by' }], downstream: views.map((v) => ({ kind: 'featureView', key: v.name, relation: 'feeds' })),
  };
}

/** Source data (a file, a table, a query, pushed rows): the sources that read it. */
export async function expandData(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const sources = (await c.featureObjects('source')).filter((s) => dataOf(s.spec as SourceSpec).key === key);
  if (!sources.length) return null;
  const { label, detail } = dataOf(sources[0]!.spec as SourceSpec);
  return { label, detail, status: null, upstream: [], downstream: sources.map((s) => ({ kind: 'source', key: s.name, relation: 'read by' })) };
}
