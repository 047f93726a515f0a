import { afterAll, describe } from 'vitest';
import { postgresAvailable } from '../../../testing/postgres.js';
import { makeOfflineFixture, type OfflineBackend } from '../../testing/offline-fixtures.js';
import { offlineStoreContract } from '../offline-store.contract.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const BACKENDS: OfflineBackend[] = ['csv', 'parquet', 'postgres', 'postgres-query'];
for (const backend of BACKENDS) {
  const run = !backend.startsWith('postgres') || (await postgresAvailable());
  describe.skipIf(!run)(`offline store conformance: DuckDB, ${backend} sources`, () => {
    offlineStoreContract(() => makeOfflineFixture(backend, cleanups));
  });
}
