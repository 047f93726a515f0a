import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import type { LineageKind } from '@cairn/core';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { GraphCanvas, type GraphEdge, type GraphNode } from '../components/graph/graph-canvas.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { useLineage } from './lineage-queries.js';
import { lineageNodePath, pathToSources } from './lineage-path.js';

const KIND_WORDS: Record<LineageKind, string> = {
  alias: 'alias', modelVersion: 'model version', run: 'run', dataset: 'dataset', trainingSet: 'training set', featureService: 'feature service',
  featureView: 'feature view', onDemandFeatureView: 'on-demand view', source: 'source', data: 'source data', pipelineRun: 'pipeline run', step: 'pipeline step',
};
const DIRECTIONS = ['both', 'upstream', 'downstream'] as const;

/**
 * One lineage graph around any object: its inputs upstream and what was made from it downstream,
 * to a chosen depth; a click opens the object's page. From an alias or a version, the path down to
 * the source data it was built from is highlighted.
 */
export function LineagePage() {
  const [kindParam] = useParam('kind');
  const [key] = useParam('key');
  const [depthParam, setDepth] = useParam('depth');
  const [dirParam, setDir] = useParam('direction');
  const kind = kindParam !== null && Object.hasOwn(KIND_WORDS, kindParam) ? (kindParam as LineageKind) : null;
  const depth = Math.min(20, Math.max(1, Number(depthParam) || 8));
  const direction = (DIRECTIONS as readonly string[]).includes(dirParam ?? '') ? (dirParam as (typeof DIRECTIONS)[number]) : 'both';
  const graph = useLineage(kind, key, { depth, direction });
  const navigate = useNavigate();
  const g = graph.data;
  const highlight = useMemo(() => (g && (kind === 'alias' || kind === 'modelVersion') ? pathToSources(g, g.focus) : null), [g, kind]);
  const nodes = useMemo<GraphNode[]>(() => (g?.nodes ?? []).map((n) => ({
    id: n.id, kind: KIND_WORDS[n.kind], label: n.label, detail: n.more ? `${n.detail ?? ''}${n.detail ? ' · ' : ''}more beyond` : n.detail, status: n.status,
    focus: n.id === g!.focus, highlighted: highlight?.nodes.has(n.id) ?? false, dimmed: highlight !== null && highlight.nodes.size > 0 && !highlight.nodes.has(n.id),
  })), [g, highlight]);
  const edges = useMemo<GraphEdge[]>(() => (g?.edges ?? []).map((e) => ({ from: e.from, to: e.to, label: e.relation, highlighted: highlight?.edges.has(`${e.from}>${e.to}`) ?? false })), [g, highlight]);
  if (!kind || !key) {
    return (
      <div className="page">
        <h1>Lineage</h1>
        <EmptyState title="Choose an object">
          <p>Open the lineage of a model alias or version, a run, a training set, a feature view or source, or a pipeline run from its page (the <em>Lineage</em> link).</p>
          <p>For example <Link to="/models">a model</Link> → an alias → lineage.</p>
        </EmptyState>
      </div>
    );
  }
  const focus = g?.nodes.find((n) => n.id === g.focus);
  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>Lineage of {KIND_WORDS[kind]} {focus?.label ?? key}</h1>
          {highlight && highlight.nodes.size > 0 && <p className="muted small">Highlighted: the path from {focus?.label} to the source data it was built from.</p>}
        </div>
        <div className="toolbar">
          <label>Depth <select aria-label="Depth" value={depth} onChange={(e) => setDepth(e.target.value)}>{Array.from({ length: 12 }, (_, i) => i + 1).map((d) => <option key={d} value={d}>{d}</option>)}</select></label>
          <label>Follow <select aria-label="Direction" value={direction} onChange={(e) => setDir(e.target.value === 'both' ? null : e.target.value)}>
            <option value="both">inputs and outputs</option><option value="upstream">inputs only</option><option value="downstream">outputs only</option>
          </select></label>
          {focus && lineageNodePath(focus) && <Link to={lineageNodePath(focus)!}>Open {KIND_WORDS[kind]}</Link>}
        </div>
      </div>
      {graph.error ? <ErrorPanel error={graph.error} onRetry={() => graph.refetch()} /> : !g ? <Skeleton rows={8} label="Loading lineage" /> : (
        <>
          {g.truncated && <p className="warn">The graph was cut at {g.nodes.length} objects; lower the depth or follow one direction.</p>}
          <GraphCanvas
            label="Lineage graph"
            nodes={nodes}
            edges={edges}
            height={620}
            onOpen={(id) => {
              const n = g.nodes.find((x) => x.id === id);
              const path = n && lineageNodePath(n);
              if (path) navigate(path);
            }}
          />
          <p className="muted small">{g.nodes.length} objects, {g.edges.length} links. Click a box to open it; its page links back here.</p>
        </>
      )}
    </div>
  );
}
