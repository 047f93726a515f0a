import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openPlatform, type Platform } from '../platform.js';
import { freshPostgresUri, postgresAvailable } from './postgres.js';

export interface TestPlatform { platform: Platform; dir: string; storeUri: string; cleanup(): Promise<void> }
export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

/** A real platform on a temp folder: a SQLite file or a fresh PostgreSQL schema, and local artifacts. */
export async function makeTestPlatform(backend: Backend, extra: Record<string, unknown> = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-'));
  const pgdb = backend === 'postgres' ? freshPostgresUri() : null;
  const storeUri = pgdb ? pgdb.uri : `sqlite:${join(dir, 'cairn.db')}`;
  const config = loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: storeUri }, artifact: { uri: join(dir, 'artifacts') }, ...extra } });
  const platform = await openPlatform(config);
  return {
    platform,
    dir,
    storeUri,
    async cleanup() {
      await platform.close();
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a backend's suite should run here (PostgreSQL needs a server; under CI=true it always runs). */
export async function backendAvailable(backend: Backend): Promise<boolean> {
  return backend === 'sqlite' ? true : postgresAvailable();
}
