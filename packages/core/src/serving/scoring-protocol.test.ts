import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { parseCsv } from './csv.js';
import { parseScoringJson } from './scoring-protocol.js';
import { checkFrame } from './signature-check.js';

describe('MLflow scoring protocol', () => {
  it('reads each input shape into the same frame', () => {
    const want = { columns: ['a', 'b'], rows: [[1, 'x'], [2, 'y']] };
    expect(parseScoringJson({ dataframe_split: { columns: ['a', 'b'], data: [[1, 'x'], [2, 'y']], index: [0, 1] } })).toEqual(want);
    expect(parseScoringJson({ dataframe_records: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }] })).toEqual(want);
    expect(parseScoringJson({ instances: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }] })).toEqual(want);
    expect(parseScoringJson({ inputs: { a: [1, 2], b: ['x', 'y'] } })).toEqual(want);
    expect(parseScoringJson({ inputs: [{ a: 1, b: 'x' }, { b: 'y', a: 2 }] })).toEqual(want);
    expect(parseScoringJson({ instances: [[1, 2], [3, 4]] })).toEqual({ columns: null, rows: [[1, 2], [3, 4]] });
    expect(parseScoringJson({ inputs: [5, 6] })).toEqual({ columns: null, rows: [[5], [6]] });
    // Records with different keys: a missing value is null.
    expect(parseScoringJson({ dataframe_records: [{ a: 1 }, { b: 2 }] })).toEqual({ columns: ['a', 'b'], rows: [[1, null], [null, 2]] });
  });

  it('refuses everything else with a message that teaches the protocol', () => {
    const refused = (body: unknown, re: RegExp) => {
      try {
        parseScoringJson(body, 3);
      } catch (e) {
        expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
        expect((e as Error).message).toMatch(re);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(body)}`);
    };
    refused([1, 2], /must be a JSON object/);
    refused({}, /holds no input/);
    refused({ columns: ['a'] }, /Unknown key 'columns'/);
    refused({ dataframe_split: [[1]] }, /must be an object/);
    refused({ dataframe_split: { columns: ['a'], data: [1] } }, /data\[0\]' must be a list/);
    refused({ dataframe_records: [1] }, /must be an object of column values/);
    refused({ inputs: { a: [1, 2], b: [1] } }, /has 1 values; 'a' has 2/);
    refused({ instances: [{ a: 1 }, [1]] }, /instances\[1\]' must be an object/);
    refused({ instances: [[1], [2], [3], [4]] }, /more than 3 rows/);
  });
});

describe('CSV', () => {
  it('reads numbers, booleans, empty cells and quoted text', () => {
    expect(parseCsv('a,b,c,d\r\n1,"x, ""y""",,true\n-2.5e1,plain,3,FALSE\n')).toEqual({
      columns: ['a', 'b', 'c', 'd'], rows: [[1, 'x, "y"', null, true], [-25, 'plain', 3, false]],
    });
    // A quoted number stays text.
    expect(parseCsv('a\n"12"\n').rows).toEqual([['12']]);
  });

  it('refuses a header with no rows (a blank line is not a row of one empty cell; a quoted empty one is)', () => {
    expect(() => parseCsv('driver_id\n\n')).toThrow(/header line but no rows/);
    expect(parseCsv('driver_id\n""\n').rows).toEqual([['']]);
  });

  it('round-trips any table of text cells written with quotes', () => {
    const cell = fc.string({ maxLength: 8 });
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 10 }), (rows) => {
      const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
      const text = ['h1,h2', ...rows.map((r) => r.map(q).join(','))].join('\n');
      expect(parseCsv(text).rows).toEqual(rows);
    }));
  });
});

describe('signature check', () => {
  const sig = { inputs: [{ name: 'age', type: 'long' as const }, { name: 'city', type: 'string' as const, required: false }, { name: 'ok', type: 'boolean' as const, required: false }], outputs: [] };
  it('orders columns as the signature, fills optional ones, drops extras', () => {
    expect(checkFrame({ columns: ['extra', 'age'], rows: [[9, 41]] }, sig)).toEqual({ columns: ['age', 'city', 'ok'], rows: [[41, null, null]] });
    expect(checkFrame({ columns: null, rows: [[41, 'x', true]] }, sig)).toEqual({ columns: ['age', 'city', 'ok'], rows: [[41, 'x', true]] });
  });
  it('names the column, the row and what was expected', () => {
    expect(() => checkFrame({ columns: ['city'], rows: [['x']] }, sig)).toThrow(/Missing column 'age'.*long/);
    expect(() => checkFrame({ columns: ['age'], rows: [[1], [1.5]] }, sig)).toThrow(/Column 'age', row 1: expected a whole number \(long\), got 1.5/);
    expect(() => checkFrame({ columns: ['age', 'ok'], rows: [[1, 'yes']] }, sig)).toThrow(/Column 'ok', row 0: expected true or false/);
    expect(() => checkFrame({ columns: null, rows: [[1]] }, sig)).toThrow(/plain lists of 1 values.*3 named columns/);
    const tensor = { inputs: [{ name: 'x', type: 'tensor' as const, dtype: 'float32', shape: [-1, 2] }], outputs: [] };
    expect(() => checkFrame({ columns: null, rows: [[1, 2, 3]] }, tensor)).toThrow(/takes 2 per row/);
    expect(() => checkFrame({ columns: null, rows: [[1, 'a']] }, tensor)).toThrow(/expected a number/);
  });
});
