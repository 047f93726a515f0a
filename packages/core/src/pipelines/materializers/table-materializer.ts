import { copyFile, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { table, type Row, type Table } from '../artifact-values.js';
import type { Materializer } from './materializer.js';
import { jsonProblem } from './json-check.js';
import { UnserializableValueError } from './json-materializer.js';

const FILE = 'table.parquet';
const EMPTY = '_cairn_empty';

// One in-process DuckDB per process, opened on first use (it takes ~200 ms).
let instance: Promise<DuckDBInstance> | null = null;
async function connect(): Promise<DuckDBConnection> {
  instance ??= import('@duckdb/node-api').then((m) => m.DuckDBInstance.create(':memory:'));
  return (await instance).connect();
}

const quote = (path: string): string => `'${path.replaceAll("'", "''")}'`;

// Explicit column types: DuckDB's auto-detection would turn '2024-01-01' into a DATE and change the value.
function columnTypes(rows: Row[]): Record<string, string> {
  const types: Record<string, Set<string>> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      const t = v === null || v === undefined ? null
        : typeof v === 'boolean' ? 'BOOLEAN'
        : typeof v === 'number' ? (Number.isSafeInteger(v) ? 'BIGINT' : 'DOUBLE')
        : typeof v === 'string' ? 'VARCHAR' : 'JSON';
      const set = (types[k] ??= new Set());
      if (t) set.add(t);
    }
  }
  return Object.fromEntries(Object.entries(types).map(([k, set]) => {
    if (set.size === 0) return [k, 'VARCHAR'];
    if (set.size === 1) return [k, [...set][0]!];
    if ([...set].every((t) => t === 'BIGINT' || t === 'DOUBLE')) return [k, 'DOUBLE'];
    return [k, 'JSON'];
  }));
}

function fromDuck(v: unknown, isJson: boolean): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (isJson && typeof v === 'string') return JSON.parse(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** Rows as Parquet (via in-process DuckDB), readable by pandas, polars, R and Spark. */
export class TableMaterializer implements Materializer {
  readonly id = 'table-parquet@1';
  readonly kind = 'table' as const;
  readonly outputName = FILE;

  async write(value: unknown, dir: string): Promise<void> {
    const t = value as Table;
    const out = join(dir, FILE);
    if (t.path && !t.rows.length) return this.adopt(t.path, dir);
    for (let i = 0; i < t.rows.length; i++) {
      const r = t.rows[i];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new UnserializableValueError(`rows[${i}] is not an object`);
      const problem = jsonProblem(r, `rows[${i}]`);
      if (problem) throw new UnserializableValueError(problem);
    }
    const con = await connect();
    try {
      if (!t.rows.length) {
        await con.run(`copy (select null::boolean as ${EMPTY} limit 0) to ${quote(out)} (format parquet)`);
        return;
      }
      const ndjson = join(dir, '.cairn-rows.ndjson');
      await writeFile(ndjson, t.rows.map((r) => JSON.stringify(r)).join('\n'));
      const cols = Object.entries(columnTypes(t.rows)).map(([k, ty]) => `${quote(k)}: ${quote(ty)}`).join(', ');
      await con.run(`copy (select * from read_json(${quote(ndjson)}, format = 'newline_delimited', columns = {${cols}})) to ${quote(out)} (format parquet)`);
      const { rm } = await import('node:fs/promises');
      await rm(ndjson);
    } finally {
      con.closeSync();
    }
  }

  async read(dir: string): Promise<unknown> {
    const path = join(dir, FILE);
    const con = await connect();
    try {
      const reader = await con.runAndReadAll(`select * from read_parquet(${quote(path)})`);
      const names = reader.columnNames();
      if (names.length === 1 && names[0] === EMPTY) return table([], path);
      const types = reader.columnTypes() as Array<{ alias?: string }>;
      const json = new Set(names.filter((_n, i) => types[i]?.alias === 'JSON'));
      const rows = reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fromDuck(v, json.has(k))])));
      return table(rows, path);
    } finally {
      con.closeSync();
    }
  }

  async adopt(path: string, dir: string): Promise<void> {
    const handle = await open(path, 'r').catch(() => null);
    if (!handle) throw new UnserializableValueError(`${path} does not exist`);
    try {
      const magic = Buffer.alloc(4);
      await handle.read(magic, 0, 4, 0);
      if (magic.toString('latin1') !== 'PAR1') throw new UnserializableValueError(`${path} is not a Parquet file (a table output must be Parquet, e.g. df.to_parquet(path))`);
    } finally {
      await handle.close();
    }
    await copyFile(path, join(dir, FILE));
  }

  inputPath(dir: string): string {
    return join(dir, FILE);
  }
}
