import type { CacheStatus, StepRun } from '../entities.js';
import { diffParts } from './cache-key.js';

/** Why a step run hit or missed the cache, as `cairn pipelines explain` prints it. */
export interface CacheExplanation {
  runId: string;
  stepId: string;
  status: CacheStatus | null;
  key: string | null;
  /** One sentence: the decision and its reason. */
  decision: string;
  /** The parts of the key that changed against `comparedWith` (empty on a hit). */
  changes: string[];
  comparedWith: { runId: string; stepRunId: string; endTime: number | null } | null;
  cachedFrom: string | null;
}

/**
 * Explains a step run's cache decision. `previous` is the latest earlier completed run of the same
 * step (by name) in the same pipeline, or anywhere when the pipeline never ran it before.
 */
export function explainStep(step: StepRun, previous: StepRun | null): CacheExplanation {
  const base = { runId: step.runId, stepId: step.stepId, status: step.cache.status, key: step.cache.key, cachedFrom: step.cache.cachedFrom };
  const compared = previous ? { runId: previous.runId, stepRunId: previous.stepRunId, endTime: previous.endTime } : null;
  if (step.cache.status === 'hit') {
    return { ...base, decision: `hit: reused the outputs of step run ${step.cache.cachedFrom}, which had the same cache key.`, changes: [], comparedWith: compared };
  }
  if (step.cache.status === 'off') {
    return { ...base, decision: `not looked up: ${step.cache.note ?? 'caching was off for this step'}.`, changes: [], comparedWith: compared };
  }
  if (step.cache.status === null) {
    return { ...base, decision: `not decided: the step did not get as far as a cache lookup (status ${step.status}).`, changes: [], comparedWith: compared };
  }
  if (!previous || !previous.cache.parts || !step.cache.parts) {
    return { ...base, decision: `miss: ${step.cache.note ?? `no earlier completed run of step '${step.stepName}' to reuse`}.`, changes: [], comparedWith: compared };
  }
  const changes = diffParts(step.cache.parts, previous.cache.parts);
  const why = changes.length
    ? `the key differs from the latest earlier run of '${step.stepName}' (run ${previous.runId}) in: ${changes.map((c) => c.split(':')[0]).join(', ')}`
    : step.cache.note ?? `the latest earlier run with this key could not be reused`;
  return { ...base, decision: `miss: ${why}.`, changes, comparedWith: compared };
}
