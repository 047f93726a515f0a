import type { Kysely } from 'kysely';

// Pipeline orchestrator tables (docs/pipelines.md). Times are epoch milliseconds; JSON is stored as text.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pipeline_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text')
    .addColumn('export_name', 'text')
    .addColumn('executor', 'text', (c) => c.notNull())
    .addColumn('experiment_id', 'integer')
    .addColumn('tracking_run_id', 'text')
    .addColumn('no_cache', 'integer', (c) => c.notNull())
    .addColumn('step_count', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .addColumn('heartbeat_time', 'bigint')
    .addColumn('owner_token', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull())
    .addColumn('resume_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pipeline_runs_name_idx').on('pipeline_runs').columns(['pipeline_name', 'created_time']).execute();
  await db.schema.createIndex('pipeline_runs_status_idx').on('pipeline_runs').columns(['status', 'heartbeat_time']).execute();

  await db.schema
    .createTable('step_runs')
    .addColumn('step_run_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('pipeline_runs.run_id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('step_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('start_time', 'bigint')
    .addColumn('end_time', 'bigint')
    .addColumn('error_message', 'text')
    .addColumn('error_stack', 'text')
    .addColumn('cache_key', 'text')
    .addColumn('cache_parts', 'text')
    .addColumn('cache_status', 'text')
    .addColumn('cache_note', 'text')
    .addColumn('cached_from', 'text')
    .addColumn('tracking_run_id', 'text')
    .addColumn('dispatch_token', 'text')
    .addColumn('claim_token', 'text')
    .addColumn('worker', 'text')
    .addColumn('lease_time', 'bigint')
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('bindings', 'text', (c) => c.notNull())
    .addUniqueConstraint('step_runs_run_step_uq', ['run_id', 'step_id'])
    .execute();
  await db.schema.createIndex('step_runs_run_idx').on('step_runs').columns(['run_id', 'position']).execute();
  // The cache lookup takes the latest COMPLETED run with a key: (key, status, end_time) answers it from the index.
  await db.schema.createIndex('step_runs_cache_idx').on('step_runs').columns(['cache_key', 'status', 'end_time']).execute();
  await db.schema.createIndex('step_runs_name_idx').on('step_runs').columns(['step_name', 'end_time']).execute();

  await db.schema
    .createTable('pipeline_artifacts')
    .addColumn('artifact_id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('materializer', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .execute();

  // Lineage: which step run produced (output) or consumed (input) which artifact, under which name.
  await db.schema
    .createTable('artifact_links')
    .addColumn('step_run_id', 'text', (c) => c.notNull().references('step_runs.step_run_id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('pipeline_artifacts.artifact_id'))
    .addPrimaryKeyConstraint('artifact_links_pk', ['step_run_id', 'direction', 'name'])
    .execute();
  await db.schema.createIndex('artifact_links_artifact_idx').on('artifact_links').column('artifact_id').execute();

  await db.schema
    .createTable('step_logs')
    .addColumn('step_run_id', 'text', (c) => c.notNull().references('step_runs.step_run_id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('step_logs_pk', ['step_run_id', 'attempt', 'seq'])
    .execute();

  await db.schema
    .createTable('pipeline_definitions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('source_file', 'text')
    .addColumn('export_name', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('step_count', 'integer', (c) => c.notNull())
    .addColumn('updated_time', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pipeline_schedules')
    .addColumn('schedule_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('pipeline_name', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text', (c) => c.notNull())
    .addColumn('export_name', 'text')
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .addColumn('last_tick_time', 'bigint')
    .execute();

  // One row per fired tick: the primary key is what stops two schedulers firing the same tick.
  await db.schema
    .createTable('schedule_ticks')
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('pipeline_schedules.schedule_id').onDelete('cascade'))
    .addColumn('tick_time', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('fired_time', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('schedule_ticks_pk', ['schedule_id', 'tick_time'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['schedule_ticks', 'pipeline_schedules', 'pipeline_definitions', 'step_logs', 'artifact_links', 'pipeline_artifacts', 'step_runs', 'pipeline_runs']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
