// The lineage graph: one graph across the registry, tracking, the feature store and pipelines.
// Edges point downstream, from what was used to what was made of it.

export const LINEAGE_KINDS = [
  'alias', 'modelVersion', 'run', 'dataset', 'trainingSet', 'featureService', 'featureView', 'onDemandFeatureView', 'source', 'data', 'pipelineRun', 'step',
] as const;
export type LineageKind = (typeof LINEAGE_KINDS)[number];

/**
 * One object in the graph. `id` is `<kind>:<key>`; keys are: `model@alias` (alias), `model/3`
 * (modelVersion), run ids (run, pipelineRun), `name@digest` (dataset: a run input that is neither a
 * training set nor a pipeline artifact), dataset ids (trainingSet), names (feature objects), step
 * run ids (step), and for source data `file:<path>`, `table:<name>`, `query:<source>` or `push:<source>`.
 */
export interface LineageGraphNode {
  id: string;
  kind: LineageKind;
  key: string;
  label: string;
  /** A short second line: the experiment of a run, the rows of a training set, a view's TTL. */
  detail: string | null;
  status: string | null;
  /** The object this one belongs to, when its page needs it: a step's pipeline run id. */
  parent: string | null;
  /** Hops from the focus. */
  depth: number;
  /** It has neighbours the graph leaves out (past the depth, or past the size limit). */
  more: boolean;
}

export interface LineageGraphEdge {
  /** Upstream: what was used. */
  from: string;
  /** Downstream: what was made from it. */
  to: string;
  /** In words: `trained`, `registered as`, `points at`, `serves`, `reads`, the output name between steps. */
  relation: string;
}

export interface LineageGraph {
  focus: string;
  nodes: LineageGraphNode[];
  edges: LineageGraphEdge[];
  /** The size limit cut the graph short. */
  truncated: boolean;
}

export interface LineageQuery {
  /** 1..6 hops from the focus; default 3. */
  depth?: number;
  /** Follow edges both ways (default), or only towards inputs or outputs. */
  direction?: 'both' | 'upstream' | 'downstream';
  /** 1..2000 nodes; default 500. */
  maxNodes?: number;
}

/** A neighbour of a node, as an expander reports it. */
export interface LineageLink {
  kind: LineageKind;
  key: string;
  relation: string;
}

/** What the graph needs of one object: how to show it, and its neighbours both ways. */
export interface LineageExpansion {
  label: string;
  detail: string | null;
  status: string | null;
  parent?: string | null;
  upstream: LineageLink[];
  downstream: LineageLink[];
}
