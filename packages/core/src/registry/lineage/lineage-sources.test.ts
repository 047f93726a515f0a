import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { seedModelRun } from '../testing/registry-fixtures.js';

// Lineage reads what the pipeline orchestrator and the feature store record about a tracking run.
// Their rows are written here as those subsystems write them, so a change to their tables shows up.
describe('lineage through pipelines and the feature store', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('links a version to the pipeline step and the feature service behind its run', async () => {
    const p = t.platform;
    const { runId } = await seedModelRun(p);
    const db = p.database.db;
    await sql`insert into pipeline_runs (run_id, pipeline_name, status, params, executor, no_cache, step_count, created_time, cancel_requested, resume_count)
      values ('pr1', 'train-churn', 'SUCCEEDED', '{}', 'local', 0, 2, 1, 0, 0)`.execute(db);
    await sql`insert into step_runs (step_run_id, run_id, step_id, step_name, kind, position, status, attempt, max_attempts, tracking_run_id, upstream, bindings)
      values ('sr1', 'pr1', 'fit', 'fit', 'function', 1, 'SUCCEEDED', 1, 1, ${runId}, '[]', '{}')`.execute(db);
    await sql`insert into feature_training_datasets (dataset_id, name, created_time, registry_version, definitions, features, feature_service, entity_digest, result_digest, row_count, run_id)
      values ('td1', 'churn-train-2024q3', 1, 7, '[]', '[]', 'churn_features', 'e', 'r', 100, ${runId})`.execute(db);
    await p.registry.createModel({ name: 'piped' });
    await p.registry.versions.create({ name: 'piped', source: `runs:/${runId}/model` });
    const l = await p.registry.lineage.of('piped/1');
    expect(l.pipelineRun).toEqual({ runId: 'pr1', pipeline: 'train-churn', step: 'fit', status: 'SUCCEEDED' });
    expect(l.featureService).toEqual({ name: 'churn_features', trainingDataset: 'churn-train-2024q3', registryVersion: 7 });
  });
});
