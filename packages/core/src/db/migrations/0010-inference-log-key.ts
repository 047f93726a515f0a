import type { Kysely } from 'kysely';

// The inference log's key gains the model: a caller's X-Request-Id is kept as the request id, and a
// gateway that stamps one id on a request it sends to two models (an A/B split, an ensemble, a
// trace) must get both models' rows, where the old key (request id, row) kept only the first. The
// table is rebuilt (SQLite cannot change a primary key in place), rows copied as they are; on a
// large log the copy holds the table for a while, and serving processes' writes wait or fail and
// are written again from their spool.

const COLUMNS = ['request_id', 'row_index', 'model', 'version', 'time', 'entity', 'inputs', 'output', 'latency_ms'] as const;

// The key's name differs each way: in PostgreSQL it names an index, and both tables exist at once.
async function rebuild(db: Kysely<unknown>, name: string, key: string[]): Promise<void> {
  const d = db as Kysely<Record<string, Record<(typeof COLUMNS)[number], unknown>>>;
  await db.schema
    .createTable('inference_log_rebuilt')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('entity', 'text')
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint(name, key as never)
    .execute();
  // Going down, two models' rows under one request id no longer fit the narrower key: the first stays.
  await d.insertInto('inference_log_rebuilt').columns([...COLUMNS])
    .expression(d.selectFrom('inference_log').select([...COLUMNS]).orderBy('time'))
    .onConflict((oc) => oc.doNothing()).execute();
  await db.schema.dropTable('inference_log').execute();
  await db.schema.alterTable('inference_log_rebuilt').renameTo('inference_log').execute();
  await db.schema.createIndex('inference_log_model_time_idx').on('inference_log').columns(['model', 'version', 'time']).execute();
}

// Labels by request id are found by when they were posted (the server's clock: a label cannot be
// posted before the answer that gave its id), so a monitoring run reads a window's worth of them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, 'inference_log_model_key', ['model', 'request_id', 'row_index']);
  await db.schema.createIndex('inference_labels_model_created_idx').on('inference_labels').columns(['model', 'created_time']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inference_labels_model_created_idx').execute();
  await rebuild(db, 'inference_log_pk', ['request_id', 'row_index']);
}
