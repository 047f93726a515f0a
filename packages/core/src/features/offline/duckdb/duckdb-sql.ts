import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../../../errors.js';

/** A quoted DuckDB identifier. */
export const id = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A quoted DuckDB string literal. */
export const lit = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export interface DescribedColumn { name: string; type: string }

/** Column names and DuckDB types of a relation, without reading its rows. */
export async function describe(conn: DuckDBConnection, relation: string): Promise<DescribedColumn[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/**
 * SQL turning a timestamp column into TIMESTAMPTZ in UTC: zoned values keep their instant, naive
 * ones (and strings without an offset) are UTC, integers are epoch milliseconds.
 */
export function timestampExpr(column: string, type: string): string {
  if (INTEGER_TYPES.test(type)) return `CAST(epoch_ms(CAST(${column} AS BIGINT)) AS TIMESTAMPTZ)`;
  if (/^(DOUBLE|FLOAT|DECIMAL)/.test(type)) return `CAST(epoch_ms(CAST(round(${column}) AS BIGINT)) AS TIMESTAMPTZ)`;
  if (type === 'TIMESTAMP WITH TIME ZONE') return column;
  return `CAST(${column} AS TIMESTAMPTZ)`;
}

/** Numbers for safe bigints, epoch ms for dates: DuckDB's JS values in Cairn's in-memory form. */
export function fromDuck(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

/** Runs `sql`, turning DuckDB's errors into CairnErrors that name what was being read. */
export async function run(conn: DuckDBConnection, sql: string, what: string): Promise<void> {
  try {
    await conn.run(sql);
  } catch (e) {
    throw duckError(e, what);
  }
}

export function duckError(e: unknown, what: string): CairnError {
  if (e instanceof CairnError) return e;
  const msg = (e as Error).message ?? String(e);
  if (/Conversion Error|Could not convert|Invalid Input Error/i.test(msg)) {
    return new CairnError('INVALID_ARGUMENT', `${what}: a value has the wrong type (${msg.split('\n')[0]}).`, { cause: e });
  }
  if (/No files found|does not exist|Cannot open file|No such file/i.test(msg)) {
    return new CairnError('FAILED_PRECONDITION', `${what}: a source file is missing (${msg.split('\n')[0]}).`, { cause: e });
  }
  if (/Binder Error/i.test(msg)) return new CairnError('INVALID_ARGUMENT', `${what}: ${msg.split('\n')[0]}`, { cause: e });
  if (/Out of Memory/i.test(msg)) return new CairnError('RESOURCE_EXHAUSTED', `${what}: DuckDB ran out of memory (${msg.split('\n')[0]}). Raise features.offline_store.memory_limit or retrieve fewer rows at once.`, { cause: e });
  return new CairnError('INTERNAL', `${what}: ${msg}`, { cause: e });
}
