import { isCairnError } from '../errors.js';
import type { MaterializationRun, TrainingDataset } from '../features/entities.js';
import type { ArtifactLink, PipelineRun, StepRun } from '../pipelines/entities.js';
import type { Platform } from '../platform.js';
import type { GateEvaluation, Lineage, ModelVersion } from '../registry/entities.js';
import { environmentFromTags, type RunEnvironment } from '../reproducibility/environment.js';
import { findPipelineRun } from '../reproducibility/reproduce.js';
import type { Run } from '../tracking/entities.js';

/** A registered version made by the reported run, next to the version it would replace. */
export interface ModelReport {
  version: ModelVersion;
  lineage: Lineage | null;
  metrics: Record<string, number>;
  alias: string;
  /** Whether the candidate holds the alias now. */
  holdsAlias: boolean;
  /** The version compared against: the alias's holder, or (when the candidate holds it) the one it replaced. */
  baseline: { version: number; metrics: Record<string, number>; role: 'holder' | 'previous holder' } | null;
  /** The recorded promotion of this version to the alias (the newest), else a dry-run evaluation of its gate. */
  gate: (GateEvaluation & { recorded: boolean }) | null;
}

export interface RunReport {
  generatedTime: number;
  pipelineRun: PipelineRun | null;
  /** The tracking run reported on: the pipeline's run, or the run given. */
  run: Run;
  steps: Array<{ step: StepRun; run: Run | null; outputs: ArtifactLink[] }>;
  environment: Partial<Record<keyof RunEnvironment, string | null>>;
  models: ModelReport[];
  datasets: Array<{ dataset: TrainingDataset; statistics: MaterializationRun[] }>;
}

/** Run tag naming the model version a run produced or reused (`models:/NAME/VERSION`); reports follow it. */
export const REGISTERED_VERSION_TAG = 'cairn.registered_version';

const metricsOf = (run: Run | null): Record<string, number> => Object.fromEntries((run?.data.metrics ?? []).map((m) => [m.key, m.value]));

async function optional<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isCairnError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

async function modelReport(platform: Platform, version: ModelVersion, alias: string): Promise<ModelReport> {
  const reg = platform.registry;
  const runOf = async (v: number) => {
    const mv = await optional(() => reg.versions.get(version.name, v));
    return mv?.runId ? optional(() => platform.runs.get(mv.runId!)) : null;
  };
  const metrics = metricsOf(version.runId ? await optional(() => platform.runs.get(version.runId!)) : null);
  const holder = (await reg.getModel(version.name)).aliases.find((a) => a.alias === alias)?.version ?? null;
  const holdsAlias = holder === version.version;
  let baseline: ModelReport['baseline'] = null;
  if (holder !== null && !holdsAlias) {
    baseline = { version: holder, metrics: metricsOf(await runOf(holder)), role: 'holder' };
  } else if (holdsAlias) {
    const moved = (await reg.aliases.history(version.name, alias)).find((e) => e.action === 'alias.moved' && (e.after as { version?: number } | null)?.version === version.version);
    const previous = (moved?.before as { version?: number } | null)?.version;
    if (previous !== undefined) baseline = { version: previous, metrics: metricsOf(await runOf(previous)), role: 'previous holder' };
  }
  const recorded = (await reg.audit.list({ model: version.name, version: version.version, alias, action: 'promotion.*', maxResults: 1 })).items[0];
  let gate: ModelReport['gate'] = recorded ? { ...(recorded.after as GateEvaluation), recorded: true } : null;
  if (!gate && !holdsAlias && version.status === 'READY') {
    const evaluation = await reg.gates.evaluate(version.name, version.version, alias);
    gate = evaluation.gated ? { ...evaluation, recorded: false } : null;
  }
  const lineage = await optional(() => reg.lineage.of(`models:/${version.name}/${version.version}`));
  return { version, lineage, metrics, alias, holdsAlias, baseline, gate };
}

/**
 * Everything a CI report on one run needs: the pipeline's steps and outputs, the run's metrics,
 * each model version it registered against the alias holder (with the gate's verdict), the
 * training data it used with the feature statistics of their latest materialization, and the
 * recorded environment (code, lockfile, config). `id` is a pipeline run or a tracking run.
 *
 * @example
 * ```ts
 * const report = await buildRunReport(platform, runId, { alias: 'champion' });
 * process.stdout.write(renderMarkdown(report));
 * ```
 */
export async function buildRunReport(platform: Platform, id: string, options: { alias?: string } = {}): Promise<RunReport> {
  const alias = options.alias ?? 'champion';
  const pipelineRun = await findPipelineRun(platform, id).catch((e: unknown) => {
    if (isCairnError(e, 'NOT_FOUND')) return null;
    throw e;
  });
  const run = await platform.runs.get(pipelineRun?.trackingRunId ?? id);
  const steps: RunReport['steps'] = [];
  if (pipelineRun) {
    for (const node of await platform.pipelines.queries.lineage(pipelineRun.runId)) {
      steps.push({ step: node.step, run: node.step.trackingRunId ? await optional(() => platform.runs.get(node.step.trackingRunId!)) : null, outputs: node.outputs });
    }
  }
  const runIds = [run.info.runId, ...steps.flatMap((s) => (s.run ? [s.run.info.runId] : []))];
  const versions = (await platform.registry.versions.search({ filter: `run_id IN (${runIds.map((r) => `'${r}'`).join(', ')})`, maxResults: 100 })).items;
  // A run that re-made an existing model (same files) names the version it reused in this tag.
  const named = run.data.tags[REGISTERED_VERSION_TAG];
  if (named) {
    const v = await optional(() => platform.registry.resolve(named));
    if (v && !versions.some((x) => x.name === v.name && x.version === v.version)) versions.push(v);
  }
  const models: ModelReport[] = [];
  for (const v of versions) models.push(await modelReport(platform, v, alias));

  const datasets: RunReport['datasets'] = [];
  const wanted = new Set(runIds);
  for (const d of (await platform.features.listTrainingDatasets()).filter((x) => x.runId && wanted.has(x.runId))) {
    const statistics: MaterializationRun[] = [];
    for (const def of d.definitions.filter((x) => x.kind === 'featureView')) {
      const latest = (await platform.features.listMaterializations(def.name, 20)).find((m) => m.status === 'SUCCEEDED' && m.rows > 0);
      if (latest) statistics.push(latest);
    }
    datasets.push({ dataset: d, statistics });
  }
  return { generatedTime: Date.now(), pipelineRun, run, steps, environment: environmentFromTags(run.data.tags), models, datasets };
}
