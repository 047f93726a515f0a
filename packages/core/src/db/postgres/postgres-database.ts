import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparedStatementName } from '../prepared-statement.js';
import type { Database } from '../schema.js';
import { GuardedPool } from './guarded-pool.js';

// bigint (int8) columns hold epoch-millisecond times and steps, all within Number's safe range.
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PostgresOptions {
  /** A `postgres://` URI; `?schema=NAME` puts Cairn's tables in that schema (created if absent). */
  uri: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** PostgreSQL's statement_timeout, enforced on the client too (default 0: none). */
  statementTimeoutMs?: number;
  /** How long a query waits for a pooled connection, free or new (default 10 s). */
  connectTimeoutMs?: number;
}

export function parsePostgresUri(uri: string): { connectionString: string; schema: string | null } {
  const url = new URL(uri);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid schema name '${schema}' in the store URI: use letters, digits and underscores.`);
  }
  return { connectionString: url.toString(), schema };
}

// Kysely sends every query as `query(text, values)`. Texts marked as prepared statements go out as
// named statements instead: pg parses each once per connection and reuses it afterwards.
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length <= 2 ? preparedStatementName(text) : null;
    const call = super.query as (...a: unknown[]) => never;
    return name ? call.call(this, { name, text, values }) : call.apply(this, args);
  }
}

export function createPostgresDatabase(options: PostgresOptions): { db: Kysely<Database>; schema: string | null; pool: GuardedPool } {
  const { connectionString, schema } = parsePostgresUri(options.uri);
  const maxConnections = options.maxConnections ?? 10;
  const statementTimeoutMs = options.statementTimeoutMs ?? 0;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const raw = new pg.Pool({
    connectionString,
    max: maxConnections,
    types,
    Client: PreparingClient,
    connectionTimeoutMillis: connectTimeoutMs,
    // The server ends statements that run too long itself; the client enforces it when the server is not answering.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    // Idle connections to a server that vanished without a reset are found and dropped.
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    // No JIT: Cairn's statements are short index probes, and JIT-compiling a large filter's
    // expression (200 EXISTS tests over an unanalyzed table) took 13-18 s where running it takes 10 ms.
    options: `-c jit=off${schema ? ` -c search_path=${schema}` : ''}`,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  raw.on('error', () => {});
  const pool = new GuardedPool(raw, { where: describeServer(connectionString), maxConnections, statementTimeoutMs, connectTimeoutMs });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), schema, pool };
}

/** `host:port/db` of a connection string, for messages: never the user or password. */
export function describeServer(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname}`;
}
