import { sql } from 'kysely';
import type { Lineage } from '../entities.js';
import type { RegistryDb } from '../sql/rows.js';

// The pipeline orchestrator and the feature store record which tracking run they produced. Lineage
// reads those records when their tables exist (each subsystem migrates on its own), and simply finds
// nothing when they do not.

function isMissingTable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '42P01' || /no such table/i.test(err?.message ?? '');
}

async function optional<T>(query: () => Promise<T>): Promise<T | null> {
  try {
    return await query();
  } catch (e) {
    if (isMissingTable(e)) return null;
    throw e;
  }
}

/** The pipeline run (and step) whose tracking run is `runId`. */
export async function pipelineRunOf(db: RegistryDb, runId: string): Promise<Lineage['pipelineRun']> {
  const step = await optional(async () => (await sql<{ run_id: string; pipeline_name: string; status: string; step_name: string }>`
    select p.run_id, p.pipeline_name, p.status, s.step_name from step_runs s join pipeline_runs p on p.run_id = s.run_id
    where s.tracking_run_id = ${runId} order by s.position limit 1`.execute(db)).rows[0]);
  if (step) return { runId: step.run_id, pipeline: step.pipeline_name, step: step.step_name, status: step.status };
  const whole = await optional(async () => (await sql<{ run_id: string; pipeline_name: string; status: string }>`
    select run_id, pipeline_name, status from pipeline_runs where tracking_run_id = ${runId} limit 1`.execute(db)).rows[0]);
  return whole ? { runId: whole.run_id, pipeline: whole.pipeline_name, step: null, status: whole.status } : null;
}

/** The newest training dataset a run recorded, if any. */
export async function latestDatasetOfRun(db: RegistryDb, runId: string): Promise<string | null> {
  const row = await optional(async () => (await sql<{ dataset_id: string }>`
    select dataset_id from feature_training_datasets where run_id = ${runId} order by created_time desc limit 1`.execute(db)).rows[0]);
  return row?.dataset_id ?? null;
}

/**
 * The feature service behind a version's training set: the one recorded at registration, else the
 * newest training dataset its run recorded.
 */
export async function featureServiceOf(db: RegistryDb, runId: string | null, datasetId: string | null = null): Promise<Lineage['featureService']> {
  if (!runId && !datasetId) return null;
  const row = await optional(async () => (await (datasetId
    ? sql<{ name: string; feature_service: string | null; registry_version: number; dataset_id: string }>`
    select name, feature_service, registry_version, dataset_id from feature_training_datasets where dataset_id = ${datasetId}`
    : sql<{ name: string; feature_service: string | null; registry_version: number; dataset_id: string }>`
    select name, feature_service, registry_version, dataset_id from feature_training_datasets
    where run_id = ${runId} order by created_time desc limit 1`).execute(db)).rows[0]);
  if (!row?.feature_service) return null;
  return { name: row.feature_service, trainingDataset: row.name, registryVersion: Number(row.registry_version) };
}
