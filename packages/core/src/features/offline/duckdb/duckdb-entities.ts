import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError, invalid } from '../../../errors.js';
import { coerceValue, DUCKDB_TYPE, parseTimestamp, type ValueType } from '../../value-types.js';
import type { EntitySource } from '../offline-store.js';
import { appendValue } from './duckdb-append.js';
import { describe, duckError, id, type DescribedColumn } from './duckdb-sql.js';
import { readFiles } from './duckdb-sources.js';

type ColumnKind = ValueType | 'passthrough-int' | 'passthrough-float';

function inferType(rows: Array<Record<string, unknown>>, col: string): ColumnKind {
  let kind: ColumnKind | null = null;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![col];
    if (v === null || v === undefined) continue;
    const k: ColumnKind = typeof v === 'number' ? (Number.isSafeInteger(v) ? 'passthrough-int' : 'passthrough-float')
      : typeof v === 'bigint' ? 'passthrough-int' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : v instanceof Date ? 'timestamp' : (() => {
        throw invalid(`Entity row ${i}, column '${col}': ${Array.isArray(v) ? 'lists' : 'objects'} are not supported; flatten it into scalar columns.`);
      })();
    if (kind === null || kind === k) kind = k;
    else if ((kind === 'passthrough-int' && k === 'passthrough-float') || (kind === 'passthrough-float' && k === 'passthrough-int')) kind = 'passthrough-float';
    else throw invalid(`Entity column '${col}' mixes types (row ${i} holds ${typeof v}); give each column one type.`);
  }
  return kind ?? 'string';
}

const duckType = (k: ColumnKind) => (k === 'passthrough-int' ? 'BIGINT' : k === 'passthrough-float' ? 'DOUBLE' : DUCKDB_TYPE[k]);

/**
 * Loads entity rows into the temp table `table` and returns its columns. Join keys in memory rows
 * are checked against their declared types; files and queries are cast later, in the join.
 */
export async function loadEntities(
  conn: DuckDBConnection, table: string, source: EntitySource, keyTypes: Map<string, ValueType>, timestampColumn: string, baseDir: string,
): Promise<DescribedColumn[]> {
  if ('rows' in source) {
    const rows = source.rows;
    if (!Array.isArray(rows) || rows.length === 0) throw invalid('Give at least one entity row.');
    const names: string[] = [];
    for (const r of rows) for (const k of Object.keys(r ?? {})) if (!names.includes(k)) names.push(k);
    const kinds: ColumnKind[] = names.map((n) => (n === timestampColumn ? 'timestamp' : keyTypes.get(n) ?? inferType(rows, n)));
    await conn.run(`CREATE TEMP TABLE ${id(table)} (${names.map((n, i) => `${id(n)} ${duckType(kinds[i]!)}`).join(', ')})`);
    const app = await conn.createAppender(table, 'main', 'temp');
    try {
      rows.forEach((row, i) => {
        names.forEach((n, c) => {
          const kind = kinds[c]!;
          let v = row[n];
          if (n === timestampColumn) {
            if (v === null || v === undefined) throw invalid(`Entity row ${i} has no '${timestampColumn}': every row needs the time to look features up at.`);
            v = parseTimestamp(v, `Entity row ${i} '${n}'`);
          } else if (kind !== 'passthrough-int' && kind !== 'passthrough-float') {
            v = kind === 'timestamp' && v instanceof Date ? v.getTime() : coerceValue(v, kind, `Entity row ${i} column '${n}'`);
          }
          appendValue(app, kind === 'passthrough-int' ? 'int64' : kind === 'passthrough-float' ? 'float64' : kind, v);
        });
        app.endRow();
      });
      app.flushSync();
    } finally {
      app.closeSync();
    }
  } else {
    const rel = 'file' in source ? fileEntities(source.file, baseDir) : `(${source.sql})`;
    try {
      await conn.run(`CREATE TEMP TABLE ${id(table)} AS SELECT * FROM ${rel}`);
    } catch (e) {
      throw duckError(e, 'file' in source ? `Reading entity rows from ${source.file}` : 'Running the entity SQL');
    }
  }
  const columns = await describe(conn, id(table));
  const names = new Set(columns.map((c) => c.name));
  if (!names.has(timestampColumn)) {
    throw invalid(`The entity rows have no '${timestampColumn}' column: each row needs the time to look features up at. Columns: ${[...names].join(', ')}.`);
  }
  for (const key of keyTypes.keys()) {
    if (!names.has(key)) throw invalid(`The entity rows have no join key column '${key}'. Columns: ${[...names].join(', ')}.`);
  }
  return columns;
}

function fileEntities(file: string, baseDir: string): string {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  if (!existsSync(path)) throw new CairnError('NOT_FOUND', `Entity file ${path} does not exist.`);
  const format = /\.csv$/i.test(path) ? 'csv' : /\.parquet$/i.test(path) ? 'parquet' : null;
  if (!format) throw invalid(`Entity file ${path}: use a .csv or .parquet file.`);
  return readFiles(path, format, `Entity file ${path}`);
}
