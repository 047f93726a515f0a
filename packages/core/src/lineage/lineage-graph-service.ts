import { invalid, notFound } from '../errors.js';
import { LINEAGE_KINDS, type LineageGraphEdge, type LineageExpansion, type LineageGraph, type LineageKind, type LineageLink, type LineageGraphNode, type LineageQuery } from './entities.js';
import { expandData, expandFeatureService, expandFeatureView, expandOnDemandView, expandSource, expandTrainingSet } from './expand-features.js';
import { expandAlias, expandDataset, expandModelVersion, expandRun } from './expand-models.js';
import { expandPipelineRun, expandStep } from './expand-pipelines.js';
import { LineageContext, type LineageDeps } from './lineage-context.js';

const EXPANDERS: Record<LineageKind, (c: LineageContext, key: string) => Promise<LineageExpansion | null>> = {
  alias: expandAlias, modelVersion: expandModelVersion, run: expandRun, dataset: expandDataset, trainingSet: expandTrainingSet,
  featureService: expandFeatureService, featureView: expandFeatureView, onDemandFeatureView: expandOnDemandView, source: expandSource, data: expandData,
  pipelineRun: expandPipelineRun, step: expandStep,
};

const KIND_WORDS: Record<LineageKind, string> = {
  alias: 'Alias', modelVersion: 'Model version', run: 'Run', dataset: 'Dataset', trainingSet: 'Training set', featureService: 'Feature service',
  featureView: 'Feature view', onDemandFeatureView: 'On-demand feature view', source: 'Source', data: 'Source data', pipelineRun: 'Pipeline run', step: 'Pipeline step',
};

/** Nodes expanded at once: each is a few small queries, and a graph of hundreds should not wait on them one by one. */
const CONCURRENCY = 8;

export const nodeId = (kind: LineageKind, key: string): string => `${kind}:${key}`;

type Way = 'upstream' | 'downstream';
interface Visit { node: LineageGraphNode; expansion: LineageExpansion; ways: Way[] }

/**
 * One lineage graph around any object: a model alias or version, a run, a dataset, a training set,
 * a feature service, view or source, source data, a pipeline run or step. From the focus it follows
 * inputs upstream and outputs downstream, each way on its own (an input's other outputs are not
 * drawn), so `churn@champion` reaches the raw files its training set was built from.
 *
 * @example
 * ```ts
 * const g = await platform.lineage.around('alias', 'churn@champion', { depth: 8, direction: 'upstream' });
 * const files = g.nodes.filter((n) => n.kind === 'data').map((n) => n.label);
 * ```
 */
export class LineageGraphService {
  constructor(private readonly deps: LineageDeps) {}

  async around(kind: LineageKind, key: string, q: LineageQuery = {}): Promise<LineageGraph> {
    if (!LINEAGE_KINDS.includes(kind)) throw invalid(`Unknown lineage kind '${String(kind).slice(0, 40)}': use one of ${LINEAGE_KINDS.join(', ')}.`);
    if (typeof key !== 'string' || key === '' || key.length > 2000 || key.includes('\u0000')) throw invalid(`Give the key of the ${KIND_WORDS[kind].toLowerCase()} (at most 2000 characters).`);
    const depth = q.depth ?? 8;
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > 20) throw invalid(`'depth' must be a whole number from 1 to 20.`);
    const maxNodes = q.maxNodes ?? 500;
    if (!Number.isSafeInteger(maxNodes) || maxNodes < 1 || maxNodes > 2000) throw invalid(`'maxNodes' must be a whole number from 1 to 2000.`);
    const direction = q.direction ?? 'both';
    if (!['both', 'upstream', 'downstream'].includes(direction)) throw invalid(`'direction' must be both, upstream or downstream.`);

    const c = new LineageContext(this.deps);
    const focusExpansion = await EXPANDERS[kind](c, key);
    if (!focusExpansion) throw notFound(`${KIND_WORDS[kind]} '${key.slice(0, 200)}'`);
    const focus = nodeId(kind, key);
    const visits = new Map<string, Visit>();
    visits.set(focus, { node: toNode(kind, key, focusExpansion, 0), expansion: focusExpansion, ways: direction === 'both' ? ['upstream', 'downstream'] : [direction] });
    let truncated = false;
    let frontier = [focus];
    for (let level = 1; level <= depth && frontier.length && !truncated; level++) {
      // Each node is followed only the way it was reached: upstream of an input, downstream of an output.
      const wanted: Array<{ link: LineageLink; way: Way }> = [];
      const queued = new Set<string>();
      for (const id of frontier) {
        const v = visits.get(id)!;
        for (const way of v.ways) {
          for (const link of v.expansion[way]) {
            const target = nodeId(link.kind, link.key);
            if (visits.has(target) || queued.has(target)) {
              const known = visits.get(target);
              if (known && !known.ways.includes(way) && known.node.depth === level) known.ways.push(way);
              continue;
            }
            if (visits.size + queued.size >= maxNodes) {
              truncated = true;
              break;
            }
            queued.add(target);
            wanted.push({ link, way });
          }
        }
      }
      const expanded = await mapLimit(wanted, CONCURRENCY, async ({ link }) => EXPANDERS[link.kind](c, link.key));
      frontier = [];
      wanted.forEach(({ link, way }, i) => {
        const e = expanded[i];
        if (!e) return; // a dangling reference (a deleted run): nothing to draw
        const id = nodeId(link.kind, link.key);
        visits.set(id, { node: toNode(link.kind, link.key, e, level), expansion: e, ways: [way] });
        frontier.push(id);
      });
    }
    return { focus, ...connect(visits), truncated };
  }
}

function toNode(kind: LineageKind, key: string, e: LineageExpansion, depth: number): LineageGraphNode {
  return { id: nodeId(kind, key), kind, key, label: e.label, detail: e.detail, status: e.status, parent: e.parent ?? null, depth, more: false };
}

/** Every edge between nodes in the graph, once; a node with links the graph leaves out is marked `more`. */
function connect(visits: Map<string, Visit>): { nodes: LineageGraphNode[]; edges: LineageGraphEdge[] } {
  const edges = new Map<string, LineageGraphEdge>();
  for (const [id, v] of visits) {
    for (const way of ['upstream', 'downstream'] as const) {
      for (const link of v.expansion[way]) {
        const other = nodeId(link.kind, link.key);
        if (!visits.has(other)) {
          if (v.ways.includes(way)) v.node.more = true;
          continue;
        }
        const edge = way === 'upstream' ? { from: other, to: id, relation: link.relation } : { from: id, to: other, relation: link.relation };
        edges.set(`${edge.from}\u0000${edge.to}`, edge);
      }
    }
  }
  return { nodes: [...visits.values()].map((v) => v.node), edges: [...edges.values()] };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}
