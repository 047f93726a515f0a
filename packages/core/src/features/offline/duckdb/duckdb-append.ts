import { DuckDBTimestampTZValue, type DuckDBAppender } from '@duckdb/node-api';
import { msToMicros } from '../../micro-time.js';
import type { ValueType } from '../../value-types.js';

/** Appends one value of a Cairn value type (timestamps as epoch ms, microseconds as the fraction, or Date) to a DuckDB appender. */
export function appendValue(app: DuckDBAppender, type: ValueType, v: unknown): void {
  if (v === null || v === undefined) return app.appendNull();
  switch (type) {
    case 'int32': return app.appendInteger(Number(v));
    case 'int64': return app.appendBigInt(BigInt(v as number | bigint));
    case 'float32': return app.appendFloat(Number(v));
    case 'float64': return app.appendDouble(Number(v));
    case 'string': return app.appendVarchar(String(v));
    case 'bool': return app.appendBoolean(v as boolean);
    case 'timestamp': {
      const ms = v instanceof Date ? v.getTime() : Number(v);
      return app.appendTimestampTZ(new DuckDBTimestampTZValue(msToMicros(ms)));
    }
  }
}
