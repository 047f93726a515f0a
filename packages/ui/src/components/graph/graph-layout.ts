/** A graph to lay out: node ids and edges between them (only edges between known nodes are kept). */
export interface LayoutGraph {
  nodes: string[];
  edges: Array<[string, string]>;
  direction: 'RIGHT' | 'DOWN';
}

export interface LayoutRequest { id: number; graph: LayoutGraph }
export type LayoutResponse = { id: number; positions: Record<string, [number, number]> } | { id: number; error: string };

/** Every node is drawn at this size, so the layout needs no measuring of the DOM. */
export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 58;
/** Past this many nodes the fast layered layout replaces dagre's. */
export const BIG_GRAPH = 150;

export interface GraphInput {
  nodes: Array<{ id: string }>;
  edges: Array<{ from: string; to: string }>;
}

/** The graph the layout worker gets: ids only, edges between known nodes, no self-loops or repeats. */
export function layoutInput(input: GraphInput, direction: 'RIGHT' | 'DOWN' = 'RIGHT'): LayoutGraph {
  const ids = new Set(input.nodes.map((n) => n.id));
  const seen = new Set<string>();
  const edges: Array<[string, string]> = [];
  for (const e of input.edges) {
    const k = `${e.from}\u0000${e.to}`;
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to && !seen.has(k)) {
      seen.add(k);
      edges.push([e.from, e.to]);
    }
  }
  return { nodes: [...ids], edges, direction };
}

let worker: Promise<Worker> | null = null;
let nextId = 1;
const pending = new Map<number, { resolve(p: Record<string, [number, number]>): void; reject(e: Error): void }>();

/** Starts the layout worker (once per page); pages with a graph call it early, so it boots while their data loads. */
export function startLayoutWorker(): Promise<Worker> {
  worker ??= import('./layout-worker.js?worker').then(({ default: LayoutWorker }) => {
    const w = new LayoutWorker();
    w.onmessage = (event: MessageEvent<LayoutResponse>) => {
      const p = pending.get(event.data.id);
      if (!p) return;
      pending.delete(event.data.id);
      if ('error' in event.data) p.reject(new Error(`Laying out the graph failed: ${event.data.error}`));
      else p.resolve(event.data.positions);
    };
    return w;
  });
  return worker;
}

/** Positions (top-left corners) of every node, computed in a Web Worker. */
export async function layoutGraph(input: GraphInput, direction: 'RIGHT' | 'DOWN' = 'RIGHT'): Promise<Record<string, [number, number]>> {
  const w = await startLayoutWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, graph: layoutInput(input, direction) } satisfies LayoutRequest);
  });
}
