import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import type { Field, FileSourceSpec, PostgresSourceSpec, SourceSpec } from '../entities.js';
import { DUCKDB_TYPE, POSTGRES_TYPE } from '../value-types.js';
import { appendValue } from '../offline/duckdb/duckdb-append.js';
import { DuckDBOfflineStore } from '../offline/duckdb/duckdb-offline-store.js';
import type { OfflineFixture } from '../offline/offline-store.contract.js';
import { PostgresSourceReader } from '../offline/postgres/postgres-source-reader.js';
import { PG_BASE_URI } from '../../testing/postgres.js';

/** `postgres-query`: a PostgreSQL source given as a query (run inside PostgreSQL as a subquery) over the table. */
export type OfflineBackend = 'csv' | 'parquet' | 'postgres' | 'postgres-query';

const base = (name: string, createdField?: string) => ({
  kind: 'source' as const, name, description: '', tags: {}, owner: '', timestampField: 'ts', createdTimestampField: createdField ?? null,
});

// Odd rows are written with a +05:30 offset so every CSV case also exercises zoned timestamps.
function isoWithOffset(ms: number, i: number): string {
  if (i % 2 === 0) return new Date(ms).toISOString();
  return `${new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, -1)}+05:30`;
}

export function writeCsv(path: string, columns: Field[], rows: Array<Record<string, unknown>>): void {
  const cell = (c: Field, v: unknown, i: number) => (v === null || v === undefined ? '' : c.type === 'timestamp' ? isoWithOffset(v as number, i) : c.type === 'string' ? JSON.stringify(v) : String(v));
  writeFileSync(path, [columns.map((c) => c.name).join(','), ...rows.map((r, i) => columns.map((c) => cell(c, r[c.name], i)).join(','))].join('\n') + '\n');
}

export async function writeParquet(path: string, columns: Field[], rows: Array<Record<string, unknown>>): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE TABLE t (${columns.map((c) => `"${c.name}" ${DUCKDB_TYPE[c.type]}`).join(', ')})`);
  const app = await conn.createAppender('t');
  for (const r of rows) {
    for (const c of columns) appendValue(app, c.type, r[c.name]);
    app.endRow();
  }
  app.closeSync();
  await conn.run(`COPY t TO '${path}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
}

function pgPool(): pg.Pool {
  return new pg.Pool({ connectionString: PG_BASE_URI, max: 4, types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) } });
}

/** A DuckDB offline store over temp files (or a fresh PostgreSQL schema) and a source factory. */
export async function makeOfflineFixture(backend: OfflineBackend, cleanups: Array<() => Promise<void>>): Promise<OfflineFixture & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-offline-'));
  const schema = `fs_${Math.random().toString(36).slice(2, 10)}`;
  const pool = backend === 'postgres' || backend === 'postgres-query' ? pgPool() : null;
  const tables = new Map<string, string>();
  if (pool) await pool.query(`CREATE SCHEMA ${schema}`);
  const store = await DuckDBOfflineStore.open({ baseDir: dir, pushDir: 'push', threads: 2, ...(pool ? { postgres: new PostgresSourceReader(pool) } : {}) });
  cleanups.push(async () => {
    if (pool) await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    store,
    async source(name, columns, rows, createdField): Promise<SourceSpec> {
      if (pool) {
        await pool!.query(`CREATE TABLE ${schema}.${name} (${columns.map((c) => `"${c.name}" ${POSTGRES_TYPE[c.type]}`).join(', ')})`);
        for (const r of rows) {
          const vals = columns.map((c) => (c.type === 'timestamp' && r[c.name] != null ? new Date(r[c.name] as number) : r[c.name] ?? null));
          await pool!.query(`INSERT INTO ${schema}.${name} VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, vals);
        }
        tables.set(name, `${schema}.${name}`);
        if (backend === 'postgres-query') {
          // A query that reshapes rows (a filter, a computed column dropped again) as real sources do.
          return { ...base(name, createdField), type: 'postgres', table: null, query: `SELECT s.* FROM (SELECT *, 1 AS __one FROM ${schema}.${name}) x CROSS JOIN LATERAL (SELECT ${columns.map((c) => `x."${c.name}"`).join(', ')}) s WHERE x.__one = 1` } satisfies PostgresSourceSpec;
        }
        return { ...base(name, createdField), type: 'postgres', table: `${schema}.${name}`, query: null } satisfies PostgresSourceSpec;
      }
      const format = backend === 'csv' ? 'csv' : 'parquet';
      const file = `${name}.${format}`;
      if (format === 'csv') writeCsv(join(dir, file), columns, rows);
      else await writeParquet(join(dir, file), columns, rows);
      return { ...base(name, createdField), type: 'file', path: file, format } satisfies FileSourceSpec;
    },
    async remove(source) {
      if (source.type === 'file') unlinkSync(join(dir, source.path));
      else if (source.type === 'postgres') await pool!.query(`DROP TABLE ${tables.get(source.name) ?? source.table}`);
    },
  };
}
