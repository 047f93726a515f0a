import type { DagNode } from '../dag.js';
import type { ArtifactRecord } from '../entities.js';
import type { StepProbe } from '../executors/executor.js';
import type { LineageStore } from '../sql/lineage-store.js';
import type { StepRunStore } from '../sql/step-run-store.js';

export interface BoundInputs {
  artifacts: Record<string, ArtifactRecord>;
  values: Record<string, unknown>;
  /** Input name → `step.output` for the artifact inputs. */
  sources: Record<string, string>;
  /** Set when an upstream step finished without the output this step reads. */
  missing: string | null;
}

/** Resolves a node's inputs: upstream outputs become artifacts, params and literals become values. */
export function bindInputs(node: DagNode, params: Record<string, unknown>, outputsOf: (stepId: string) => Record<string, ArtifactRecord> | null): BoundInputs {
  const artifacts: Record<string, ArtifactRecord> = {};
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [name, b] of Object.entries(node.bindings)) {
    if (b.from === 'param') values[name] = params[b.name];
    else if (b.from === 'value') values[name] = b.value;
    else {
      const rec = outputsOf(b.step)?.[b.output];
      if (!rec) return { artifacts, values, sources, missing: `step '${node.id}' input '${name}': step '${b.step}' finished without output '${b.output}'` };
      artifacts[name] = rec;
      sources[name] = `${b.step}.${b.output}`;
    }
  }
  return { artifacts, values, sources, missing: null };
}

/**
 * A dispatch's state as the metadata store has it (executors poll it to notice lost deliveries).
 * A takeover starts a new attempt under the same dispatch, so the dispatch token names it.
 */
export async function probeAttempt(steps: StepRunStore, lineage: LineageStore, stepRunId: string, dispatchToken: string): Promise<StepProbe> {
  const s = await steps.attemptState(stepRunId);
  if (!s || s.dispatchToken !== dispatchToken) return { state: 'finished', outcome: { status: 'CANCELLED' } };
  if (s.status === 'QUEUED' || s.status === 'PENDING') return { state: 'queued' };
  if (s.status === 'RUNNING') return { state: 'running', leaseTime: s.leaseTime };
  if (s.status === 'COMPLETED' || s.status === 'CACHED') {
    return { state: 'finished', outcome: { status: 'COMPLETED', outputs: (await lineage.outputsOf([stepRunId])).get(stepRunId) ?? {} } };
  }
  if (s.status === 'FAILED' || s.status === 'RETRYING') {
    const row = await steps.get(stepRunId);
    return { state: 'finished', outcome: { status: 'FAILED', error: row?.error ?? { message: 'failed', stack: null }, retrying: s.status === 'RETRYING' } };
  }
  return { state: 'finished', outcome: { status: 'CANCELLED' } };
}
