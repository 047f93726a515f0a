import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../packages/core/src/config/config.js';
import { openPlatform, type Platform } from '../../packages/core/src/platform.js';
import { PG_BASE_URI } from '../../packages/core/src/testing/postgres.js';

export const DATA_DIR = join(import.meta.dirname, '..', '.data');

/**
 * A platform for a benchmark: a SQLite file under bench/.data/<name>, or a PostgreSQL schema
 * `bench_<name>`. `fresh` drops what an earlier run left; otherwise seeded data is reused.
 */
export async function benchPlatform(backend: string, name: string, fresh: boolean): Promise<{ platform: Platform; existed: boolean }> {
  const dir = join(DATA_DIR, name);
  mkdirSync(dir, { recursive: true });
  let storeUri: string;
  let existed: boolean;
  if (backend === 'sqlite') {
    const file = join(dir, 'cairn.db');
    if (fresh) for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) (await import('node:fs')).rmSync(f);
    existed = existsSync(file);
    storeUri = `sqlite:${file}`;
  } else {
    const schema = `bench_${name.replace(/[^a-z0-9_]/g, '_')}`;
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: PG_BASE_URI });
    await client.connect();
    if (fresh) await client.query(`drop schema if exists ${schema} cascade`);
    existed = (await client.query(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'runs'`, [schema])).rowCount! > 0;
    await client.end();
    storeUri = `${PG_BASE_URI}?schema=${schema}`;
  }
  const config = loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: storeUri }, artifact: { uri: join(dir, 'artifacts') } } });
  return { platform: await openPlatform(config), existed };
}
