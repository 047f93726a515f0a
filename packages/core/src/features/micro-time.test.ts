import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { duckTimestampLiteral, isoTime, microsToMs, msToMicros, parseIsoTime } from './micro-time.js';

const db = await DuckDBInstance.create(':memory:');
afterAll(() => db.closeSync());

// 1900 .. 2200, in microseconds.
const micros = fc.bigInt({ min: -2_208_988_800_000_000n, max: 7_258_118_400_000_000n });

describe('times in microseconds (epoch ms with the microseconds as the fraction)', () => {
  it('round-trips every microsecond through epoch ms and ISO-8601', () => {
    fc.assert(fc.property(micros, (us) => {
      const ms = microsToMs(us);
      expect(msToMicros(ms)).toBe(us);
      expect(parseIsoTime(isoTime(ms)!)).toBe(ms);
    }), { numRuns: 2000 });
  });

  it('writes whole milliseconds as Date does, and six digits when there are microseconds', () => {
    expect(isoTime(1704103200000)).toBe(new Date(1704103200000).toISOString());
    expect(isoTime(1710458123622.236)).toBe('2024-03-14T23:15:23.622236Z');
    expect(isoTime(-0.001)).toBe('1969-12-31T23:59:59.999999Z');
    expect(isoTime(Number.NaN)).toBeNull();
  });

  it('reads the zone forms DuckDB and PostgreSQL print, and cuts past the microsecond', () => {
    expect(parseIsoTime('2024-03-14 23:15:23.622236+00')).toBe(1710458123622.236);
    expect(parseIsoTime('2024-03-14T23:15:23.622236789Z')).toBe(1710458123622.236);
    expect(parseIsoTime('2024-01-01T12:00:00.000001+05:30')).toBe(Date.UTC(2024, 0, 1, 6, 30) + 0.001);
    expect(parseIsoTime('2024-01-01T12:00:00-0100')).toBe(Date.UTC(2024, 0, 1, 13));
    expect(parseIsoTime('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(parseIsoTime('2024-02-30T00:00:00Z')).toBeNull();
    expect(parseIsoTime('yesterday')).toBeNull();
  });

  it('gives DuckDB the same microsecond (literal and epoch_us agree)', async () => {
    const conn = await db.connect();
    try {
      for (const us of [1704103200000001n, 1710458123622236n, -1n, 0n]) {
        const r = await conn.runAndReadAll(`SELECT epoch_us(${duckTimestampLiteral(microsToMs(us))}) AS us`);
        expect(r.getRowObjectsJS()[0]!.us).toBe(us);
      }
    } finally {
      conn.closeSync();
    }
  });
});
