import { isCairnError } from '../errors.js';
import type { CairnConfig } from '../config/config.js';
import { captureEnvironment, environmentSource, environmentTags } from '../reproducibility/environment.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import { LIMITS } from '../tracking/validation.js';

/**
 * Opens the tracking run of a pipeline run, in the experiment `pipelines/<name>` (created on first
 * use). Step runs nest under it as child runs. Null when that experiment was deleted. With
 * `recordEnvironment`, the git commit, diff and lockfile digests, Node version and config are
 * recorded on it (reproducibility/environment.ts).
 */
export async function openPipelineTracking(
  experiments: ExperimentService,
  runs: RunService,
  pipelineName: string,
  runId: string,
  params: Record<string, unknown>,
  recordEnvironment: { config: CairnConfig; entryPoint: string | null } | null = null,
): Promise<{ experimentId: string; runId: string } | null> {
  const name = `pipelines/${pipelineName}`;
  let exp = await experiments.findByName(name);
  if (!exp) {
    try {
      exp = await experiments.create({ name, tags: { 'cairn.pipeline': pipelineName } });
    } catch (e) {
      if (!isCairnError(e, 'ALREADY_EXISTS')) throw e;
      exp = await experiments.getByName(name);
    }
  }
  if (exp.lifecycleStage !== 'active') return null;
  // Capturing never stops a run: a missing git or an unreadable lockfile just records less.
  const env = recordEnvironment && (await captureEnvironment(recordEnvironment.config).catch(() => null));
  const run = await runs.create({
    experimentId: exp.experimentId,
    runName: `${pipelineName}-${runId.slice(0, 8)}`,
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, LIMITS.paramValueLength)])),
    tags: { ...(env ? environmentTags(env) : {}), 'cairn.pipeline': pipelineName, 'cairn.pipeline_run': runId },
    source: env ? environmentSource(env, recordEnvironment!.entryPoint) : undefined,
  });
  return { experimentId: exp.experimentId, runId: run.info.runId };
}

/** Ends tracking runs (steps' and the pipeline's) when Cairn ends a pipeline run itself; `endTime` when its process died. */
export async function endTrackingRuns(runs: RunService, ids: Array<string | null>, status: 'FAILED' | 'KILLED', endTime?: number): Promise<void> {
  for (const id of ids) if (id) await runs.update(id, endTime === undefined ? { status } : { status, endTime }).catch(() => {});
}
