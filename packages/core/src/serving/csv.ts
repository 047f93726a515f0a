import { invalid } from '../errors.js';
import type { Frame } from './frame.js';

/**
 * Parses CSV text (RFC 4180: a header line, `"` quoting with `""` inside quotes, CRLF or LF) into a
 * frame. A cell that reads as a number becomes a number, `true`/`false` booleans, an empty cell
 * null; anything else stays text. Rows must have as many cells as the header.
 *
 * @example
 * ```ts
 * parseCsv('age,region\n41,south\n'); // { columns: ['age', 'region'], rows: [[41, 'south']] }
 * ```
 */
export function parseCsv(text: string, maxRows = Infinity): Frame {
  const records = splitRecords(text);
  if (!records.length) throw invalid('The CSV body is empty: send a header line with the column names, then one line per row.');
  const columns = records[0]!.map((c) => c.text);
  if (columns.some((c) => c === '')) throw invalid('The CSV header has an empty column name: the first line must name every column.');
  const rows: unknown[][] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i]!;
    if (r.length === 1 && r[0]!.text === '' && !r[0]!.quoted) continue;
    if (r.length !== columns.length) throw invalid(`CSV line ${i + 1} has ${r.length} cells; the header names ${columns.length} columns.`);
    if (rows.length >= maxRows) throw tooManyRows(maxRows);
    rows.push(r.map(cellValue));
  }
  if (!rows.length) throw invalid('The CSV body has a header line but no rows (blank lines are skipped): send one line per row after it.');
  return { columns, rows };
}

export function tooManyRows(max: number) {
  return invalid(`The request has more than ${max} rows (serving.max_rows). Send the rows in smaller batches.`);
}

interface Cell { text: string; quoted: boolean }

const NUMBER = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;

function cellValue(c: Cell): unknown {
  if (c.quoted) return c.text;
  const t = c.text.trim();
  if (t === '') return null;
  if (NUMBER.test(t)) return Number(t);
  if (t === 'true' || t === 'True' || t === 'TRUE') return true;
  if (t === 'false' || t === 'False' || t === 'FALSE') return false;
  return c.text;
}

function splitRecords(text: string): Cell[][] {
  const out: Cell[][] = [];
  let row: Cell[] = [];
  let cell = '';
  let quoted = false;
  let inQuotes = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endCell = () => {
    row.push({ text: cell, quoted });
    cell = '';
    quoted = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else cell += ch;
      continue;
    }
    if (ch === '"') {
      if (cell.trim() !== '') throw invalid(`Malformed CSV near line ${out.length + 1}: a quote may only start a cell.`);
      cell = '';
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endCell();
      out.push(row);
      row = [];
    } else cell += ch;
  }
  if (inQuotes) throw invalid('Malformed CSV: a quoted cell is never closed.');
  if (cell !== '' || quoted || row.length) {
    endCell();
    out.push(row);
  }
  return out;
}
