import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUri } from '../../testing/postgres.js';
import { BACKENDS, backendAvailable } from '../../testing/platforms.js';
import { MIGRATIONS, openMetadataDatabase } from '../database.js';

type Db = Kysely<Record<string, Record<string, unknown>>>;

const row = (model: string, requestId: string, time: number) => ({
  request_id: requestId, row_index: 0, model, version: 1, time, entity: null, inputs: '{"x":1}', output: '0.5', latency_ms: 1,
});

for (const backend of BACKENDS) {
  describe(`migration 0010 (inference log keyed by model): ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-mig10-'));
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps one request id in two models; down keeps the first of them, up again keeps every row', async (ctx) => {
      if (skip) return ctx.skip();
      const pg = backend === 'postgres' ? freshPostgresUri('mig10') : null;
      const handle = await openMetadataDatabase(pg ? pg.uri : `sqlite:${join(dir, 'c.db')}`);
      const db = handle.db as unknown as Db;
      const models = async () => (await db.selectFrom('inference_log').select(['model', 'request_id']).orderBy('model').orderBy('request_id').execute()).map((r) => `${r.model}/${r.request_id}`);
      try {
        await db.insertInto('inference_log').values([row('a', 'shared', 1), row('b', 'shared', 2), row('a', 'own', 3)]).execute();
        expect(await models()).toEqual(['a/own', 'a/shared', 'b/shared']);
        await expect(db.insertInto('inference_log').values(row('a', 'shared', 4)).execute()).rejects.toThrow();

        const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true, ...(pg ? { migrationTableSchema: pg.schema } : {}) });
        const down = await migrator.migrateTo('0009-serving-monitoring');
        expect(down.error).toBeUndefined();
        expect(down.results?.map((r) => r.migrationName)).toEqual(['0010-inference-log-key']);
        expect(await models()).toEqual(['a/own', 'a/shared']);

        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        await db.insertInto('inference_log').values(row('b', 'shared', 5)).execute();
        expect(await models()).toEqual(['a/own', 'a/shared', 'b/shared']);
      } finally {
        await handle.close();
        await pg?.drop();
      }
    });
  });
}
