import type { Kysely } from 'kysely';

// The feature store's tables: every applied version of every definition, materialization runs and
// watermarks, and training datasets. Written once for SQLite and PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('feature_registry_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('applied_time', 'bigint', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('forced', 'integer', (c) => c.notNull())
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .execute();

  // One row per object version; a removal is a row with removed = 1 and no spec.
  await db.schema
    .createTable('feature_objects')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('registry_version', 'integer', (c) => c.notNull().references('feature_registry_versions.version'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('spec', 'text')
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('feature_objects_pk', ['kind', 'name', 'version'])
    .execute();
  await db.schema.createIndex('feature_objects_registry_idx').on('feature_objects').columns(['registry_version']).execute();

  await db.schema
    .createTable('feature_materialization_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('view', 'text', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('started_time', 'bigint', (c) => c.notNull())
    .addColumn('ended_time', 'bigint')
    .addColumn('error', 'text')
    .addColumn('statistics', 'text')
    .execute();
  await db.schema.createIndex('feature_materialization_runs_view_idx').on('feature_materialization_runs').columns(['view', 'started_time']).execute();

  await db.schema
    .createTable('feature_watermarks')
    .addColumn('view', 'text', (c) => c.primaryKey())
    .addColumn('watermark', 'bigint', (c) => c.notNull())
    .addColumn('updated_time', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('feature_training_datasets')
    .addColumn('dataset_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .addColumn('registry_version', 'integer', (c) => c.notNull())
    .addColumn('definitions', 'text', (c) => c.notNull())
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('feature_service', 'text')
    .addColumn('entity_digest', 'text', (c) => c.notNull())
    .addColumn('result_digest', 'text', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .execute();
  await db.schema.createIndex('feature_training_datasets_service_idx').on('feature_training_datasets').columns(['feature_service']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['feature_training_datasets', 'feature_watermarks', 'feature_materialization_runs', 'feature_objects', 'feature_registry_versions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
