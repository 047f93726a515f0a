import type { StepRun } from '@cairn/core';
import type { GraphEdge, GraphNode } from '../components/graph/graph-canvas.js';

/** Above this many steps a run's DAG is drawn by depth groups (click one to open it) instead of step by step. */
export const MAX_DRAWN_STEPS = 600;
/** A group opens in the graph only up to this many steps; bigger ones are browsed in the step list. */
export const MAX_OPEN_GROUP = 400;
/** At most this many groups: a long chain's depths are binned together. */
const MAX_GROUPS = 120;

/** Each step's depth: the longest chain of upstream steps before it (roots are 0). */
export function stepDepths(steps: StepRun[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const depth = new Map<string, number>();
  // Steps come in topological order (position), so one pass suffices; a missing upstream counts as a root.
  for (const s of [...steps].sort((a, b) => a.position - b.position)) {
    let d = 0;
    for (const u of s.upstream) if (byId.has(u)) d = Math.max(d, (depth.get(u) ?? 0) + 1);
    depth.set(s.stepId, d);
  }
  return depth;
}

/** The overall state of several steps: failed or running wins, then pending work, then done. */
export function groupStatus(statuses: string[]): string {
  for (const s of ['FAILED', 'RUNNING', 'RETRYING', 'QUEUED', 'CANCELLED', 'PENDING', 'SKIPPED']) if (statuses.includes(s)) return s;
  return statuses.length ? 'COMPLETED' : 'PENDING';
}

const edgeLabel = (s: StepRun, from: string) => [...new Set(Object.values(s.bindings).flatMap((b) => (b.from === 'output' && b.step === from ? [b.output] : [])))].join(', ');

export interface DagModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Groups of steps drawn as one box (empty when every step is drawn). */
  groups: Array<{ id: string; from: number; to: number; steps: string[] }>;
}

/**
 * What to draw for a run's steps. Up to MAX_DRAWN_STEPS every step is a box; past it, steps are
 * grouped by depth (consecutive depths binned so there are at most MAX_GROUPS boxes), each group
 * showing how many of its steps are in which state; the groups in `open` are drawn step by step.
 */
export function dagModel(steps: StepRun[], open: ReadonlySet<string> = new Set(), selected: string | null = null): DagModel {
  const draw = (s: StepRun): GraphNode => ({ id: s.stepId, kind: s.kind === 'command' ? 'command step' : 'step', label: s.stepId, status: s.status, detail: s.cache.status === 'hit' ? 'from cache' : s.attempt > 1 ? `attempt ${s.attempt}` : null, focus: s.stepId === selected });
  const stepEdges = (): GraphEdge[] => steps.flatMap((s) => s.upstream.map((u) => ({ from: u, to: s.stepId, label: edgeLabel(s, u) })));
  if (steps.length <= MAX_DRAWN_STEPS) return { nodes: steps.map(draw), edges: stepEdges(), groups: [] };

  const depths = stepDepths(steps);
  const maxDepth = Math.max(0, ...depths.values());
  const per = Math.ceil((maxDepth + 1) / MAX_GROUPS);
  const groups: DagModel['groups'] = [];
  const groupOf = new Map<string, string>();
  for (const s of steps) {
    const g = Math.floor(depths.get(s.stepId)! / per);
    const id = `group:${g}`;
    if (!groups[g]) groups[g] = { id, from: g * per, to: Math.min(maxDepth, g * per + per - 1), steps: [] };
    groups[g].steps.push(s.stepId);
    groupOf.set(s.stepId, id);
  }
  const dense = groups.filter(Boolean);
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const at = (stepId: string) => (open.has(groupOf.get(stepId)!) ? stepId : groupOf.get(stepId)!);
  const nodes: GraphNode[] = [];
  for (const g of dense) {
    if (open.has(g.id)) {
      for (const id of g.steps) nodes.push(draw(byId.get(id)!));
      continue;
    }
    const counts = new Map<string, number>();
    for (const id of g.steps) counts.set(byId.get(id)!.status, (counts.get(byId.get(id)!.status) ?? 0) + 1);
    nodes.push({
      id: g.id, kind: g.from === g.to ? `depth ${g.from}` : `depths ${g.from}–${g.to}`, label: `${g.steps.length} steps`, group: true,
      status: groupStatus([...counts.keys()]), detail: [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', '),
    });
  }
  const edges = new Map<string, GraphEdge>();
  for (const s of steps) {
    for (const u of s.upstream) {
      if (!byId.has(u)) continue;
      const from = at(u);
      const to = at(s.stepId);
      if (from !== to) edges.set(`${from}>${to}`, { from, to });
    }
  }
  return { nodes, edges: [...edges.values()], groups: dense };
}
