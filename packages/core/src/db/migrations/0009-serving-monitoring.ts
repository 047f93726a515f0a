import type { Kysely } from 'kysely';

// Serving and monitoring: the inference log (when kept in the database), ground-truth labels, the
// statistics of each training set (what drift is measured against) and the training set a model
// version was registered from (its feature service and statistics). Written once for both dialects.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inference_log')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('entity', 'text')
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('inference_log_pk', ['request_id', 'row_index'])
    .execute();
  await db.schema.createIndex('inference_log_model_time_idx').on('inference_log').columns(['model', 'version', 'time']).execute();

  await db.schema
    .createTable('inference_labels')
    .addColumn('label_id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('row_index', 'integer')
    .addColumn('entity', 'text')
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inference_labels_model_idx').on('inference_labels').columns(['model', 'time']).execute();

  await db.schema.alterTable('feature_training_datasets').addColumn('statistics', 'text').execute();
  await db.schema.alterTable('model_versions').addColumn('training_dataset_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_versions').dropColumn('training_dataset_id').execute();
  await db.schema.alterTable('feature_training_datasets').dropColumn('statistics').execute();
  await db.schema.dropTable('inference_labels').ifExists().execute();
  await db.schema.dropTable('inference_log').ifExists().execute();
}
