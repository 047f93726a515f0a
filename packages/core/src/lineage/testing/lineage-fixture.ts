import type { Platform } from '../../platform.js';
import { basic } from '../../pipelines/fixtures/basic-pipelines.js';
import { H, T0, writeFeatureProject } from '../../features/testing/feature-project.js';

export interface LineageFixture {
  pipelineRunId: string;
  trackingRunId: string;
  steps: Record<string, string>;
  datasetId: string;
  model: string;
}

/**
 * The shape of the churn example in a few calls: features applied in the project folder, a
 * pipeline run whose tracking run builds a training set from the `ranking` service, a version
 * registered from that run, and @champion on it.
 */
export async function seedLineage(platform: Platform, dir: string, model = 'ranker'): Promise<LineageFixture> {
  await writeFeatureProject(dir);
  await platform.features.apply();
  const { run, steps } = await platform.pipelines.run(basic, { overrides: { n: '2' } });
  const trackingRunId = run.trackingRunId!;
  const set = await platform.features.getHistoricalFeatures({ entities: [{ driver_id: 1, event_timestamp: T0 + 3 * H, bonus: 0 }], featureService: 'ranking', runId: trackingRunId });
  await set.job.close();
  await platform.registry.createModel({ name: model });
  const pending = await platform.registry.versions.create({ name: model, source: null, runId: trackingRunId, format: 'cairn-json' });
  await platform.registry.versions.uploadFile(model, pending.version, 'model.json', Buffer.from('{"weights":[1,2]}\n'));
  const v = await platform.registry.versions.finalize(model, pending.version);
  await platform.registry.aliases.set(model, 'champion', v.version);
  return { pipelineRunId: run.runId, trackingRunId, steps: Object.fromEntries(steps.map((s) => [s.stepId, s.stepRunId])), datasetId: set.dataset.datasetId, model };
}
