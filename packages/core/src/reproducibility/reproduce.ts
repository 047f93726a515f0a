import { isAbsolute, resolve } from 'node:path';
import { CairnError, isCairnError } from '../errors.js';
import type { LineageNode, PipelineEvent, PipelineRun, PipelineRunDetail } from '../pipelines/entities.js';
import { loadPipelineFile } from '../pipelines/runtime/pipeline-loader.js';
import type { Platform } from '../platform.js';
import { captureEnvironment, ENVIRONMENT_TAGS, type RunEnvironment } from './environment.js';

/** One output of one step, in the original run and in its reproduction. */
export interface OutputComparison {
  step: string;
  output: string;
  kind: string | null;
  original: string | null;
  reproduced: string | null;
  match: boolean;
}

/** One recorded part of the environment, then and now (differences explain mismatches; they are not failures). */
export interface EnvironmentComparison {
  key: keyof RunEnvironment;
  recorded: string | null;
  current: string | null;
  same: boolean;
}

export interface Reproduction {
  original: PipelineRun;
  reproduction: PipelineRunDetail;
  outputs: OutputComparison[];
  environment: EnvironmentComparison[];
  /** The reproduction completed and every output's digest matches the original's. */
  matched: boolean;
}

export interface ReproduceOptions {
  onEvent?: (event: PipelineEvent) => void;
  signal?: AbortSignal;
  /** Called with the new run's id as soon as it starts. */
  onStart?: (runId: string) => void;
}

/** A pipeline run by its id, or by the id of its tracking run (or of one of its steps' runs). */
export async function findPipelineRun(platform: Platform, id: string): Promise<PipelineRun> {
  try {
    return await platform.pipelines.queries.getRunInfo(id);
  } catch (e) {
    if (!isCairnError(e, 'NOT_FOUND')) throw e;
  }
  const run = await platform.runs.get(id).catch((e: unknown) => {
    if (isCairnError(e, 'NOT_FOUND') || isCairnError(e, 'INVALID_ARGUMENT')) return null;
    throw e;
  });
  const pipelineRunId = run?.data.tags['cairn.pipeline_run'];
  if (!pipelineRunId) {
    throw new CairnError('NOT_FOUND', `'${id}' is neither a pipeline run nor the tracking run of one. List pipeline runs with \`cairn pipelines runs\`.`);
  }
  return platform.pipelines.queries.getRunInfo(pipelineRunId);
}

function outputsByStep(nodes: LineageNode[]): Map<string, Map<string, { digest: string; kind: string }>> {
  return new Map(nodes.map((n) => [n.step.stepId, new Map(n.outputs.map((o) => [o.name, { digest: o.artifact.digest, kind: o.artifact.kind }]))]));
}

/**
 * Re-runs a pipeline run with its recorded parameters, every step executed again (no cache), and
 * compares each step's outputs with the original's, digest by digest. Inputs a pipeline reads from
 * outside (data files) are whatever its steps record: a pipeline that snapshots them first (as the
 * churn example does) shows a changed input as that step's mismatch.
 *
 * @example
 * ```ts
 * const r = await reproduceRun(platform, 'c57fa427…');
 * for (const o of r.outputs) console.log(o.step, o.output, o.match ? 'same' : 'DIFFERS');
 * ```
 */
export async function reproduceRun(platform: Platform, id: string, options: ReproduceOptions = {}): Promise<Reproduction> {
  const original = await findPipelineRun(platform, id);
  if (original.status !== 'COMPLETED') {
    throw new CairnError('FAILED_PRECONDITION', `Pipeline run ${original.runId} is ${original.status}; only completed runs have outputs to reproduce. Resume it with \`cairn pipelines resume ${original.runId}\`.`);
  }
  if (!original.source) throw new CairnError('FAILED_PRECONDITION', `Pipeline run ${original.runId} recorded no source file, so it cannot be run again.`);
  const projectDir = platform.config.projectDir;
  const file = isAbsolute(original.source.file) ? original.source.file : resolve(projectDir, original.source.file);
  const found = await loadPipelineFile(file, original.source.exportName ?? original.pipelineName);
  const before = outputsByStep(await platform.pipelines.queries.lineage(original.runId));
  const recorded = original.trackingRunId ? (await platform.runs.get(original.trackingRunId)).data.tags : {};

  const handle = await platform.pipelines.start(found.pipeline, {
    values: original.params, noCache: true, sourceFile: file, exportName: found.exportName, onEvent: options.onEvent, signal: options.signal,
  });
  options.onStart?.(handle.runId);
  const reproduction = await handle.done;
  if (reproduction.run.trackingRunId) {
    await platform.runs.logBatch(reproduction.run.trackingRunId, { tags: [{ key: 'cairn.reproduces', value: original.runId }] }).catch(() => {});
  }
  const after = outputsByStep(await platform.pipelines.queries.lineage(reproduction.run.runId));

  const outputs: OutputComparison[] = [];
  for (const [step, outs] of before) {
    const again = after.get(step) ?? new Map();
    for (const name of [...new Set([...outs.keys(), ...again.keys()])].sort()) {
      const a = outs.get(name) ?? null;
      const b = again.get(name) ?? null;
      outputs.push({ step, output: name, kind: (a ?? b)?.kind ?? null, original: a?.digest ?? null, reproduced: b?.digest ?? null, match: !!a && !!b && a.digest === b.digest });
    }
  }
  for (const [step, outs] of after) {
    if (before.has(step)) continue;
    for (const [name, b] of outs) outputs.push({ step, output: name, kind: b.kind, original: null, reproduced: b.digest, match: false });
  }

  const now = await captureEnvironment(platform.config);
  const environment = (Object.keys(ENVIRONMENT_TAGS) as Array<keyof RunEnvironment>)
    .filter((k) => k !== 'config')
    .map((key) => {
      const r = recorded[ENVIRONMENT_TAGS[key]] ?? null;
      const c = now[key] === null ? null : String(now[key]);
      return { key, recorded: r, current: c, same: r === c };
    });
  return { original, reproduction, outputs, environment, matched: reproduction.run.status === 'COMPLETED' && outputs.length > 0 && outputs.every((o) => o.match) };
}
