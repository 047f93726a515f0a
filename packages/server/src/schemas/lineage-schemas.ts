import { z } from 'zod';
import { LINEAGE_KINDS } from '@cairn/core';
import { queryInt, urlText } from './common.js';

export const lineageQuery = z.strictObject({
  kind: z.enum(LINEAGE_KINDS).describe('What the focus is: alias, modelVersion, run, dataset, trainingSet, featureService, featureView, onDemandFeatureView, source, data, pipelineRun or step.'),
  key: urlText.describe('Which one: `model@alias`, `model/3`, a run id, `name@digest`, a dataset id, a name, `file:<path>` (data), a step run id.'),
  depth: queryInt(1, 20).optional().describe('Hops to follow each way (default 8).'),
  direction: z.enum(['both', 'upstream', 'downstream']).optional().describe('Follow inputs, outputs, or both (default).'),
  maxNodes: queryInt(1, 2000).optional().describe('Stop adding nodes past this many (default 500); `truncated` says so.'),
});

const node = z.object({
  id: z.string(), kind: z.enum(LINEAGE_KINDS), key: z.string(), label: z.string(), detail: z.string().nullable(), status: z.string().nullable(), parent: z.string().nullable(), depth: z.number(), more: z.boolean(),
}).describe('LineageGraphNode');

const edge = z.object({ from: z.string(), to: z.string(), relation: z.string() }).describe('LineageGraphEdge');

export const lineageGraphBody = z.object({
  graph: z.object({ focus: z.string(), nodes: z.array(node), edges: z.array(edge), truncated: z.boolean() }).describe('LineageGraph'),
});
