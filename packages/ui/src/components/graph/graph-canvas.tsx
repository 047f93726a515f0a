import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './graph.css';
import { memo, useEffect, useMemo, useState } from 'react';
import { ErrorPanel } from '../error-panel.js';
import { Skeleton } from '../skeleton.js';
import { BIG_GRAPH, layoutGraph, NODE_HEIGHT, NODE_WIDTH, startLayoutWorker } from './graph-layout.js';

/** One box of a drawn graph. Every string is shown as text, never as HTML. */
export interface GraphNode {
  id: string;
  /** A small word above the label: `step`, `feature view`. */
  kind: string;
  label: string;
  detail?: string | null;
  status?: string | null;
  /** The focus of the graph, drawn heavier. */
  focus?: boolean;
  highlighted?: boolean;
  dimmed?: boolean;
  /** Marks a node standing for several (a collapsed group). */
  group?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  highlighted?: boolean;
}

type BoxData = GraphNode & Record<string, unknown>;

const Box = memo(function Box({ data }: NodeProps<Node<BoxData>>) {
  const cls = ['graph-node', data.focus && 'focus', data.highlighted && 'highlighted', data.dimmed && 'dimmed', data.group && 'group', data.status && `st-${data.status.toLowerCase()}`]
    .filter(Boolean).join(' ');
  return (
    <div className={cls} data-node-id={data.id} data-status={data.status ?? undefined} title={data.label}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="graph-node-kind">{data.kind}{data.status ? <span className="graph-node-status"> · {data.status}</span> : null}</div>
      <div className="graph-node-label">{data.label}</div>
      {data.detail ? <div className="graph-node-detail">{data.detail}</div> : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const NODE_TYPES = { box: Box };

// The layout worker boots while the page's data loads.
void startLayoutWorker();

/**
 * A graph laid out in a Web Worker (dagre, or a lighter layered layout past 150 nodes) and drawn by React Flow: pan, zoom, a minimap, and a
 * click on a box calls `onOpen`. Only boxes in view are rendered, so hundreds stay smooth. The
 * layout is computed once per set of nodes and edges; status and highlight changes only repaint.
 */
export function GraphCanvas({ nodes, edges, onOpen, label, height = 560 }: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  onOpen?: (id: string) => void;
  label: string;
  height?: number;
}) {
  const shape = useMemo(() => JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.from, e.to])]), [nodes, edges]);
  const [layout, setLayout] = useState<{ shape: string; positions: Record<string, [number, number]> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    // Timed for the benchmarks (performance.getEntriesByName('cairn:graph-layout')).
    const started = performance.now();
    layoutGraph({ nodes, edges }).then((positions) => {
      performance.measure('cairn:graph-layout', { start: started, end: performance.now(), detail: { nodes: nodes.length } });
      if (live) setLayout({ shape, positions });
    }, (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
    // Laid out again only when the shape changes (nodes and edges are rebuilt on every poll).
  }, [shape]);

  const flowNodes = useMemo<Node<BoxData>[]>(() => {
    const positions = layout?.positions ?? {};
    return nodes.map((n) => ({
      id: n.id, type: 'box', data: n as BoxData, position: { x: positions[n.id]?.[0] ?? 0, y: positions[n.id]?.[1] ?? 0 },
      width: NODE_WIDTH, height: NODE_HEIGHT, draggable: false, connectable: false,
    }));
  }, [nodes, layout]);
  const flowEdges = useMemo<Edge[]>(() => edges.map((e, i) => ({
    id: `${i}:${e.from}>${e.to}`, source: e.from, target: e.to, label: nodes.length <= 80 ? e.label : undefined,
    className: e.highlighted ? 'highlighted' : undefined, animated: false,
  })), [edges, nodes.length]);

  if (error) return <ErrorPanel error={error} />;
  const ready = layout !== null && layout.shape === shape;
  return (
    <figure className="graph" style={{ height }} aria-label={label} data-nodes={nodes.length} data-ready={ready ? 'true' : 'false'}>
      {!ready && <div className="graph-wait"><Skeleton rows={4} label="Laying out the graph" /></div>}
      {ready && (
        <ReactFlow
          nodes={flowNodes}
          edges={flowEdges}
          nodeTypes={NODE_TYPES}
          onNodeClick={(_, node) => onOpen?.(node.id)}
          onlyRenderVisibleElements
          nodesDraggable={false}
          nodesConnectable={false}
          // A big graph opens readable at its inputs (only the boxes in view are drawn); a small one fits.
          fitView={nodes.length <= BIG_GRAPH}
          fitViewOptions={{ padding: 0.1, maxZoom: 1.2 }}
          defaultViewport={{ x: 16, y: 16, zoom: 0.75 }}
          minZoom={0.05}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
          {nodes.length > 30 && <MiniMap pannable zoomable />}
        </ReactFlow>
      )}
    </figure>
  );
}
