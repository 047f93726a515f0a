import pg from 'pg';
import type { PgPool } from './postgres-source-reader.js';

/** A small pool for PostgreSQL feature sources; int8 values come back as numbers, or BigInts beyond 2^53 (exact). */
export function createPostgresSourcePool(uri: string): PgPool {
  const pool = new pg.Pool({
    connectionString: uri, max: 4,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : BigInt(v);
      } : pg.types.getTypeParser(oid, format as 'text')),
    },
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool as unknown as PgPool;
}
