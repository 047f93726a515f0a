import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { CairnError } from '../errors.js';

// SQLite reports ENOSPC as SQLITE_FULL (and so does a file at its max_page_count); PostgreSQL's
// class 53100 is disk_full; Node's filesystem calls say ENOSPC or EDQUOT.
const DISK_FULL = new Set(['SQLITE_FULL', '53100', 'ENOSPC', 'EDQUOT']);

/** Whether `e` is a store's way of saying its disk (or quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_FULL.has(code);
}

/**
 * The error a write gets when `store` (e.g. "the metadata store (SQLite)") has no disk space left:
 * UNAVAILABLE, because freeing space makes the same request succeed. The driver's error stays as
 * `cause` for the server log.
 */
export function diskFullError(store: string, cause: unknown): CairnError {
  return new CairnError('UNAVAILABLE', `Disk full: ${store} cannot grow. Free disk space where it is stored (or raise the quota), then retry.`, { cause });
}

/** A connection whose disk-full failures are {@link diskFullError}s naming `store`. */
export function withDiskFullErrors(connection: DatabaseConnection, store: string): DatabaseConnection {
  const translate = (e: unknown) => (isDiskFull(e) ? diskFullError(store, e) : e);
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      try {
        return await connection.executeQuery<R>(query);
      } catch (e) {
        throw translate(e);
      }
    },
    async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
      try {
        yield* connection.streamQuery<R>(query, chunkSize);
      } catch (e) {
        throw translate(e);
      }
    },
  };
}
