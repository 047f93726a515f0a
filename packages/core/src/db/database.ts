import { isAbsolute, resolve } from 'node:path';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { CairnError } from '../errors.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-registry.js';
import * as m0003 from './migrations/0003-features.js';
import * as m0004 from './migrations/0004-pipelines.js';
import * as m0005 from './migrations/0005-metric-segments.js';
import * as m0009 from './migrations/0009-serving-monitoring.js';
import { createPostgresDatabase } from './postgres/postgres-database.js';
import type { Database } from './schema.js';
import { createSqliteDatabase } from './sqlite/sqlite-database.js';

export type Dialect = 'sqlite' | 'postgres';

export interface MetadataDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// Migrations ship inside the code (not read from disk) so a bundled or installed Cairn migrates the same.
export const MIGRATIONS: Record<string, Migration> = { '0001-initial': m0001, '0002-registry': m0002, '0003-features': m0003, '0004-pipelines': m0004, '0005-metric-segments': m0005, '0009-serving-monitoring': m0009 };
const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// The store URI comes from `store.uri` in cairn.yaml, CAIRN_STORE_URI, or a command's --uri.
const STORE_URI_FIX =
  "Set store.uri in cairn.yaml (or the environment variable CAIRN_STORE_URI) to sqlite:<path>, e.g. sqlite:.cairn/cairn.db (the default), or postgres://user@host:5432/db; a command's --uri sets it too.";

/**
 * Opens the metadata database named by a store URI and brings its schema up to date.
 * `sqlite:<path>` (relative to `baseDir`), `sqlite::memory:`, or `postgres://…[?schema=NAME]`.
 */
export async function openMetadataDatabase(uri: string, baseDir = process.cwd()): Promise<MetadataDatabase> {
  let handle: MetadataDatabase;
  let schema: string | null = null;
  const file = sqliteFileOf(uri, baseDir);
  if (file !== null) {
    const db = createSqliteDatabase(file);
    handle = { db, dialect: 'sqlite', close: () => db.destroy() };
  } else if (/^postgres(ql)?:\/\//.test(uri)) {
    const opened = createPostgresDatabase({ uri });
    schema = opened.schema;
    handle = { db: opened.db, dialect: 'postgres', close: () => opened.db.destroy() };
  } else {
    throw new CairnError('INVALID_ARGUMENT', `Unsupported store URI '${redact(uri)}'. ${STORE_URI_FIX}`);
  }
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(handle.db).catch(ignoreConcurrentCreate);
    await migrate(handle.db, schema);
  } catch (e) {
    await handle.close();
    if (e instanceof CairnError) throw e;
    throw new CairnError('UNAVAILABLE', `Cannot open the metadata store at ${redact(uri)}: ${(e as Error).message}. Check that the database is up and that store.uri (CAIRN_STORE_URI) names it.`, { cause: e });
  }
  return handle;
}

/** The file a `sqlite:` store URI names (absolute, or `:memory:`), or null for another scheme. */
export function sqliteFileOf(uri: string, baseDir = process.cwd()): string | null {
  if (!uri.startsWith('sqlite:')) return null;
  const path = uri.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (!path) throw new CairnError('INVALID_ARGUMENT', `Store URI '${uri}' names no file. ${STORE_URI_FIX}`);
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

// Two processes racing `create schema if not exists` on PostgreSQL can still collide on the catalog.
function ignoreConcurrentCreate(e: unknown): void {
  if ((e as { code?: string }).code !== '23505') throw e;
}

async function migrate(db: Kysely<Database>, schema: string | null): Promise<void> {
  // Subsystems add their own migration files; unordered lets them land in any order.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely finds its migration table by listing every table of the database; a schema another
  // process drops meanwhile (parallel test suites) makes that listing fail before anything ran.
  for (let retry = 0; error && !results?.length && (error as { code?: string }).code === '42P01' && retry < 5; retry++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** True when `e` is a unique-constraint violation on either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return err?.code === '23503' || err?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
