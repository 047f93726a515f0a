import type { Kysely } from 'kysely';
import { afterAll } from 'vitest';
import { describeEachPlatform } from '../../testing/describe-platforms.js';
import { ParquetInferenceLogStore } from './parquet/parquet-inference-log-store.js';
import { SqlInferenceLogStore } from './sql/sql-inference-log-store.js';
import type { ServingTables } from './sql/rows.js';
import { inferenceLogStoreContract } from './inference-log-store.contract.js';

describeEachPlatform('inference log store: database', (t) => {
  inferenceLogStoreContract(() => new SqlInferenceLogStore(t().platform.database.db.withTables<ServingTables>() as unknown as Kysely<ServingTables>));
});

describeEachPlatform('inference log store: Parquet in the artifact store', (t) => {
  let store: ParquetInferenceLogStore | null = null;
  afterAll(async () => store?.close());
  inferenceLogStoreContract(() => (store ??= new ParquetInferenceLogStore(t().platform.artifacts)));
});
