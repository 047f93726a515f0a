import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../../../errors.js';
import type { FeatureViewSpec } from '../../entities.js';
import type { LatestRow } from '../offline-store.js';
import { ORD } from './duckdb-pit-sql.js';
import { duckTimestampLiteral } from '../../micro-time.js';
import { duckError, fromDuck, id, run } from './duckdb-sql.js';

// One pass dedupes the entities of one hash partition of the window: DuckDB's GROUP BY holds an
// entry per entity of the pass until its last row is read, so the pass size, not the window, sets
// the memory. Each pass rescans the window; a bigger batch means fewer, larger passes.
const PASS_BATCHES = 25;
const MIN_PASS_ENTITIES = 100_000;

/** Entities one pass holds at most (give or take the distinct-count estimate's error). */
export const passEntities = (batchSize: number): number => Math.max(MIN_PASS_ENTITIES, PASS_BATCHES * batchSize);

/**
 * For each entity of `view`, its newest row (by event, then created time) with start <= event <=
 * end (compared in microseconds), in batches of at most `batchSize`. `rowsSql` is the view's normalized rows (`normalizedRows`);
 * `passSize` bounds the entities one pass holds.
 */
export async function* latestRows(
  conn: DuckDBConnection, view: FeatureViewSpec, rowsSql: string, start: number, end: number, batchSize: number, passSize = passEntities(batchSize),
): AsyncIterable<LatestRow[]> {
  const what = `Reading view '${view.name}' for materialization`;
  const keys = view.joinKeys.map((k) => id(k.name));
  const window = `FROM (${rowsSql}) WHERE __ts >= ${duckTimestampLiteral(start)} AND __ts <= ${duckTimestampLiteral(end)}${keys.map((k) => ` AND ${k} IS NOT NULL`).join('')}`;
  const keyHash = `hash(${keys.join(', ')})`;
  const estimate = Number(await scalar(conn, `SELECT approx_count_distinct(${keyHash}) AS n ${window}`, what));
  const passes = Math.max(1, Math.ceil(estimate / passSize));
  // The struct keeps the winner's values together; the outer SELECT flattens it with times as epoch
  // ms carrying microseconds as the fraction (micro-time.ts), so chunks convert column by column.
  const struct = `struct_pack(__t := epoch_us(__ts), __c := epoch_us(__created), ${view.features.map((f) => `${id(f.name)} := ${id(f.name)}`).join(', ')})`;
  // Microseconds / 1000 as a DOUBLE is what JavaScript computes from them (exact to the microsecond),
  // and arrives as a number rather than a BigInt.
  const ms = (us: string) => `(${us})::DOUBLE / 1000`;
  const flat = [...keys, ms('s.__t'), ms('s.__c'), ...view.features.map((f) => (f.type === 'timestamp' ? ms(`epoch_us(s.${id(f.name)})`) : `s.${id(f.name)}`))];
  const table = id(`__latest_${randomBytes(4).toString('hex')}`);
  for (let pass = 0; pass < passes; pass++) {
    const part = passes > 1 ? ` AND ${keyHash} % ${passes} = ${pass}` : '';
    await run(conn, `CREATE TEMP TABLE ${table} AS SELECT ${flat.join(', ')} FROM (SELECT ${keys.join(', ')}, arg_max(${struct}, ${ORD('epoch_us(__ts)', 'epoch_us(__created)')}) AS s ${window}${part} GROUP BY ${keys.join(', ')})`, what);
    try {
      const expected = Number(await scalar(conn, `SELECT count(*) AS n FROM ${table}`, what));
      let seen = 0;
      for await (const batch of tableBatches(conn, view, table, batchSize, what)) {
        seen += batch.length;
        yield batch;
      }
      // A DuckDB stream that fails ends like one that is exhausted (the client API reports no error),
      // so a short read is caught by counting.
      if (seen !== expected) throw new CairnError('INTERNAL', `${what}: DuckDB stopped after ${seen} of ${expected} rows. Retry; if it recurs, raise features.offline_store.memory_limit.`);
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    }
  }
}

// Rows go out chunk by chunk (DuckDB's 2,048, or fewer when the batch is smaller) rather than
// gathered into whole batches: rows held across several chunk reads outlive V8's young generation
// and make the garbage collector copy and promote them, which cost more than the rest of the read.
async function* tableBatches(conn: DuckDBConnection, view: FeatureViewSpec, table: string, batchSize: number, what: string): AsyncIterable<LatestRow[]> {
  let result;
  try {
    result = await conn.stream(`SELECT * FROM ${table}`);
  } catch (e) {
    throw duckError(e, what);
  }
  const nk = view.joinKeys.length;
  const names = view.features.map((f) => f.name);
  for (;;) {
    const chunk = await result.fetchChunk();
    const count = chunk?.rowCount ?? 0;
    if (!chunk || count === 0) break;
    // Vectors are read in place: no intermediate column arrays.
    const keyCols = Array.from({ length: nk }, (_, c) => chunk.getColumnVector(c));
    const eventCol = chunk.getColumnVector(nk);
    const createdCol = chunk.getColumnVector(nk + 1);
    const featureCols = names.map((_, j) => chunk.getColumnVector(nk + 2 + j));
    let batch: LatestRow[] = [];
    for (let i = 0; i < count; i++) {
      const values: Record<string, unknown> = {};
      for (let j = 0; j < names.length; j++) values[names[j]!] = fromDuck(featureCols[j]!.getItem(i));
      const key = nk === 1 ? [fromDuck(keyCols[0]!.getItem(i))] : keyCols.map((c) => fromDuck(c.getItem(i)));
      batch.push({ key, eventTs: eventCol.getItem(i) as number, createdTs: createdCol.getItem(i) as number | null, values });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
}

async function scalar(conn: DuckDBConnection, sql: string, what: string): Promise<unknown> {
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS()[0]?.n;
  } catch (e) {
    throw duckError(e, what);
  }
}
