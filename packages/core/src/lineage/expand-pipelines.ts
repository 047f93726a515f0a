import type { Binding } from '../pipelines/entities.js';
import type { LineageExpansion, LineageLink } from './entities.js';
import { RUN_ID } from './expand-models.js';
import type { LineageContext } from './lineage-context.js';

// Pipelines in the graph: a run and its steps, steps feeding each other, and the tracking runs
// they recorded to.

export async function expandPipelineRun(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  if (!RUN_ID.test(key)) return null;
  const detail = await c.pipelineRun(key);
  if (!detail) return null;
  const { run, steps } = detail;
  const downstream: LineageLink[] = run.trackingRunId ? [{ kind: 'run', key: run.trackingRunId, relation: 'tracked by' }] : [];
  for (const s of steps) downstream.push({ kind: 'step', key: s.stepRunId, relation: 'ran' });
  return { label: `${run.pipelineName} ${key.slice(0, 8)}`, detail: `${run.stepCount} steps`, status: run.status, upstream: [], downstream };
}

export async function expandStep(c: LineageContext, key: string): Promise<LineageExpansion | null> {
  if (!RUN_ID.test(key)) return null;
  const runId = await c.d.store.pipelineRunOfStep(key);
  const detail = runId === null ? null : await c.pipelineRun(runId);
  const step = detail?.steps.find((s) => s.stepRunId === key);
  if (!detail || !step) return null;
  const byId = new Map(detail.steps.map((s) => [s.stepId, s]));
  const upstream: LineageLink[] = [{ kind: 'pipelineRun', key: detail.run.runId, relation: 'ran' }];
  for (const id of step.upstream) {
    const from = byId.get(id);
    if (from) upstream.push({ kind: 'step', key: from.stepRunId, relation: edgeName(step.bindings, id) });
  }
  const downstream: LineageLink[] = [];
  for (const s of detail.steps) if (s.upstream.includes(step.stepId)) downstream.push({ kind: 'step', key: s.stepRunId, relation: edgeName(s.bindings, step.stepId) });
  if (step.trackingRunId) downstream.push({ kind: 'run', key: step.trackingRunId, relation: 'tracked by' });
  return { label: step.stepId, detail: detail.run.pipelineName, status: step.status, parent: detail.run.runId, upstream, downstream };
}

/** The outputs of step `from` that a step's inputs are bound to, or `after` for an ordering-only dependency. */
function edgeName(bindings: Record<string, Binding>, from: string): string {
  const outputs = [...new Set(Object.values(bindings).flatMap((b) => (b.from === 'output' && b.step === from ? [b.output] : [])))];
  return outputs.length ? outputs.join(', ') : 'after';
}
