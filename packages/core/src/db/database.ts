import { isAbsolute, resolve } from 'node:path';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { CairnError } from '../errors.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-registry.js';
import * as m0003 from './migrations/0003-features.js';
import * as m0004 from './migrations/0004-pipelines.js';
import * as m0005 from './migrations/0005-metric-segments.js';
import * as m0006 from './migrations/0006-pipeline-attempts.js';
import * as m0007 from './migrations/0007-external-model-versions.js';
import * as m0009 from './migrations/0009-serving-monitoring.js';
import * as m0010 from './migrations/0010-inference-log-key.js';
import type { Database } from './schema.js';
import { createSqliteDatabase, sqliteOpenError } from './sqlite/sqlite-database.js';

export type Dialect = 'sqlite' | 'postgres';

export interface MetadataDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Runs `fn`; the PostgreSQL queries it starts (until the promise it returns settles) are
   * cancelled on the server when `signal` aborts (the HTTP server passes one that aborts when the
   * client disconnects). SQLite runs queries synchronously, so there is nothing to cancel there.
   */
  withSignal<T>(signal: AbortSignal, fn: () => T): T;
  close(): Promise<void>;
}

/** Limits of the PostgreSQL connection pool (`store.*` in the config); SQLite ignores them. */
export interface PoolSettings {
  maxConnections?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

// Migrations ship inside the code (not read from disk) so a bundled or installed Cairn migrates the same.
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001, '0002-registry': m0002, '0003-features': m0003, '0004-pipelines': m0004, '0005-metric-segments': m0005,
  '0006-pipeline-attempts': m0006, '0007-external-model-versions': m0007, '0009-serving-monitoring': m0009,
  '0010-inference-log-key': m0010,
};
const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// The store URI comes from `store.uri` in cairn.yaml, CAIRN_STORE_URI, or a command's --uri.
const STORE_URI_FIX =
  "Set store.uri in cairn.yaml (or the environment variable CAIRN_STORE_URI) to sqlite:<path>, e.g. sqlite:.cairn/cairn.db (the default), or postgres://user@host:5432/db; a command's --uri sets it too.";

/**
 * Opens the metadata database named by a store URI and brings its schema up to date.
 * `sqlite:<path>` (relative to `baseDir`), `sqlite::memory:`, or `postgres://…[?schema=NAME]`.
 */
export async function openMetadataDatabase(uri: string, baseDir = process.cwd(), pool: PoolSettings = {}): Promise<MetadataDatabase> {
  let handle: MetadataDatabase;
  let migrating: { db: Kysely<Database>; schema: string | null };
  const file = sqliteFileOf(uri, baseDir);
  if (file !== null) {
    const db = createSqliteDatabase(file);
    handle = { db, dialect: 'sqlite', withSignal: (_signal, fn) => fn(), close: () => db.destroy() };
    migrating = { db, schema: null };
  } else if (/^postgres(ql)?:\/\//.test(uri)) {
    // pg is loaded only for a PostgreSQL store.
    const { createPostgresDatabase } = await import('./postgres/postgres-database.js');
    const opened = createPostgresDatabase({ uri, ...pool });
    handle = { db: opened.db, dialect: 'postgres', withSignal: (signal, fn) => opened.pool.withSignal(signal, fn), close: () => opened.db.destroy() };
    // Migrations run without the statement timeout: rewriting a large table may take minutes.
    migrating = createPostgresDatabase({ uri, maxConnections: 2, connectTimeoutMs: pool.connectTimeoutMs });
  } else {
    throw new CairnError('INVALID_ARGUMENT', `Unsupported store URI '${redact(uri)}'. ${STORE_URI_FIX}`);
  }
  try {
    const { db, schema } = migrating;
    if (schema) await ensureSchema(db, schema);
    await migrate(db, schema);
  } catch (e) {
    await handle.close();
    if (e instanceof CairnError) throw e;
    // A store this user may read but not write fails on its first write, which is the migration check.
    const sqliteCode = String((e as { cause?: { code?: unknown } }).cause?.code ?? (e as { code?: unknown }).code ?? '');
    if (file !== null && /^SQLITE_(READONLY|CANTOPEN|PERM)/.test(sqliteCode)) throw sqliteOpenError((e as { cause?: unknown }).cause ?? e, file);
    if (e instanceof MigrationError) {
      throw new CairnError('FAILED_PRECONDITION', `Cannot bring the metadata store at ${redact(uri)} up to date: ${e.message} Nothing was changed (migrations run in one transaction). ${e.fix}`, { cause: e.cause ?? e });
    }
    throw new CairnError('UNAVAILABLE', `Cannot open the metadata store at ${redact(uri)}: ${(e as Error).message}. Check that the database is up and that store.uri (CAIRN_STORE_URI) names it.`, { cause: e });
  } finally {
    if (migrating.db !== handle.db) await migrating.db.destroy();
  }
  return handle;
}

/** A migration that failed, named, with what to do about it. */
class MigrationError extends Error {
  constructor(message: string, readonly fix: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/** The file a `sqlite:` store URI names (absolute, or `:memory:`), or null for another scheme. */
export function sqliteFileOf(uri: string, baseDir = process.cwd()): string | null {
  if (!uri.startsWith('sqlite:')) return null;
  const path = uri.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (!path) throw new CairnError('INVALID_ARGUMENT', `Store URI '${uri}' names no file. ${STORE_URI_FIX}`);
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

// Creating a schema needs CREATE on the database even when it exists, so an existing one is left
// alone: a user who owns (or may create in) a schema made for it by an administrator needs no more.
async function ensureSchema(db: Kysely<Database>, schema: string): Promise<void> {
  const found = await sql<{ one: number }>`select 1 as one from pg_namespace where nspname = ${schema}`.execute(db);
  if (found.rows.length) return;
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db).catch(ignoreConcurrentCreate).catch((e: unknown) => {
    if ((e as { code?: string }).code !== '42501') throw e;
    throw new MigrationError(`its schema ${schema} does not exist and this user may not create it (${(e as Error).message}).`, `Create it as an administrator (CREATE SCHEMA ${schema} AUTHORIZATION <user>), or grant CREATE on the database to this user; then run again.`, { cause: e });
  });
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
  // process drops meanwhile (parallel test suites) makes that listing fail before anything ran:
  // "relation does not exist" (42P01) or "schema does not exist" (3F000), depending on the moment.
  for (let retry = 0; error && !results?.length && ['42P01', '3F000'].includes(String((error as { code?: string }).code)) && retry < 5; retry++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  // The guarded pool reports an unreachable or stalled database as UNAVAILABLE: keep that.
  if (error instanceof CairnError) throw error;
  if (error) throw await migrationError(migrator, results, error);
}

// Kysely names the failed migration only when one ran; a failure before (its bookkeeping tables,
// or a database newer than this code) names none, so find the migration that was about to run.
async function migrationError(migrator: Migrator, results: readonly MigrationResult[] | undefined, error: unknown): Promise<MigrationError> {
  const reason = (error as Error)?.message ?? String(error);
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) {
    return new MigrationError(`migration ${failed.migrationName} failed: ${reason}.`, 'Fix the cause above and run again. Tables of another application in the same schema are a common one: give Cairn a database or schema of its own (postgres://…?schema=cairn).', { cause: error });
  }
  const newer = /previously executed migration (\S+) is missing/.exec(reason);
  if (newer) {
    return new MigrationError(`it was migrated by a newer Cairn: it has migration ${newer[1]}, which this version does not know.`, 'Upgrade Cairn to the version that wrote it (or point store.uri at another database).', { cause: error });
  }
  const next = await migrator.getMigrations().then((all) => all.find((m) => m.executedAt === undefined)?.name ?? null, () => Object.keys(MIGRATIONS).sort()[0]!);
  const what = next ? `migration ${next} could not start` : 'checking its migrations failed';
  return new MigrationError(
    `${what}: ${reason} (while preparing the migration tables kysely_migration and kysely_migration_lock).`,
    "The database user must be able to create tables in the store's schema (on PostgreSQL: GRANT USAGE, CREATE ON SCHEMA <schema> TO <user>, or connect as the schema's owner); then run again.",
    { cause: error },
  );
}

/** The URI with its password (if any) replaced by `***`: `redis://:pw@h` and `postgres://u:pw@h` alike. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
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
