import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError, invalid } from '../../../errors.js';
import type { FeatureViewSpec, FileSourceSpec, PushSourceSpec, SourceSpec } from '../../entities.js';
import { DUCKDB_TYPE } from '../../value-types.js';
import { describe, duckError, id, lit, timestampExpr } from './duckdb-sql.js';

export interface SourcePaths {
  /** Relative source paths resolve against this folder (the project folder). */
  baseDir: string;
  /** Pushed rows are kept as Parquet files under `<pushDir>/<source name>/`. */
  pushDir: string;
}

function hasFiles(dir: string, ext: string): boolean {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.toLowerCase().endsWith(ext)) return true;
    if (e.isDirectory() && hasFiles(join(dir, e.name), ext)) return true;
  }
  return false;
}

/** The `read_parquet`/`read_csv` call for a file source; FAILED_PRECONDITION when its files are gone. */
export function fileRelation(source: FileSourceSpec, paths: SourcePaths): string {
  const path = isAbsolute(source.path) ? source.path : resolve(paths.baseDir, source.path);
  if (!existsSync(path)) {
    throw new CairnError('FAILED_PRECONDITION', `Source '${source.name}' reads ${path}, which does not exist. Restore the file or change the source and run 'cairn features apply'.`);
  }
  return readFiles(path, source.format ?? folderFormat(path, source.name), `Source '${source.name}'`);
}

// The format of a folder source defined without one: every data file in it (hidden and `_` files,
// such as Spark's _SUCCESS, aside) must be .parquet, or every one .csv.
function folderFormat(path: string, source: string): 'csv' | 'parquet' {
  const fix = `Set format: 'csv' or 'parquet' on source '${source}', or keep one kind of file in the folder.`;
  if (!statSync(path).isDirectory()) throw new CairnError('FAILED_PRECONDITION', `Source '${source}' reads ${path}, which is neither a folder nor a .csv/.parquet file. ${fix}`);
  const exts = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFile()) exts.add(/\.(csv|parquet)$/i.exec(e.name)?.[1]?.toLowerCase() ?? e.name);
    }
  };
  walk(path);
  if (exts.size === 1 && (exts.has('csv') || exts.has('parquet'))) return [...exts][0] as 'csv' | 'parquet';
  const found = exts.size ? `holds ${[...exts].map((x) => (x === 'csv' || x === 'parquet' ? `.${x} files` : `'${x}'`)).join(' and ')}` : 'holds no data files';
  throw new CairnError('FAILED_PRECONDITION', `Source '${source}' reads the folder ${path}, which ${found}, so its format cannot be told. ${fix}`);
}

export function readFiles(path: string, format: 'csv' | 'parquet', what: string): string {
  let pattern = path;
  if (statSync(path).isDirectory()) {
    if (!hasFiles(path, `.${format}`)) throw new CairnError('FAILED_PRECONDITION', `${what} reads the folder ${path}, which holds no .${format} files.`);
    pattern = join(path, '**', `*.${format}`);
  }
  return format === 'parquet'
    ? `read_parquet(${lit(pattern)}, union_by_name = true)`
    : `read_csv(${lit(pattern)}, union_by_name = true, header = true)`;
}

/** Columns a view needs from its source, typed, for an empty relation when nothing was pushed yet. */
function emptyRelation(view: FeatureViewSpec): string {
  const cols = [
    ...view.joinKeys.map((k) => `NULL::${DUCKDB_TYPE[k.type]} AS ${id(k.name)}`),
    `NULL::TIMESTAMPTZ AS ${id(view.source.timestampField)}`,
    ...(view.source.createdTimestampField ? [`NULL::TIMESTAMPTZ AS ${id(view.source.createdTimestampField)}`] : []),
    ...view.features.map((f) => `NULL::${DUCKDB_TYPE[f.type]} AS ${id(f.name)}`),
  ];
  return `(SELECT ${cols.join(', ')} WHERE false)`;
}

export const pushFolder = (source: PushSourceSpec, paths: SourcePaths): string => join(resolve(paths.baseDir, paths.pushDir), source.name);

function pushRelation(view: FeatureViewSpec, source: PushSourceSpec, paths: SourcePaths): string {
  const dir = pushFolder(source, paths);
  const parts = [emptyRelation(view)];
  if (existsSync(dir) && hasFiles(dir, '.parquet')) parts.push(`(SELECT * FROM ${readFiles(dir, 'parquet', `Push source '${source.name}'`)})`);
  if (source.batchSource) parts.push(`(SELECT * FROM ${fileRelation(source.batchSource, paths)})`);
  return `(${parts.join(' UNION ALL BY NAME ')})`;
}

/** The raw relation of a file or push source (PostgreSQL sources are read by PostgreSQL itself). */
export function sourceRelation(view: FeatureViewSpec, paths: SourcePaths): string {
  const source: SourceSpec = view.source;
  if (source.type === 'file') return fileRelation(source, paths);
  if (source.type === 'push') return pushRelation(view, source, paths);
  throw new CairnError('INTERNAL', `Source '${source.name}' is read by PostgreSQL, not DuckDB.`);
}

/**
 * A SELECT of a view's rows in normal form: join keys and features cast to their declared types,
 * `__ts` and `__created` as UTC TIMESTAMPTZ; rows without an event time are dropped. Checks that
 * the source has every column the view needs.
 */
export async function normalizedRows(conn: DuckDBConnection, view: FeatureViewSpec, paths: SourcePaths): Promise<string> {
  const rel = sourceRelation(view, paths);
  let cols;
  try {
    cols = await describe(conn, rel);
  } catch (e) {
    throw duckError(e, `Reading source '${view.source.name}' of view '${view.name}'`);
  }
  const typeOf = (name: string) => {
    const c = cols.find((x) => x.name === name);
    if (!c) throw invalid(`Source '${view.source.name}' has no column '${name}', which view '${view.name}' needs. Its columns: ${cols.map((x) => x.name).join(', ')}.`);
    return c.type;
  };
  const s = view.source;
  const created = s.createdTimestampField ? timestampExpr(id(s.createdTimestampField), typeOf(s.createdTimestampField)) : 'NULL::TIMESTAMPTZ';
  const select = [
    ...view.joinKeys.map((k) => castCol(k.name, typeOf(k.name), DUCKDB_TYPE[k.type])),
    `${timestampExpr(id(s.timestampField), typeOf(s.timestampField))} AS __ts`,
    `${created} AS __created`,
    ...view.features.map((f) => castCol(f.name, typeOf(f.name), DUCKDB_TYPE[f.type])),
  ];
  return `SELECT ${select.join(', ')} FROM ${rel} WHERE ${id(s.timestampField)} IS NOT NULL`;
}

function castCol(name: string, have: string, want: string): string {
  const want2 = want === 'TIMESTAMPTZ' ? 'TIMESTAMP WITH TIME ZONE' : want;
  if (have === want2) return id(name);
  if (want === 'TIMESTAMPTZ') return `${timestampExpr(id(name), have)} AS ${id(name)}`;
  return `CAST(${id(name)} AS ${want}) AS ${id(name)}`;
}
