import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { DatasetSummary } from '../entities.js';

/** MLflow's cap on one dataset search. */
export const DATASET_SUMMARIES_MAX = 1000;

/**
 * The distinct (experiment, dataset name, digest, context) of the datasets runs of these experiments
 * logged as inputs: what MLflow's UI lists to filter runs by dataset.
 */
export async function datasetSummaries(db: Kysely<Database>, experimentIds: number[]): Promise<DatasetSummary[]> {
  if (!experimentIds.length) return [];
  const rows = await db
    .selectFrom('datasets as d')
    .innerJoin('run_inputs as ri', 'ri.dataset_uuid', 'd.dataset_uuid')
    .select(['d.experiment_id', 'd.name', 'd.digest', 'ri.context'])
    .distinct()
    .where('d.experiment_id', 'in', experimentIds)
    .orderBy('d.experiment_id')
    .orderBy('d.name')
    .orderBy('d.digest')
    .orderBy('ri.context')
    .limit(DATASET_SUMMARIES_MAX)
    .execute();
  return rows.map((r) => ({ experimentId: String(r.experiment_id), name: r.name, digest: r.digest, context: r.context }));
}
