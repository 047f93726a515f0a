import { isCairnError } from '../errors.js';
import type { FeatureService } from '../features/feature-service.js';
import type { ObjectKind, StoredObject } from '../features/entities.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import type { PipelineRunDetail } from '../pipelines/entities.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import type { LineageGraphStore } from './sql/lineage-graph-store.js';

/** The services the lineage graph reads through (the graph owns no tables). */
export interface LineageDeps {
  registry: RegistryService;
  runs: RunService;
  experiments: ExperimentService;
  features: FeatureService;
  pipelines: PipelineService;
  store: LineageGraphStore;
}

/** `fn`'s answer, or null when what it reads does not exist. */
export async function unlessMissing<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isCairnError(e, 'NOT_FOUND') || isCairnError(e, 'INVALID_ARGUMENT')) return null;
    throw e;
  }
}

/**
 * What one graph request reads more than once, read once: a pipeline run with all its steps (every
 * step node of a run needs them), the applied feature definitions of a kind, experiment names.
 */
export class LineageContext {
  private readonly pipelineRuns = new Map<string, Promise<PipelineRunDetail | null>>();
  private readonly objects = new Map<ObjectKind, Promise<StoredObject[]>>();
  private readonly experimentNames = new Map<string, Promise<string | null>>();

  constructor(readonly d: LineageDeps) {}

  pipelineRun(runId: string): Promise<PipelineRunDetail | null> {
    let p = this.pipelineRuns.get(runId);
    if (!p) this.pipelineRuns.set(runId, (p = unlessMissing(() => this.d.pipelines.queries.getRun(runId))));
    return p;
  }

  featureObjects(kind: ObjectKind): Promise<StoredObject[]> {
    let p = this.objects.get(kind);
    if (!p) this.objects.set(kind, (p = this.d.features.list(kind)));
    return p;
  }

  async featureObject(kind: ObjectKind, name: string): Promise<StoredObject | null> {
    return (await this.featureObjects(kind)).find((o) => o.name === name) ?? null;
  }

  experimentName(id: string): Promise<string | null> {
    let p = this.experimentNames.get(id);
    if (!p) this.experimentNames.set(id, (p = unlessMissing(async () => (await this.d.experiments.get(id)).name)));
    return p;
  }
}
