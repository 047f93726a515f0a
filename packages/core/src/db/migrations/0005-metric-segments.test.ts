import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { openPlatform } from '../../platform.js';
import { freshPostgresUri } from '../../testing/postgres.js';
import { BACKENDS, backendAvailable } from '../../testing/platforms.js';
import { MIGRATIONS, openMetadataDatabase } from '../database.js';
import { createPostgresDatabase } from '../postgres/postgres-database.js';
import { createSqliteDatabase } from '../sqlite/sqlite-database.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-registry.js';
import * as m0003 from './0003-features.js';
import * as m0004 from './0004-pipelines.js';
import * as m0005 from './0005-metric-segments.js';

interface OldMetric { run_uuid: string; key: string; step: number; timestamp: number; value: number; is_nan: number }
interface OldTables {
  runs: Record<string, unknown>;
  metrics: OldMetric;
}

const BEFORE: Record<string, Migration> = { '0001-initial': m0001, '0002-registry': m0002, '0003-features': m0003, '0004-pipelines': m0004 };

/** A database at migration 0004 (one row per metric point), as Cairn left it before segments. */
async function openAt0004(backend: string, dir: string): Promise<{ uri: string; db: Kysely<OldTables>; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const file = join(dir, 'old.db');
    const db = createSqliteDatabase(file);
    await new Migrator({ db, provider: { getMigrations: async () => BEFORE } }).migrateToLatest().then(({ error }) => { if (error) throw error; });
    return { uri: `sqlite:${file}`, db: db as unknown as Kysely<OldTables>, drop: async () => {} };
  }
  const pg = freshPostgresUri('mig5');
  const { db, schema } = createPostgresDatabase({ uri: pg.uri });
  await sql`create schema ${sql.id(schema!)}`.execute(db);
  await new Migrator({ db, provider: { getMigrations: async () => BEFORE }, migrationTableSchema: schema! }).migrateToLatest().then(({ error }) => { if (error) throw error; });
  return { uri: pg.uri, db: db as unknown as Kysely<OldTables>, drop: pg.drop };
}

const RUN = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);
const row = (run_uuid: string, key: string, step: number, timestamp: number, value: number): OldMetric => {
  const nan = Number.isNaN(value);
  return { run_uuid, key, step, timestamp, value: nan ? 0 : value, is_nan: nan ? 1 : 0 };
};

for (const backend of BACKENDS) {
  describe(`migration 0005 (metric segments): ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-mig5-'));
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('moves existing history into segments, in history order, and drops the old table; down moves it back', async (ctx) => {
      if (skip) return ctx.skip();
      const old = await openAt0004(backend, dir);
      try {
        for (const id of [RUN, OTHER]) {
          await old.db.insertInto('runs').values({
            run_uuid: id, experiment_id: 0, name: id, user_id: 'u', status: 'RUNNING', start_time: 1, lifecycle_stage: 'active', artifact_uri: `0/${id}/artifacts`,
          }).execute();
        }
        // 20,000 points of `long` (more than two segments), inserted out of order.
        const long = Array.from({ length: 20_000 }, (_, i) => row(RUN, 'long', 19_999 - i, 1_700_000_000_000 + i, i / 7));
        // NaN shares (step, timestamp) with numbers: it was stored as 0 and must now come first.
        const odd = [row(RUN, 'odd', 1, 5, 3), row(RUN, 'odd', 1, 5, Number.NaN), row(RUN, 'odd', 1, 5, -1), row(RUN, 'odd', 0, 9, Infinity), row(RUN, 'odd', 2, 0, -Infinity)];
        const other = [row(OTHER, 'long', 3, 3, 3)];
        for (let i = 0; i < long.length; i += 2000) await old.db.insertInto('metrics').values(long.slice(i, i + 2000)).execute();
        await old.db.insertInto('metrics').values([...odd, ...other]).execute();
      } finally {
        await old.db.destroy();
      }

      const config = loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: old.uri }, artifact: { uri: join(dir, 'artifacts') } } });
      const p = await openPlatform(config);
      try {
        const history = await p.runs.getMetricHistory(RUN, 'long');
        expect(history.items).toHaveLength(20_000);
        history.items.forEach((m, i) => expect(m).toEqual({ key: 'long', step: i, timestamp: 1_700_000_000_000 + 19_999 - i, value: (19_999 - i) / 7 }));
        const segs = await p.database.db.selectFrom('metric_segments').select(['seq', 'n', 'min_step', 'max_step']).where('run_uuid', '=', RUN).where('key', '=', 'long').orderBy('seq').execute();
        expect(segs).toEqual([{ seq: 0, n: 8192, min_step: 0, max_step: 8191 }, { seq: 1, n: 8192, min_step: 8192, max_step: 16_383 }, { seq: 2, n: 3616, min_step: 16_384, max_step: 19_999 }]);
        const odd = (await p.runs.getMetricHistory(RUN, 'odd')).items.map((m) => [m.step, m.timestamp, m.value]);
        expect(odd).toEqual([[0, 9, Infinity], [1, 5, Number.NaN], [1, 5, -1], [1, 5, 3], [2, 0, -Infinity]]);
        expect((await p.runs.getMetricHistory(OTHER, 'long')).items).toEqual([{ key: 'long', step: 3, timestamp: 3, value: 3 }]);
        // New points append after the migrated ones.
        await p.runs.logBatch(RUN, { metrics: [{ key: 'odd', step: 3, timestamp: 0, value: 1 }] });
        expect((await p.runs.getMetricHistory(RUN, 'odd')).items).toHaveLength(6);
        await expect(sql`select count(*) from metrics`.execute(p.database.db)).rejects.toThrow();
      } finally {
        await p.close();
      }

      // And back down to 0004 (undoing later migrations first): one row per point again, NaN as the flag.
      const reopened = await openMetadataDatabase(old.uri, dir);
      try {
        expect(MIGRATIONS['0005-metric-segments']).toBe(m0005);
        const result = await new Migrator({
          db: reopened.db,
          provider: { getMigrations: async () => MIGRATIONS },
          allowUnorderedMigrations: true,
          ...(backend === 'postgres' ? { migrationTableSchema: new URL(old.uri).searchParams.get('schema')! } : {}),
        }).migrateTo('0004-pipelines');
        expect(result.error).toBeUndefined();
        const db = reopened.db as unknown as Kysely<OldTables>;
        const rows = await db.selectFrom('metrics').selectAll().where('key', '=', 'odd').orderBy('step').orderBy('value').execute();
        expect(rows.map((r) => [r.step, r.value, r.is_nan])).toEqual([[0, Infinity, 0], [1, -1, 0], [1, 0, 1], [1, 3, 0], [2, -Infinity, 0], [3, 1, 0]]);
        expect(Number((await db.selectFrom('metrics').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(20_007);
      } finally {
        await reopened.close();
        await old.drop();
      }
    });
  });
}
