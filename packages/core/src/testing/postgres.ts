import { randomBytes } from 'node:crypto';
import pg from 'pg';

// PostgreSQL-backed suites run whenever CI=true (and fail loudly if the server is down); elsewhere they
// skip with a printed reason when no server answers on the default address.
export const PG_BASE_URI = process.env.CAIRN_TEST_PG_URI ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: boolean | undefined;
export async function postgresAvailable(): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  if (reachable !== undefined) return reachable;
  const client = new pg.Client({ connectionString: PG_BASE_URI, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    reachable = true;
  } catch (e) {
    reachable = false;
    console.warn(`PostgreSQL suites skipped: ${PG_BASE_URI} is unreachable (${(e as Error).message}). Set CI=true to require them.`);
  } finally {
    await client.end().catch(() => {});
  }
  return reachable;
}

/** A store URI with a fresh schema, and a function that drops it. */
export function freshPostgresUri(prefix = 't'): { uri: string; schema: string; drop(): Promise<void> } {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    uri: `${PG_BASE_URI}?schema=${schema}`,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: PG_BASE_URI });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
