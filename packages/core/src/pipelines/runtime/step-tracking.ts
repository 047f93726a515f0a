import { isCairnError } from '../../errors.js';
import { formatArtifactUri } from '../../paths/index.js';
import type { DatasetInput } from '../../tracking/entities.js';
import type { RunService } from '../../tracking/run-service.js';
import { LIMITS } from '../../tracking/validation.js';
import type { ArtifactRecord, ValueKind } from '../entities.js';
import type { LinkInput } from '../sql/lineage-store.js';

/** What a step's tracking run is opened with: where it nests and what the step was given. */
export interface StepTrackingTarget {
  experimentId: string | null;
  parentTrackingRunId: string | null;
  pipelineName: string;
  runId: string;
  stepId: string;
  stepRunId: string;
  /** Parameter and literal inputs: the tracking run's params. */
  values: Record<string, unknown>;
  /** Input artifacts by input name; data kinds become the run's dataset inputs. */
  artifacts: Record<string, ArtifactRecord>;
  /** Input name → `step.output` it was wired from, naming the datasets. */
  inputSources?: Record<string, string>;
}

/** A step answered from the cache: the step run (and its tracking run) it reused, and the outputs. */
export interface CachedStep {
  target: StepTrackingTarget;
  from: { stepRunId: string; trackingRunId: string | null };
  outputs: LinkInput[];
}

/** Folder of a step's tracking run that holds one small reference file per output. */
export const OUTPUT_REFS_FOLDER = 'cairn-outputs';
/** `sourceType` of the dataset inputs that stand for pipeline artifacts. */
export const ARTIFACT_SOURCE_TYPE = 'cairn-pipeline-artifact';
// Kinds that are data a run reads; numbers, strings and JSON values are recorded as params or lineage only.
const DATASET_KINDS: ReadonlySet<ValueKind> = new Set(['table', 'file', 'folder']);

const paramText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, LIMITS.paramValueLength);
const stepParams = (t: StepTrackingTarget) => Object.fromEntries(Object.entries(t.values).map(([k, v]) => [k, paramText(v)]));

/** The reference file written for one output: where the artifact is, never its bytes. */
export function outputRef(link: LinkInput, producedBy: { pipelineRun: string; step: string; stepRun: string }): Record<string, unknown> {
  const a = link.artifact;
  return {
    type: 'cairn.pipeline-artifact-ref/1',
    name: link.name,
    kind: a.kind,
    digest: `sha256:${a.digest}`,
    uri: formatArtifactUri(a.uri),
    materializer: a.materializer,
    size: a.size,
    files: a.fileCount,
    producedBy,
  };
}

/** The dataset inputs of a step: its table, file and folder input artifacts. */
export function datasetInputs(target: StepTrackingTarget): DatasetInput[] {
  const out: DatasetInput[] = [];
  for (const [input, a] of Object.entries(target.artifacts)) {
    if (!DATASET_KINDS.has(a.kind)) continue;
    const from = target.inputSources?.[input] ?? input;
    out.push({
      dataset: {
        name: from,
        digest: a.digest,
        sourceType: ARTIFACT_SOURCE_TYPE,
        source: JSON.stringify({ uri: formatArtifactUri(a.uri), kind: a.kind, materializer: a.materializer, producedBy: from }),
        profile: JSON.stringify({ num_bytes: a.size, num_files: a.fileCount }),
      },
      tags: { 'mlflow.data.context': input },
    });
  }
  return out;
}

/**
 * The tracking side of a step run: each step run is a tracking run nested under its pipeline's,
 * with the step's parameter inputs as params, its table/file/folder inputs as dataset inputs, and
 * its outputs as `cairn.output.*` tags plus one reference file per output under `cairn-outputs/`
 * (the artifact's URI, digest and materializer; the bytes stay in the content-addressed store).
 * Cache hits get FINISHED runs that say where their outputs came from, made in batches and writing
 * nothing to the artifact store. Tracking never decides a step's outcome: failures are swallowed.
 */
export class StepTracking {
  private readonly writing = new Set<Promise<unknown>>();

  constructor(private readonly runs: RunService) {}

  /**
   * Opens the step's tracking run under `runId`: creates it when `create` (the first attempt; the
   * id was recorded on the step run before, so a sweep can end the run if the attempt's process
   * dies), else reopens it (a retry, a resume, a takeover).
   */
  async open(target: StepTrackingTarget, runId: string, create: boolean): Promise<string> {
    if (!create) {
      try {
        await this.runs.update(runId, { status: 'RUNNING' });
        return runId;
      } catch (e) {
        // The attempt that recorded the id died before creating the run: create it now.
        if (!isCairnError(e, 'NOT_FOUND')) throw e;
      }
    }
    if (!target.experimentId) throw new Error('the pipeline run has no tracking experiment');
    await this.runs.createMany([{
      runId,
      experimentId: target.experimentId,
      parentRunId: target.parentTrackingRunId,
      runName: target.stepId,
      params: stepParams(target),
      tags: this.tags(target),
    }]);
    const inputs = datasetInputs(target);
    if (inputs.length) await this.runs.logInputs(runId, inputs).catch(() => {});
    return runId;
  }

  /**
   * Ends the step's tracking run; a FINISHED one gets its output tags first, and its reference
   * files right after, in the background (see `settled`).
   */
  async end(runId: string | null, status: 'FINISHED' | 'FAILED' | 'KILLED', outputs: LinkInput[], target: Pick<StepTrackingTarget, 'runId' | 'stepId' | 'stepRunId'>): Promise<void> {
    if (!runId) return;
    try {
      if (outputs.length) await this.runs.logBatch(runId, { tags: outputTags(outputs) });
      await this.runs.update(runId, { status });
    } catch {
      // The step's own state is recorded; a tracking hiccup must not change its outcome.
      return;
    }
    if (!outputs.length) return;
    // Small files (the artifacts themselves are never copied), each an fsynced write: written while
    // the next steps start rather than before.
    const producedBy = { pipelineRun: target.runId, step: target.stepId, stepRun: target.stepRunId };
    const writing = Promise.allSettled(outputs.map((o) => this.runs.logArtifact(runId, `${OUTPUT_REFS_FOLDER}/${o.name}.json`, `${JSON.stringify(outputRef(o, producedBy), null, 2)}\n`)));
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
  }

  /** Resolves once the reference files being written in the background are written. */
  async settled(): Promise<void> {
    while (this.writing.size) await Promise.allSettled([...this.writing]);
  }

  /**
   * Tracking runs for cache hits, all in one transaction: each FINISHED at once, with the step's
   * params and tags plus `cairn.cache=hit` and the step run (and tracking run) it reused, which
   * holds the output references, dataset inputs and metrics. Ids in order; null where none was made.
   */
  async cached(hits: CachedStep[]): Promise<Array<string | null>> {
    const tracked = hits.filter((h) => h.target.experimentId);
    let ids: string[] = [];
    try {
      ids = await this.runs.createMany(tracked.map(({ target, from, outputs }) => {
        const tags: Record<string, string> = { ...this.tags(target), 'cairn.cache': 'hit', 'cairn.cached_from_step_run': from.stepRunId };
        if (from.trackingRunId) tags['cairn.cached_from_run'] = from.trackingRunId;
        for (const t of outputTags(outputs)) tags[t.key] = t.value;
        return {
          experimentId: target.experimentId!, parentRunId: target.parentTrackingRunId, runName: target.stepId, status: 'FINISHED' as const,
          params: stepParams(target), tags,
        };
      }));
    } catch {
      return hits.map(() => null);
    }
    const byHit = new Map(tracked.map((h, k) => [h, ids[k]!]));
    return hits.map((h) => byHit.get(h) ?? null);
  }

  private tags(t: StepTrackingTarget): Record<string, string> {
    return { 'cairn.pipeline': t.pipelineName, 'cairn.pipeline_run': t.runId, 'cairn.step': t.stepId, 'cairn.step_run': t.stepRunId };
  }
}

function outputTags(outputs: LinkInput[]): Array<{ key: string; value: string }> {
  return outputs.map((o) => ({ key: `cairn.output.${o.name}`, value: `${o.artifact.kind} sha256:${o.artifact.digest}` }));
}
