import { parseModelRef } from '../registry/model-uri.js';
import type { LineageExpansion, LineageLink } from './entities.js';
import { unlessMissing, type LineageContext } from './lineage-context.js';

// The registry and tracking side of the graph: aliases, versions, runs and the datasets runs read.

export const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `model@alias`: points at one version. */
export async function expandAlias(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const at = key.lastIndexOf('@');
  if (at <= 0) return null;
  const v = await unlessMissing(() => c.d.registry.aliases.get(key.slice(0, at), key.slice(at + 1)));
  if (!v) return null;
  return { label: `${v.name}@${key.slice(at + 1)}`, detail: `version ${v.version}`, status: null, upstream: [{ kind: 'modelVersion', key: `${v.name}/${v.version}`, relation: 'alias' }], downstream: [] };
}

/** `model/3`: registered from a run (or copied from another version); aliases point at it. */
export async function expandModelVersion(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const slash = key.indexOf('/');
  if (slash <= 0) return null;
  const v = await unlessMissing(() => c.d.registry.versions.get(key.slice(0, slash), key.slice(slash + 1)));
  if (!v) return null;
  const upstream: LineageLink[] = [];
  if (v.runId) upstream.push({ kind: 'run', key: v.runId, relation: 'registered as' });
  if (/^models:/i.test(v.source)) {
    const ref = (() => { try { return parseModelRef(v.source); } catch { return null; } })();
    if (ref?.kind === 'version') upstream.push({ kind: 'modelVersion', key: `${ref.name}/${ref.version}`, relation: 'copied to' });
  }
  return {
    label: `${v.name} v${v.version}`, detail: `${v.format}${v.unsafe ? ' (unsafe to load)' : ''}`, status: v.status, upstream,
    downstream: v.aliases.map((a) => ({ kind: 'alias', key: `${v.name}@${a}`, relation: 'alias' })),
  };
}

interface TrainingSetInputSource { datasetId?: unknown }

/** A tracking run: what it read (training sets, datasets), what ran it (a pipeline or one of its steps), what it registered. */
export async function expandRun(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  if (!RUN_ID.test(key)) return null;
  const run = await unlessMissing(() => c.d.runs.get(key));
  if (!run) return null;
  const upstream: LineageLink[] = [];
  const sets = new Set((await c.d.features.catalog.trainingSetsOfRun(key)).map((d) => d.datasetId));
  for (const input of run.inputs) {
    const ds = input.dataset;
    if (ds.sourceType === 'cairn-pipeline-artifact') continue; // drawn as the edge between the steps
    if (ds.sourceType === 'cairn-training-set') {
      const id = (() => { try { return (JSON.parse(ds.source) as TrainingSetInputSource).datasetId; } catch { return undefined; } })();
      if (typeof id === 'string') sets.add(id);
      continue;
    }
    upstream.push({ kind: 'dataset', key: `${ds.name}@${ds.digest}`, relation: input.tags['mlflow.data.context'] ?? 'input of' });
  }
  for (const id of sets) upstream.push({ kind: 'trainingSet', key: id, relation: 'trained' });
  for (const s of await c.d.store.stepsTrackedBy(key)) upstream.push({ kind: 'step', key: s.stepRunId, relation: 'tracked by' });
  for (const p of await c.d.store.pipelineRunsTrackedBy(key)) upstream.push({ kind: 'pipelineRun', key: p, relation: 'tracked by' });
  const versions = await c.d.registry.versions.search({ filter: `run_id = '${key}'`, maxResults: 100 });
  return {
    label: run.info.runName || key.slice(0, 8), detail: await c.experimentName(run.info.experimentId), status: run.info.status, upstream,
    downstream: versions.items.map((v) => ({ kind: 'modelVersion', key: `${v.name}/${v.version}`, relation: 'registered as' })),
  };
}

/** `name@digest`: a dataset some runs logged as an input (not a training set, not a pipeline artifact). */
export async function expandDataset(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  const at = key.lastIndexOf('@');
  if (at <= 0) return null;
  const [name, digest] = [key.slice(0, at), key.slice(at + 1)];
  const runs = await c.d.store.runsWithInput(name, digest, 100);
  if (!runs.length) return null;
  return { label: name, detail: `digest ${digest.slice(0, 12)}`, status: null, upstream: [], downstream: runs.map((r) => ({ kind: 'run', key: r, relation: 'input of' })) };
}
