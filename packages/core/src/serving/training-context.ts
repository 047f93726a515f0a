import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface TrainingContext {
  datasetId: string;
  featureService: string | null;
}

/**
 * The training set a version learned from: the one recorded at registration, else the newest one
 * its run recorded (versions registered before that was kept). Null when neither exists.
 */
export async function trainingContextOf(db: Kysely<Database>, name: string, version: number, runId: string | null): Promise<TrainingContext | null> {
  const recorded = await sql<{ training_dataset_id: string | null }>`
    select v.training_dataset_id from model_versions v join registered_models m on m.model_id = v.model_id
    where m.name = ${name} and v.version = ${version}`.execute(db);
  const id = recorded.rows[0]?.training_dataset_id ?? null;
  const row = (await (id
    ? sql<{ dataset_id: string; feature_service: string | null }>`select dataset_id, feature_service from feature_training_datasets where dataset_id = ${id}`
    : sql<{ dataset_id: string; feature_service: string | null }>`select dataset_id, feature_service from feature_training_datasets where run_id = ${runId} order by created_time desc limit 1`
  ).execute(db)).rows[0];
  if (!row || (!id && !runId)) return null;
  return { datasetId: row.dataset_id, featureService: row.feature_service };
}
