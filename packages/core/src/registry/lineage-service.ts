import { CONTEXT_TAG, type Run } from '../tracking/entities.js';
import type { Lineage } from './entities.js';
import { featureServiceOf, pipelineRunOf } from './lineage/lineage-sources.js';
import { parseModelRef } from './model-uri.js';
import type { RegistryContext } from './registry-context.js';

/** Lineage: from a version to its run, the run's data, its code, and the pipeline and features behind it. */
export class LineageService {
  constructor(private readonly ctx: RegistryContext, private readonly resolve: (uri: string) => Promise<{ name: string; version: number }>) {}

  /**
   * @example
   * ```ts
   * const l = await registry.lineage.of('churn@champion');
   * console.log(l.run?.runId, l.code?.gitCommit, l.datasets.map((d) => d.name));
   * ```
   */
  async of(uri: string): Promise<Lineage> {
    parseModelRef(uri);
    const { name, version } = await this.resolve(uri);
    const model = await this.ctx.requireModel(name);
    const row = (await this.ctx.versions.row(model.model_id, version))!;
    const run: Run | null = row.run_id ? await this.ctx.runs.get(row.run_id).catch(() => null) : null;
    const experiment = run ? await this.ctx.experiments.get(run.info.experimentId).catch(() => null) : null;
    const [pipelineRun, featureService] = await Promise.all([
      run ? pipelineRunOf(this.ctx.db, run.info.runId) : null,
      featureServiceOf(this.ctx.db, run?.info.runId ?? null, row.training_dataset_id ?? null),
    ]);
    return {
      model: model.name,
      version,
      source: row.source,
      digest: row.digest,
      missingRunId: row.run_id && !run ? row.run_id : null,
      externalUri: row.external_uri ?? null,
      run: run && {
        runId: run.info.runId,
        runName: run.info.runName,
        experimentId: run.info.experimentId,
        experimentName: experiment?.name ?? null,
        status: run.info.status,
        startTime: run.info.startTime,
        userId: run.info.userId,
      },
      code: run && { gitCommit: run.info.source.gitCommit, gitDirty: run.info.source.gitDirty, entryPoint: run.info.source.entryPoint },
      datasets: (run?.inputs ?? []).map((i) => ({
        name: i.dataset.name,
        digest: i.dataset.digest,
        sourceType: i.dataset.sourceType,
        source: i.dataset.source,
        context: i.tags[CONTEXT_TAG] ?? null,
      })),
      pipelineRun,
      featureService,
    };
  }
}
