import type { LineageGraph } from '@cairn/core';

/**
 * The nodes and edges on any path from `start` upstream to source data (`data` nodes): for an
 * alias, the chain version → run → training set → … → the files it was built from.
 */
export function pathToSources(graph: Pick<LineageGraph, 'nodes' | 'edges'>, start: string): { nodes: Set<string>; edges: Set<string> } {
  const kind = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const into = new Map<string, string[]>();
  for (const e of graph.edges) into.set(e.to, [...(into.get(e.to) ?? []), e.from]);
  // Which nodes reach a data node going upstream (memoized depth-first; the graph has no cycles, and a seen set guards anyway).
  const reaches = new Map<string, boolean>();
  const visit = (id: string, seen: Set<string>): boolean => {
    const known = reaches.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return false;
    seen.add(id);
    let ok = kind.get(id) === 'data';
    for (const up of into.get(id) ?? []) if (visit(up, seen)) ok = true;
    reaches.set(id, ok);
    return ok;
  };
  const nodes = new Set<string>();
  const edges = new Set<string>();
  if (!visit(start, new Set())) return { nodes, edges };
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (nodes.has(id)) continue;
    nodes.add(id);
    for (const up of into.get(id) ?? []) {
      if (!reaches.get(up)) continue;
      edges.add(`${up}>${id}`);
      stack.push(up);
    }
  }
  return { nodes, edges };
}

/** The page of a lineage node's object in the UI (null when it has none). */
export function lineageNodePath(n: { kind: string; key: string; parent?: string | null }): string | null {
  const e = encodeURIComponent;
  switch (n.kind) {
    case 'alias': {
      const at = n.key.lastIndexOf('@');
      return `/models/${e(n.key.slice(0, at))}?tab=aliases&alias=${e(n.key.slice(at + 1))}`;
    }
    case 'modelVersion': {
      const slash = n.key.indexOf('/');
      return `/models/${e(n.key.slice(0, slash))}/versions/${e(n.key.slice(slash + 1))}`;
    }
    case 'run': return `/runs/${e(n.key)}`;
    case 'trainingSet': return `/features/training-sets/${e(n.key)}`;
    case 'featureService': return `/features/services/${e(n.key)}`;
    case 'featureView':
    case 'onDemandFeatureView': return `/features/views/${e(n.key)}`;
    case 'source': return `/features/sources/${e(n.key)}`;
    case 'data': return `/features/data?key=${e(n.key)}`;
    case 'pipelineRun': return `/pipelines/runs/${e(n.key)}`;
    case 'step': return n.parent ? `/pipelines/runs/${e(n.parent)}?step=${e(n.key)}` : null;
    default: return null;
  }
}
