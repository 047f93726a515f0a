import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type SqliteDatabase,
  type SqliteStatement,
  type MigrationLockOptions,
} from 'kysely';
import { CairnError } from '../../errors.js';
import { sqlLike } from '../../util/like.js';
import { withDiskFullErrors } from '../disk-full.js';
import type { Database } from '../schema.js';

/** How long a writer waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 60_000;

// Writers start with BEGIN IMMEDIATE: they take the write lock up front and wait for it (busy timeout),
// instead of failing with SQLITE_BUSY when a read transaction tries to upgrade after another process wrote.
// A full disk is reported as such (see disk-full.ts), never as whatever a later statement then hits.
class ImmediateSqliteDriver extends SqliteDriver {
  private guarded: DatabaseConnection | undefined;

  constructor(private readonly database: SqliteDatabase & { readonly inTransaction: boolean }) {
    super({ database });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    // SQLite has one connection, so one wrapper serves every acquisition.
    if (this.guarded === undefined) this.guarded = withDiskFullErrors(connection, 'the metadata store (SQLite)');
    return this.guarded;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  // SQLite ends the transaction itself on some failures (SQLITE_FULL among them); a ROLLBACK then
  // fails with "cannot rollback - no transaction is active", and that error would replace the real one.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await super.rollbackTransaction(connection);
  }
}

// Kysely's SQLite adapter has no migration lock (it assumes one process) and runs migrations outside a
// transaction. Here they run in one (BEGIN IMMEDIATE) that first writes the lock row, so concurrent
// `cairn` processes on an empty database migrate one after another.
class LockingSqliteAdapter extends SqliteAdapter {
  // SQLite does run DDL inside transactions; saying so makes the Migrator wrap all of it in one.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 1 where id = ${options.lockRowId}`.execute(db);
  }
}

class CairnSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase & { readonly inTransaction: boolean }) {
    super({ database });
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.database);
  }
  override createAdapter() {
    return new LockingSqliteAdapter();
  }
}

/**
 * Opens (creating if needed) a SQLite metadata database at `path` (`:memory:` allowed). A new
 * database is created only in a folder that exists, or in a project's own `.cairn/` folder (made
 * here, inside an existing folder): a mistyped path fails instead of leaving a stray empty store.
 */
export function createSqliteDatabase(path: string): Kysely<Database> {
  if (path !== ':memory:') prepareFolder(path);
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
  } catch (e) {
    database?.close();
    throw sqliteOpenError(e, path);
  }
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // A 64 MiB page cache and memory-mapped reads keep large history and search scans off read(2).
  database.pragma('cache_size = -65536');
  database.pragma('mmap_size = 268435456');
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.function('cairn_like', { deterministic: true }, (value: unknown, pattern: unknown, ci: unknown) =>
    typeof value === 'string' && typeof pattern === 'string' && sqlLike(value, pattern, ci === 1) ? 1 : 0,
  );
  return new Kysely<Database>({ dialect: new CairnSqliteDialect(withStatementCache(database)) });
}

const FIX_URI = 'store.uri in cairn.yaml, CAIRN_STORE_URI or --uri';

function prepareFolder(path: string): void {
  const folder = dirname(path);
  if (existsSync(folder)) return;
  if (basename(folder) === '.cairn' && existsSync(dirname(folder))) {
    try {
      mkdirSync(folder);
      return;
    } catch (e) {
      const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
      throw new CairnError('FAILED_PRECONDITION', `Cannot create the store folder ${folder}: ${dirname(folder)} is not writable by this user${who} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Make it writable, or point ${FIX_URI} at a writable place.`, { cause: e });
    }
  }
  throw new CairnError('INVALID_ARGUMENT', `Cannot create the store ${path}: the folder ${folder} does not exist. Check the path (${FIX_URI}); if it is right, create the folder first: mkdir -p ${folder}`);
}

/** Why a SQLite store could not be opened, with its path and what to change (SQLite itself says only "unable to open database file"). */
export function sqliteOpenError(e: unknown, path: string): CairnError {
  if (e instanceof CairnError) return e;
  const folder = dirname(path);
  const writable = (p: string) => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  const reason = (e as Error)?.message ?? String(e);
  const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  if (!writable(folder)) {
    return new CairnError('FAILED_PRECONDITION', `Cannot open the store ${path}: the folder ${folder} is not writable by this user${who}, and SQLite needs to write there (the database and its -wal and -shm files). Make the folder writable (or run as its owner), or point ${FIX_URI} at a writable place.`, { cause: e });
  }
  if (existsSync(path) && !writable(path)) {
    return new CairnError('FAILED_PRECONDITION', `Cannot open the store ${path}: the file is read-only for this user${who}. Make it writable (or run as its owner), or point ${FIX_URI} at another store.`, { cause: e });
  }
  return new CairnError('UNAVAILABLE', `Cannot open the store ${path}: ${reason}. Check that it is a Cairn (SQLite) database and that ${FIX_URI} names it.`, { cause: e });
}

// Kysely prepares every query anew; with short queries that is a third of their cost. Statements are
// reused by SQL text (bounded), which is safe because Kysely runs one query at a time per connection.
function withStatementCache(database: BetterSqlite3.Database, max = 1000): SqliteDatabase & { readonly inTransaction: boolean } {
  const cache = new Map<string, SqliteStatement>();
  return {
    get inTransaction() {
      return database.inTransaction;
    },
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = database.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
