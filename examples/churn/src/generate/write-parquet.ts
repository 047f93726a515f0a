import { DuckDBInstance, DuckDBTimestampTZValue, type DuckDBAppender } from '@duckdb/node-api';

export type ColumnType = 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMPTZ';
export type Columns = Record<string, ColumnType>;

function append(app: DuckDBAppender, type: ColumnType, v: unknown): void {
  if (v === null || v === undefined) return app.appendNull();
  switch (type) {
    case 'BIGINT': return app.appendBigInt(BigInt(v as number));
    case 'DOUBLE': return app.appendDouble(Number(v));
    case 'VARCHAR': return app.appendVarchar(String(v));
    case 'BOOLEAN': return app.appendBoolean(Boolean(v));
    case 'TIMESTAMPTZ': return app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Math.round(Number(v) * 1000))));
  }
}

/**
 * Writes rows (timestamps as epoch ms) to Parquet files with one in-memory DuckDB. One thread and
 * insertion order, so the same rows always give the same bytes.
 */
export async function writeParquetFiles(files: Array<{ path: string; columns: Columns; rows: Array<Record<string, unknown>> }>): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  try {
    for (const [i, f] of files.entries()) {
      const table = `t${i}`;
      await con.run(`create table ${table} (${Object.entries(f.columns).map(([name, type]) => `"${name}" ${type}`).join(', ')})`);
      const app = await con.createAppender(table);
      const columns = Object.entries(f.columns);
      for (const row of f.rows) {
        for (const [name, type] of columns) append(app, type, row[name]);
        app.endRow();
      }
      app.closeSync();
      await con.run(`copy ${table} to '${f.path.replaceAll("'", "''")}' (format parquet, compression zstd)`);
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
