// Runs ELK's layered layout off the main thread: a 500-step DAG takes a few hundred milliseconds
// to lay out, which would otherwise freeze the page. Bundled by Vite as a worker of its own, so
// ELK (about 1.5 MB) is never part of a page's JavaScript.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './graph-layout.js';

const elk = new ELK();

self.onmessage = async (event: MessageEvent<LayoutRequest>) => {
  const { id, graph } = event.data;
  try {
    const out = await elk.layout(graph);
    const positions: Record<string, [number, number]> = {};
    for (const c of out.children ?? []) positions[c.id] = [c.x ?? 0, c.y ?? 0];
    self.postMessage({ id, positions } satisfies LayoutResponse);
  } catch (e) {
    self.postMessage({ id, error: (e as Error)?.message ?? String(e) } satisfies LayoutResponse);
  }
};
