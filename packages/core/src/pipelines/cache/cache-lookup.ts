import type { ArtifactRecord, CacheParts } from '../entities.js';
import type { ArtifactObjects } from '../materializers/artifact-objects.js';
import { canonicalJson } from '../materializers/json-check.js';
import { materializerForKind } from '../materializers/registry.js';
import type { CacheDecision, StepRunStore } from '../sql/step-run-store.js';
import type { StepDefinition } from '../step-definition.js';
import { cacheKey, codeHash } from './cache-key.js';

export interface CacheQuery {
  def: StepDefinition;
  /** Artifact inputs by input name. */
  artifacts: Record<string, ArtifactRecord>;
  /** Parameter and literal inputs by input name. */
  values: Record<string, unknown>;
  /** Why caching is off for this run, or null. */
  disabledBecause: string | null;
  /** Look up earlier results (false on retries: a retry re-runs). */
  lookup: boolean;
}

export interface CacheResult {
  decision: CacheDecision;
  hit: { stepRunId: string; trackingRunId: string | null; outputs: Record<string, ArtifactRecord> } | null;
}

const codeHashes = new WeakMap<StepDefinition, string>();

/** The key parts of a step about to run. */
export function keyParts(def: StepDefinition, artifacts: Record<string, ArtifactRecord>, values: Record<string, unknown>, projectDir: string): CacheParts {
  let code = codeHashes.get(def);
  if (code === undefined) codeHashes.set(def, (code = codeHash(def, projectDir)));
  const materializers: Record<string, string> = {};
  for (const [name, a] of Object.entries(artifacts)) materializers[name] = a.materializer;
  for (const [name, kind] of Object.entries(def.outputKinds ?? {})) materializers[`output:${name}`] = materializerForKind(kind).id;
  return {
    step: def.name,
    code,
    version: def.version,
    params: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, canonicalJson(v)])),
    inputs: Object.fromEntries(Object.entries(artifacts).map(([k, a]) => [k, a.digest])),
    materializers,
  };
}

/**
 * Decides whether a step can reuse an earlier result: same key (code, version, params, input
 * digests, materializers) and every output artifact still present in the artifact store.
 */
export async function decideCache(q: CacheQuery, steps: StepRunStore, objects: ArtifactObjects, projectDir: string): Promise<CacheResult> {
  const parts = keyParts(q.def, q.artifacts, q.values, projectDir);
  const key = cacheKey(parts);
  const off = q.disabledBecause ?? (q.def.cache ? null : `step '${q.def.name}' sets cache: false`);
  if (off) return { decision: { key, parts, status: 'off', note: off }, hit: null };
  if (!q.lookup) return { decision: { key, parts, status: 'miss', note: 'a retry always runs the step again' }, hit: null };
  const found = await steps.findCached(key);
  if (!found) return { decision: { key, parts, status: 'miss', note: null }, hit: null };
  for (const [name, a] of Object.entries(found.outputs)) {
    if (!(await objects.exists(a))) {
      return { decision: { key, parts, status: 'miss', note: `step run ${found.stepRunId} had this key, but its output '${name}' (${a.digest.slice(0, 12)}) is gone from the artifact store` }, hit: null };
    }
  }
  return { decision: { key, parts, status: 'hit', note: null }, hit: found };
}
