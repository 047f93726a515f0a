import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { invalid } from '../../../errors.js';
import type { Field } from '../../entities.js';
import { coerceValue, DUCKDB_TYPE } from '../../value-types.js';
import { encodeArrowStream } from '../arrow/arrow-ipc-writer.js';
import type { RetrievalJob } from '../offline-store.js';
import type { FeatureProfile } from '../../stats/training-profile.js';
import { appendValue } from './duckdb-append.js';
import { profileTable } from './duckdb-profile.js';
import { describe, duckError, fromDuck, id, lit, type DescribedColumn } from './duckdb-sql.js';

const BATCH = 50_000;

/** A retrieval result held in a DuckDB temp table (with its `__row` order column) on its own connection. */
export class DuckDBRetrievalJob implements RetrievalJob {
  private computed = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly table: string,
    public columns: DescribedColumn[],
    readonly rowCount: number,
    readonly entityDigest: string,
  ) {}

  static async open(conn: DuckDBConnection, table: string, entityDigest: string): Promise<DuckDBRetrievalJob> {
    const columns = (await describe(conn, id(table))).filter((c) => c.name !== '__row');
    const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${id(table)}`);
    return new DuckDBRetrievalJob(conn, table, columns, Number(count.getRowObjectsJS()[0]!.n), entityDigest);
  }

  async resultDigest(): Promise<string> {
    return tableDigest(this.conn, this.table);
  }

  async toRows(): Promise<Array<Record<string, unknown>>> {
    const reader = await this.conn.runAndReadAll(`SELECT * EXCLUDE (__row) FROM ${id(this.table)} ORDER BY __row`);
    return reader.getRowObjectsJS().map((r) => {
      for (const k of Object.keys(r)) r[k] = fromDuck(r[k]) as never;
      return r as Record<string, unknown>;
    });
  }

  async profile(): Promise<FeatureProfile[]> {
    return profileTable(this.conn, this.table, this.columns, this.rowCount);
  }

  async toArrow(): Promise<Uint8Array> {
    const reader = await this.conn.runAndReadAll(`SELECT * EXCLUDE (__row) FROM ${id(this.table)} ORDER BY __row`);
    const columns = reader.getColumnsJS().map((values) => values.map(fromDuck));
    return encodeArrowStream(this.columns, columns);
  }

  async writeParquet(path: string): Promise<void> {
    await this.copy(path, 'FORMAT parquet');
  }

  async writeCsv(path: string): Promise<void> {
    await this.copy(path, 'FORMAT csv, HEADER true');
  }

  private async copy(path: string, options: string): Promise<void> {
    const abs = resolve(path);
    mkdirSync(dirname(abs), { recursive: true });
    try {
      await this.conn.run(`COPY (SELECT * EXCLUDE (__row) FROM ${id(this.table)} ORDER BY __row) TO ${lit(abs)} (${options})`);
    } catch (e) {
      throw duckError(e, `Writing ${abs}`);
    }
  }

  async addComputedColumns(inputs: string[], outputs: Field[], compute: (row: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    for (const o of outputs) if (this.columns.some((c) => c.name === o.name)) throw invalid(`Output column '${o.name}' already exists in the result; use fullFeatureNames or rename a feature.`);
    const side = `${this.table}_c${this.computed++}`;
    await this.conn.run(`CREATE TEMP TABLE ${id(side)} (__row BIGINT, ${outputs.map((o) => `${id(o.name)} ${DUCKDB_TYPE[o.type]}`).join(', ')})`);
    const cols = inputs.map(id).join(', ');
    for (let start = 0; start < this.rowCount; start += BATCH) {
      const reader = await this.conn.runAndReadAll(`SELECT __row${cols ? `, ${cols}` : ''} FROM ${id(this.table)} WHERE __row >= ${start} AND __row < ${start + BATCH} ORDER BY __row`);
      const app = await this.conn.createAppender(side, 'main', 'temp');
      try {
        for (const raw of reader.getRowObjectsJS()) {
          const row: Record<string, unknown> = {};
          for (const k of Object.keys(raw)) row[k] = fromDuck(raw[k]);
          const out = compute(row);
          app.appendBigInt(BigInt(row.__row as number));
          for (const o of outputs) appendValue(app, o.type, coerceValue(out?.[o.name], o.type, `Computed feature '${o.name}' (entity row ${String(row.__row)})`));
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
    }
    const next = `${side}_r`;
    await this.conn.run(`CREATE TEMP TABLE ${id(next)} AS SELECT t.*, ${outputs.map((o) => `s.${id(o.name)}`).join(', ')} FROM ${id(this.table)} t LEFT JOIN ${id(side)} s USING (__row) ORDER BY __row`);
    await this.conn.run(`DROP TABLE ${id(this.table)}; DROP TABLE ${id(side)}; ALTER TABLE ${id(next)} RENAME TO ${id(this.table)}`);
    this.columns = [...this.columns, ...outputs.map((o) => ({ name: o.name, type: DUCKDB_TYPE[o.type] }))];
  }

  async project(columns: string[]): Promise<void> {
    const next = `${this.table}_p`;
    await this.conn.run(`CREATE TEMP TABLE ${id(next)} AS SELECT __row, ${columns.map(id).join(', ')} FROM ${id(this.table)} ORDER BY __row`);
    await this.conn.run(`DROP TABLE ${id(this.table)}; ALTER TABLE ${id(next)} RENAME TO ${id(this.table)}`);
    this.columns = columns.map((c) => this.columns.find((x) => x.name === c)!);
  }

  async close(): Promise<void> {
    this.conn.closeSync();
  }
}

/**
 * An order-sensitive 128-bit digest of a table's rows (the row includes its `__row`/rowid order).
 * DuckDB's hash() is not promised stable across DuckDB versions, so the version is part of the
 * digest (`duckdb-hash128@v1.5.6:…`): equal digests mean equal rows; digests from different
 * versions are not comparable. A stable hash (md5 of each row's text) cost 2-5 s per million rows
 * against ~0.1 s, a third of the whole retrieval benchmark.
 */
export async function tableDigest(conn: DuckDBConnection, table: string, withRowid = false): Promise<string> {
  const row = withRowid ? `struct_pack(__rowid := t.rowid, __r := t)` : 't';
  const reader = await conn.runAndReadAll(`SELECT coalesce(bit_xor(hash(${row})), 0)::UBIGINT AS x, coalesce(sum(hash(${row})::HUGEINT) % 18446744073709551616, 0)::UBIGINT AS s, count(*) AS n, any_value(version()) AS v FROM ${id(table)} t`);
  const r = reader.getRowObjectsJS()[0]!;
  const hex = (v: unknown) => BigInt(v as bigint).toString(16).padStart(16, '0');
  return `duckdb-hash128@${String(r.v ?? await duckdbVersion(conn))}:${hex(r.x)}${hex(r.s)}:${String(r.n)}`;
}

async function duckdbVersion(conn: DuckDBConnection): Promise<string> {
  return String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]!.v);
}
