import { sql, type Kysely } from 'kysely';

// Pipelines on a bad day (docs/pipelines.md, "Crash safety"):
// - `step_attempts`: one row per attempt of a step run, written when the attempt starts, so a killed
//   attempt stays on record (numbered, with its own outcome and end time) when a retry, a resume or
//   a takeover runs the step again. `process_group` is the process group of the attempt's child
//   process (command and isolated steps), so a resume or a takeover can kill what a dead runner left.
// - `pipeline_runs.runner`: `host:pid` of the process running the run, so a resume or cancel on the
//   same host can tell at once that it died instead of waiting for its heartbeat to lapse.
// - `schedule_ticks.claim_token` / `lease_time`: a scheduler holds a claimed tick under a lease until
//   the tick's run exists; a claim whose scheduler died is taken over once its lease lapsed.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('step_attempts')
    .addColumn('step_run_id', 'text', (c) => c.notNull().references('step_runs.step_run_id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .addColumn('error_message', 'text')
    .addColumn('worker', 'text')
    .addColumn('process_group', 'integer')
    .addPrimaryKeyConstraint('step_attempts_pk', ['step_run_id', 'attempt'])
    .execute();
  // Attempts that ran before this migration: the last one of each step run is all that was kept.
  await sql`insert into step_attempts (step_run_id, attempt, status, start_time, end_time, error_message, worker)
    select step_run_id, attempt,
      case when status = 'COMPLETED' then 'COMPLETED' when status = 'RUNNING' then 'RUNNING'
        when status in ('CANCELLED', 'SKIPPED') then 'CANCELLED' else 'FAILED' end,
      start_time, end_time, error_message, worker
    from step_runs where attempt > 0 and start_time is not null and status not in ('CACHED', 'QUEUED', 'PENDING')`.execute(db);

  await db.schema.alterTable('pipeline_runs').addColumn('runner', 'text').execute();
  await db.schema.alterTable('schedule_ticks').addColumn('claim_token', 'text').execute();
  await db.schema.alterTable('schedule_ticks').addColumn('lease_time', 'bigint').execute();
  // Schedulers look for claims left half-done every poll: only the open ones, whatever the history's size.
  await db.schema.createIndex('schedule_ticks_open_idx').on('schedule_ticks').column('lease_time').where(sql.ref('run_id'), 'is', null).where(sql.ref('error'), 'is', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('schedule_ticks_open_idx').ifExists().execute();
  await db.schema.alterTable('schedule_ticks').dropColumn('lease_time').execute();
  await db.schema.alterTable('schedule_ticks').dropColumn('claim_token').execute();
  await db.schema.alterTable('pipeline_runs').dropColumn('runner').execute();
  await db.schema.dropTable('step_attempts').ifExists().execute();
}
