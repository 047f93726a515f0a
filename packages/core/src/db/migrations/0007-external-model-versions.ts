import type { Kysely } from 'kysely';

// External model versions (docs/registry.md#external-versions): a version whose files Cairn does not
// hold, only a pointer (`s3://…`, `runs:/<id>/…` of a run on another server, `mlflow-artifacts://host/…`)
// that clients follow themselves. `external_uri` holds that pointer; null means Cairn holds a copy of
// the files under `storage_path`, as every version before this migration did.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_versions').addColumn('external_uri', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Without the pointer an external version would claim files it never had: drop those versions first.
  await db.deleteFrom('model_versions' as never).where('external_uri' as never, 'is not', null).execute();
  await db.schema.alterTable('model_versions').dropColumn('external_uri').execute();
}
