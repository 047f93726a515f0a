// Lays graphs out off the main thread: dagre's layered (Sugiyama-style) layout up to 150 nodes,
// the lighter layered layout past that (dagre takes hundreds of milliseconds on 500 nodes).
// Bundled by Vite as a worker of its own, so the layout code is never part of a page's JavaScript.
import dagre from '@dagrejs/dagre';
import { BIG_GRAPH, NODE_HEIGHT, NODE_WIDTH, type LayoutRequest, type LayoutResponse } from './graph-layout.js';
import { layeredLayout } from './layered-layout.js';

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const { id, graph } = event.data;
  try {
    if (graph.nodes.length > BIG_GRAPH) {
      self.postMessage({ id, positions: layeredLayout(graph.nodes, graph.edges, { width: NODE_WIDTH, height: NODE_HEIGHT, gapX: 60, gapY: 16 }) } satisfies LayoutResponse);
      return;
    }
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: graph.direction === 'DOWN' ? 'TB' : 'LR', nodesep: 16, ranksep: 70 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of graph.nodes) g.setNode(n, { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const [from, to] of graph.edges) g.setEdge(from, to);
    dagre.layout(g);
    const positions: Record<string, [number, number]> = {};
    // dagre gives centres; boxes are placed by their top-left corner.
    for (const n of graph.nodes) {
      const p = g.node(n);
      positions[n] = [p.x - NODE_WIDTH / 2, p.y - NODE_HEIGHT / 2];
    }
    self.postMessage({ id, positions } satisfies LayoutResponse);
  } catch (e) {
    self.postMessage({ id, error: (e as Error)?.message ?? String(e) } satisfies LayoutResponse);
  }
};
