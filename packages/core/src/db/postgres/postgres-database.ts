import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparedStatementName } from '../prepared-statement.js';
import type { Database } from '../schema.js';

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
  maxConnections?: number;
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

export function createPostgresDatabase(options: PostgresOptions): { db: Kysely<Database>; schema: string | null } {
  const { connectionString, schema } = parsePostgresUri(options.uri);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    types,
    Client: PreparingClient,
    // No JIT: Cairn's statements are short index probes, and JIT-compiling a large filter's
    // expression (200 EXISTS tests over an unanalyzed table) took 13-18 s where running it takes 10 ms.
    options: `-c jit=off${schema ? ` -c search_path=${schema}` : ''}`,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), schema };
}
