import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUri } from '../../testing/postgres.js';
import { BACKENDS, backendAvailable } from '../../testing/platforms.js';
import { MIGRATIONS, openMetadataDatabase } from '../database.js';


type Db = Kysely<Record<string, Record<string, unknown>>>;

const version = (n: number, external: string | null) => ({
  model_id: 'm'.repeat(32), version: n, creation_time: 1, last_updated_time: 1, user_id: 'u', description: null, source: external ?? `runs:/r/model`,
  run_id: null, status: 'READY', status_message: null, current_stage: 'None', storage_path: `registry/${'m'.repeat(32)}/${n}`, format: 'other', unsafe: 1,
  signature: null, input_example: null, size_bytes: null, digest: null, file_count: null, manifest: null, external_uri: external,
});

const columns = async (db: Db, dialect: string): Promise<string[]> =>
  dialect === 'sqlite'
    ? (await sql<{ name: string }>`select name from pragma_table_info('model_versions')`.execute(db)).rows.map((r) => r.name)
    : (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'model_versions' and table_schema = current_schema()`.execute(db)).rows.map((r) => r.column_name);

for (const backend of BACKENDS) {
  describe(`migration 0007 (external model versions): ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-mig7-'));
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('adds external_uri; down drops the external versions with it and keeps the others', async (ctx) => {
      if (skip) return ctx.skip();
      const pg = backend === 'postgres' ? freshPostgresUri('mig7') : null;
      const handle = await openMetadataDatabase(pg ? pg.uri : `sqlite:${join(dir, 'c.db')}`);
      const db = handle.db as unknown as Db;
      try {
        expect(await columns(db, handle.dialect)).toContain('external_uri');
        await db.insertInto('registered_models').values({ model_id: 'm'.repeat(32), name: 'ext', description: null, creation_time: 1, last_updated_time: 1, version_counter: 2 }).execute();
        await db.insertInto('model_versions').values([version(1, null), version(2, 's3://bucket/model')]).execute();
        // Every migration Cairn has: later ones are undone first, down to the one before 0007.
        const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true, ...(pg ? { migrationTableSchema: pg.schema } : {}) });
        const down = await migrator.migrateTo('0006-pipeline-attempts');
        expect(down.error).toBeUndefined();
        expect(down.results?.map((r) => r.migrationName)).toContain('0007-external-model-versions');
        expect(await columns(db, handle.dialect)).not.toContain('external_uri');
        expect((await db.selectFrom('model_versions').select('version').execute()).map((r) => Number(r.version))).toEqual([1]);
        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        expect(await columns(db, handle.dialect)).toContain('external_uri');
      } finally {
        await handle.close();
        await pg?.drop();
      }
    });
  });
}
