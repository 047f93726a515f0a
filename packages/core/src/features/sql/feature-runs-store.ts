import type { Kysely } from 'kysely';
import type { FeatureStatistics, MaterializationRun, TrainingDataset } from '../entities.js';
import type { FeatureProfile } from '../stats/training-profile.js';
import type { FeatureMaterializationRunRow, FeatureTables, FeatureTrainingDatasetRow } from './rows.js';

const toRun = (r: FeatureMaterializationRunRow): MaterializationRun => ({
  runId: r.run_id, view: r.view, start: Number(r.start_time), end: Number(r.end_time), status: r.status as MaterializationRun['status'],
  rows: Number(r.rows), startedTime: Number(r.started_time), endedTime: r.ended_time === null ? null : Number(r.ended_time), error: r.error,
  statistics: r.statistics ? (JSON.parse(r.statistics) as FeatureStatistics[]) : [],
});

const toDataset = (r: FeatureTrainingDatasetRow): TrainingDataset => ({
  datasetId: r.dataset_id, name: r.name, createdTime: Number(r.created_time), registryVersion: Number(r.registry_version),
  definitions: JSON.parse(r.definitions) as TrainingDataset['definitions'], features: JSON.parse(r.features) as string[],
  featureService: r.feature_service, entityDigest: r.entity_digest, resultDigest: r.result_digest, rowCount: Number(r.row_count), runId: r.run_id,
});

// Statistics are large and read on their own (datasetStatistics), never with a listing.
const DATASET_COLUMNS = ['dataset_id', 'name', 'created_time', 'registry_version', 'definitions', 'features', 'feature_service', 'entity_digest', 'result_digest', 'row_count', 'run_id'] as const;

/** Materialization runs, watermarks and training datasets. Same queries on SQLite and PostgreSQL. */
export class FeatureRunsStore {
  constructor(private readonly db: Kysely<FeatureTables>) {}

  // Run windows and watermarks are kept in whole milliseconds (bigint columns), rounded down: a
  // watermark a fraction early makes the next run re-read at most a millisecond of rows, which
  // rewrites the same values (writes are idempotent), where one a fraction late could skip a row.

  async startRun(run: { runId: string; view: string; start: number; end: number; now: number }): Promise<void> {
    await this.db.insertInto('feature_materialization_runs').values({
      run_id: run.runId, view: run.view, start_time: Math.floor(run.start), end_time: Math.floor(run.end), status: 'RUNNING', rows: 0, started_time: run.now, ended_time: null, error: null, statistics: null,
    }).execute();
  }

  async finishRun(runId: string, result: { status: 'SUCCEEDED' | 'FAILED'; rows: number; now: number; error?: string; statistics?: FeatureStatistics[] }): Promise<void> {
    await this.db.updateTable('feature_materialization_runs').set({
      status: result.status, rows: result.rows, ended_time: result.now, error: result.error ?? null, statistics: result.statistics ? JSON.stringify(result.statistics) : null,
    }).where('run_id', '=', runId).execute();
  }

  async getRun(runId: string): Promise<MaterializationRun | null> {
    const row = await this.db.selectFrom('feature_materialization_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row ? toRun(row) : null;
  }

  async listRuns(view?: string, limit = 100): Promise<MaterializationRun[]> {
    let q = this.db.selectFrom('feature_materialization_runs').selectAll();
    if (view) q = q.where('view', '=', view);
    return (await q.orderBy('started_time', 'desc').orderBy('run_id').limit(limit).execute()).map(toRun);
  }

  /** The newest run of each view (by start time). */
  async lastRunPerView(): Promise<Map<string, MaterializationRun>> {
    const latest = this.db.selectFrom('feature_materialization_runs').select('view').select((eb) => eb.fn.max('started_time').as('t')).groupBy('view');
    const rows = await this.db.selectFrom('feature_materialization_runs as r')
      .innerJoin(latest.as('l'), (j) => j.onRef('l.view', '=', 'r.view').onRef('l.t', '=', 'r.started_time'))
      .selectAll('r').orderBy('r.run_id').execute();
    const out = new Map<string, MaterializationRun>();
    for (const r of rows) if (!out.has(r.view)) out.set(r.view, toRun(r));
    return out;
  }

  async watermarks(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('feature_watermarks').select(['view', 'watermark']).execute();
    return new Map(rows.map((r) => [r.view, Number(r.watermark)]));
  }

  async watermark(view: string): Promise<number | null> {
    const row = await this.db.selectFrom('feature_watermarks').select('watermark').where('view', '=', view).executeTakeFirst();
    return row ? Number(row.watermark) : null;
  }

  /** Forgets a view's watermark: its next incremental run starts as the first one did. */
  async clearWatermark(view: string): Promise<void> {
    await this.db.deleteFrom('feature_watermarks').where('view', '=', view).execute();
  }

  /** Moves a view's watermark forward (never back) to `end`, rounded down to a millisecond. */
  async advanceWatermark(view: string, end: number, now: number): Promise<void> {
    const to = Math.floor(end);
    await this.db.insertInto('feature_watermarks').values({ view, watermark: to, updated_time: now })
      .onConflict((oc) => oc.column('view').doUpdateSet({ watermark: to, updated_time: now }).where('feature_watermarks.watermark', '<', to))
      .execute();
  }

  async insertDataset(d: TrainingDataset): Promise<void> {
    await this.db.insertInto('feature_training_datasets').values({
      dataset_id: d.datasetId, name: d.name, created_time: d.createdTime, registry_version: d.registryVersion, definitions: JSON.stringify(d.definitions),
      features: JSON.stringify(d.features), feature_service: d.featureService, entity_digest: d.entityDigest, result_digest: d.resultDigest, row_count: d.rowCount, run_id: d.runId,
    }).execute();
  }

  async setDatasetStatistics(id: string, profiles: FeatureProfile[]): Promise<void> {
    await this.db.updateTable('feature_training_datasets').set({ statistics: JSON.stringify(profiles) }).where('dataset_id', '=', id).execute();
  }

  /** The profile of a training set's columns, or null when none was recorded (sets built before it was). */
  async datasetStatistics(id: string): Promise<FeatureProfile[] | null> {
    const row = await this.db.selectFrom('feature_training_datasets').select('statistics').where('dataset_id', '=', id).executeTakeFirst();
    return row?.statistics ? (JSON.parse(row.statistics) as FeatureProfile[]) : null;
  }

  async getDataset(id: string): Promise<TrainingDataset | null> {
    const row = await this.db.selectFrom('feature_training_datasets').select(DATASET_COLUMNS).where('dataset_id', '=', id).executeTakeFirst();
    return row ? toDataset(row) : null;
  }

  async listDatasets(service?: string, limit?: number): Promise<TrainingDataset[]> {
    let q = this.db.selectFrom('feature_training_datasets').select(DATASET_COLUMNS);
    if (service) q = q.where('feature_service', '=', service);
    if (limit !== undefined) q = q.limit(limit);
    return (await q.orderBy('created_time', 'desc').orderBy('dataset_id').execute()).map(toDataset);
  }

  async listDatasetsOfRun(runId: string): Promise<TrainingDataset[]> {
    const rows = await this.db.selectFrom('feature_training_datasets').select(DATASET_COLUMNS).where('run_id', '=', runId).orderBy('created_time', 'desc').orderBy('dataset_id').execute();
    return rows.map(toDataset);
  }

  /** Training sets selected by a list of features rather than a service, newest first. */
  async listDatasetsWithoutService(limit: number): Promise<TrainingDataset[]> {
    const rows = await this.db.selectFrom('feature_training_datasets').select(DATASET_COLUMNS).where('feature_service', 'is', null).orderBy('created_time', 'desc').orderBy('dataset_id').limit(limit).execute();
    return rows.map(toDataset);
  }
}
