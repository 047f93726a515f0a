import type { Kysely } from 'kysely';

// The model registry's tables (docs/registry.md), written once for SQLite and PostgreSQL. Models are
// keyed by a stable id so a rename touches one row; the audit log keeps the name as it was.
const isPg = (db: Kysely<unknown>) => db.getExecutor().adapter.constructor.name.startsWith('Postgres');

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPg(db);
  await db.schema
    .createTable('registered_models')
    .addColumn('model_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    // The last version number handed out: bumped in the registering transaction, so numbers are gapless.
    .addColumn('version_counter', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('registered_model_tags')
    .addColumn('model_id', 'text', (c) => c.notNull().references('registered_models.model_id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_model_tags_pk', ['model_id', 'key'])
    .execute();
  await db.schema.createIndex('registered_model_tags_kv_idx').on('registered_model_tags').columns(['key', 'value', 'model_id']).execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('model_id', 'text', (c) => c.notNull().references('registered_models.model_id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('description', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('current_stage', 'text', (c) => c.notNull())
    .addColumn('storage_path', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('unsafe', 'integer', (c) => c.notNull())
    .addColumn('signature', 'text')
    .addColumn('input_example', 'text')
    .addColumn('size_bytes', 'bigint')
    .addColumn('digest', 'text')
    .addColumn('file_count', 'integer')
    .addColumn('manifest', 'text')
    .addPrimaryKeyConstraint('model_versions_pk', ['model_id', 'version'])
    .execute();
  await db.schema.createIndex('model_versions_run_idx').on('model_versions').columns(['run_id']).execute();

  await db.schema
    .createTable('model_version_tags')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['model_id', 'version', 'key'])
    .addForeignKeyConstraint('model_version_tags_fk', ['model_id', 'version'], 'model_versions', ['model_id', 'version'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('model_version_tags_kv_idx').on('model_version_tags').columns(['key', 'value']).execute();

  await db.schema
    .createTable('model_aliases')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_id', 'alias'])
    .addForeignKeyConstraint('model_aliases_fk', ['model_id', 'version'], 'model_versions', ['model_id', 'version'], (fk) => fk.onDelete('cascade'))
    .execute();

  // Append-only: no foreign key, so events outlive the model they describe.
  await db.schema
    .createTable('registry_events')
    .addColumn('event_id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer')
    .addColumn('alias', 'text')
    .addColumn('key', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('registry_events_model_idx').on('registry_events').columns(['model_id', 'event_id']).execute();
  await db.schema.createIndex('registry_events_alias_idx').on('registry_events').columns(['model_id', 'alias', 'time']).execute();
  await db.schema.createIndex('registry_events_name_idx').on('registry_events').columns(['model_name', 'event_id']).execute();

  await db.schema
    .createTable('registry_gates')
    .addColumn('model_id', 'text', (c) => c.notNull().references('registered_models.model_id').onDelete('cascade'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('require_signature', 'integer', (c) => c.notNull())
    .addColumn('protected', 'integer', (c) => c.notNull())
    .addColumn('updated_time', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_gates_pk', ['model_id', 'alias'])
    .execute();

  await db.schema
    .createTable('registry_webhooks')
    .addColumn('webhook_id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text')
    .addColumn('description', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .execute();

  // The outbox: one row per (webhook, event), written in the transaction that records the event.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull().references('registry_webhooks.webhook_id').onDelete('cascade'))
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_time', 'bigint')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_time']).execute();
  await db.schema.createIndex('webhook_deliveries_hook_idx').on('webhook_deliveries').columns(['webhook_id', 'created_time']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.delivery_id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'registry_webhooks', 'registry_gates', 'registry_events', 'model_aliases', 'model_version_tags', 'model_versions', 'registered_model_tags', 'registered_models']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
