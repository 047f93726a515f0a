import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresUri } from '../../testing/postgres.js';
import { BACKENDS, backendAvailable } from '../../testing/platforms.js';
import { createPostgresDatabase } from '../postgres/postgres-database.js';
import { createSqliteDatabase } from '../sqlite/sqlite-database.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-registry.js';
import * as m0003 from './0003-features.js';
import * as m0004 from './0004-pipelines.js';
import * as m0005 from './0005-metric-segments.js';
import * as m0006 from './0006-pipeline-attempts.js';
import type { Database } from '../schema.js';
import type { PipelineTables } from '../../pipelines/sql/pipeline-tables.js';

const BEFORE: Record<string, Migration> = { '0001-initial': m0001, '0002-registry': m0002, '0003-features': m0003, '0004-pipelines': m0004, '0005-metric-segments': m0005 };
const AFTER: Record<string, Migration> = { ...BEFORE, '0006-pipeline-attempts': m0006 };

async function open(backend: string, dir: string): Promise<{ db: Kysely<Database & PipelineTables>; migrator(set: Record<string, Migration>): Migrator; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const db = createSqliteDatabase(join(dir, 'old.db')).withTables<PipelineTables>();
    return { db, migrator: (set) => new Migrator({ db, provider: { getMigrations: async () => set } }), drop: () => db.destroy() };
  }
  const pg = freshPostgresUri('mig6');
  const opened = createPostgresDatabase({ uri: pg.uri });
  const db = opened.db.withTables<PipelineTables>();
  const schema = opened.schema;
  await sql`create schema ${sql.id(schema!)}`.execute(db);
  return {
    db,
    migrator: (set) => new Migrator({ db, provider: { getMigrations: async () => set }, migrationTableSchema: schema! }),
    drop: async () => {
      await db.destroy();
      await pg.drop();
    },
  };
}

const step = (id: string, status: string, attempt: number, start: number | null) => ({
  step_run_id: id, run_id: 'r'.repeat(32), step_id: id.slice(0, 4), step_name: id.slice(0, 4), kind: 'function', position: 0, status, attempt, max_attempts: 3,
  start_time: start, end_time: start === null ? null : start + 5, error_message: status === 'FAILED' ? 'boom' : null, error_stack: null, cache_key: null,
  cache_parts: null, cache_status: null, cache_note: null, cached_from: null, tracking_run_id: null, dispatch_token: null, claim_token: null,
  worker: 'host:1', lease_time: null, upstream: '[]', bindings: '{}',
});

for (const backend of BACKENDS) {
  describe(`migration 0006 (pipeline attempts): ${backend}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-mig6-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("keeps each step run's last attempt as its first row; down removes what it added", async (ctx) => {
      if (!(await backendAvailable(backend))) return ctx.skip();
      const { db, migrator, drop } = await open(backend, dir);
      try {
        const up = async (set: Record<string, Migration>) => {
          const { error } = await migrator(set).migrateToLatest();
          if (error) throw error;
        };
        await up(BEFORE);
        await db.insertInto('pipeline_runs').values({
          run_id: 'r'.repeat(32), pipeline_name: 'p', status: 'FAILED', status_reason: null, params: '{}', source_file: null, export_name: null, executor: 'local',
          experiment_id: null, tracking_run_id: null, no_cache: 0, step_count: 4, created_time: 1, end_time: 9, heartbeat_time: 9, owner_token: null, cancel_requested: 0, resume_count: 0,
        }).execute();
        await db.insertInto('step_runs').values([
          step(`done${'0'.repeat(28)}`, 'COMPLETED', 2, 100), step(`fail${'0'.repeat(28)}`, 'FAILED', 3, 200),
          step(`hit_${'0'.repeat(28)}`, 'CACHED', 0, 300), step(`todo${'0'.repeat(28)}`, 'PENDING', 0, null),
        ].map((s, i) => ({ ...s, position: i }))).execute();

        await up(AFTER);
        const rows = await db.selectFrom('step_attempts').select(['step_run_id', 'attempt', 'status', 'start_time', 'end_time', 'error_message', 'worker', 'process_group']).orderBy('start_time').execute();
        expect(rows.map((r) => ({ ...r, start_time: Number(r.start_time), end_time: Number(r.end_time) }))).toEqual([
          { step_run_id: `done${'0'.repeat(28)}`, attempt: 2, status: 'COMPLETED', start_time: 100, end_time: 105, error_message: null, worker: 'host:1', process_group: null },
          { step_run_id: `fail${'0'.repeat(28)}`, attempt: 3, status: 'FAILED', start_time: 200, end_time: 205, error_message: 'boom', worker: 'host:1', process_group: null },
        ]);
        expect(await db.selectFrom('pipeline_runs').select('runner').executeTakeFirst()).toEqual({ runner: null });
        expect(await db.selectFrom('schedule_ticks').select(['claim_token', 'lease_time']).execute()).toEqual([]);

        const { error } = await migrator(AFTER).migrateDown();
        if (error) throw error;
        await expect(db.selectFrom('step_attempts').selectAll().execute()).rejects.toThrow();
        await expect(db.selectFrom('pipeline_runs').select('runner').execute()).rejects.toThrow();
        expect((await db.selectFrom('step_runs').select('step_run_id').execute())).toHaveLength(4);
        await up(AFTER);
        expect(await db.selectFrom('step_attempts').select('attempt').execute()).toHaveLength(2);
      } finally {
        await drop();
      }
    });
  });
}
