// Opening a metadata store goes wrong in ways that are the user's setup, not a bug: a mistyped
// folder, tables of another application, a database written by a newer Cairn, a user without the
// right to create tables. Each must say what and where, and name the migration involved.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { freshPostgresUri, PG_BASE_URI, postgresAvailable } from '../testing/postgres.js';
import { openMetadataDatabase } from './database.js';

const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error);

describe('opening a SQLite store', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to create a store in a folder that does not exist (a mistyped --uri), and creates nothing', async () => {
    const e = await failure(openMetadataDatabase(`sqlite:${join(dir, 'typo', 'dir', 'c.db')}`));
    expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect(e.message).toContain(`the folder ${join(dir, 'typo', 'dir')} does not exist`);
    expect(e.message).toContain(`mkdir -p ${join(dir, 'typo', 'dir')}`);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it("creates a project's own .cairn/ folder, but only inside a folder that exists", async () => {
    const handle = await openMetadataDatabase('sqlite:.cairn/cairn.db', dir);
    await handle.close();
    expect(existsSync(join(dir, '.cairn', 'cairn.db'))).toBe(true);
    const e = await failure(openMetadataDatabase(`sqlite:${join(dir, 'missing', '.cairn', 'cairn.db')}`));
    expect(e.message).toContain(`the folder ${join(dir, 'missing', '.cairn')} does not exist`);
  });

  it('says what a file that is not a database is, with its path', async () => {
    const e = await failure(openMetadataDatabase(`sqlite:${dir}`));
    expect(isCairnError(e)).toBe(true);
    expect(e.message).toContain(`Cannot open the store ${dir}`);
  });
});

describe('migration errors on PostgreSQL name the migration', async () => {
  const available = await postgresAvailable();
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: PG_BASE_URI });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  it.skipIf(!available)('a table of another application in the schema: the failed migration by name, nothing changed', async () => {
    const db = freshPostgresUri('openerr');
    try {
      await admin((c) => c.query(`create schema ${db.schema}; create table ${db.schema}.experiments (x int)`));
      const e = await failure(openMetadataDatabase(db.uri));
      expect(isCairnError(e, 'FAILED_PRECONDITION')).toBe(true);
      expect(e.message).toContain('migration 0001-initial failed: relation "experiments" already exists.');
      expect(e.message).toContain('Nothing was changed');
      expect(e.message).toContain('?schema=');
      const tables = await admin((c) => c.query(`select table_name from information_schema.tables where table_schema = $1 and table_name = 'runs'`, [db.schema]));
      expect(tables.rowCount).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it.skipIf(!available)('a database migrated by a newer Cairn: names the migration this version lacks', async () => {
    const db = freshPostgresUri('openerr');
    try {
      await (await openMetadataDatabase(db.uri)).close();
      await admin((c) => c.query(`insert into ${db.schema}.kysely_migration (name, timestamp) values ('9999-from-the-future', now()::text)`));
      const e = await failure(openMetadataDatabase(db.uri));
      expect(e.message).toContain('migrated by a newer Cairn: it has migration 9999-from-the-future');
      expect(e.message).toContain('Upgrade Cairn');
      expect(e.message).not.toContain('migration ?');
    } finally {
      await db.drop();
    }
  });

  it.skipIf(!available)('a user who may not create tables: the migration that could not start, and the grant that helps (not "migration ?")', async () => {
    const role = `cairn_nocreate_${randomBytes(4).toString('hex')}`;
    const db = freshPostgresUri('openerr');
    await admin((c) => c.query(`create role ${role} login; create schema ${db.schema}; grant usage on schema ${db.schema} to ${role}`));
    try {
      const uri = db.uri.replace('//postgres@', `//${role}@`);
      expect(uri).toContain(role);
      const e = await failure(openMetadataDatabase(uri));
      expect(isCairnError(e, 'FAILED_PRECONDITION')).toBe(true);
      expect(e.message).toContain('migration 0001-initial could not start: permission denied for schema');
      expect(e.message).toContain('GRANT USAGE, CREATE ON SCHEMA');
      expect(e.message).not.toContain('migration ?');
    } finally {
      await db.drop();
      await admin((c) => c.query(`drop role if exists ${role}`));
    }
  });
});
