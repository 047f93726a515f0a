import { invalid } from '../errors.js';
import { tooManyRows } from './csv.js';
import type { Frame } from './frame.js';

const SHAPES = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
const HOW = `Send one of ${SHAPES.map((s) => `'${s}'`).join(', ')} (MLflow's scoring protocol), e.g. {"dataframe_records": [{"age": 41}]}, or text/csv.`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a JSON body of MLflow's scoring protocol into a frame:
 * `dataframe_split` (`{columns, data}`), `dataframe_records` (a list of row objects), `instances`
 * (row objects, or plain lists for a tensor) and `inputs` (row objects, a column object of lists,
 * or plain lists). `params` may accompany any of them and is ignored here.
 *
 * @example
 * ```ts
 * parseScoringJson({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } });
 * // { columns: ['a', 'b'], rows: [[1, 2]] }
 * ```
 */
export function parseScoringJson(body: unknown, maxRows = Infinity): Frame {
  if (!isObject(body)) throw invalid(`The body must be a JSON object. ${HOW}`);
  const keys = Object.keys(body).filter((k) => k !== 'params');
  const shapes = keys.filter((k) => (SHAPES as readonly string[]).includes(k));
  if (shapes.length !== 1 || keys.length !== 1) {
    const unknown = keys.filter((k) => !(SHAPES as readonly string[]).includes(k));
    throw invalid(shapes.length > 1 ? `The body has ${shapes.join(' and ')}; send exactly one. ${HOW}` : unknown.length ? `Unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(', ')}. ${HOW}` : `The body holds no input. ${HOW}`);
  }
  const shape = shapes[0]!;
  const value = body[shape];
  let frame: Frame;
  if (shape === 'dataframe_split') frame = fromSplit(value);
  else if (shape === 'dataframe_records') frame = fromRecords(value, shape);
  else if (shape === 'instances') frame = fromList(value, shape);
  else frame = isObject(value) ? fromColumns(value) : fromList(value, shape);
  if (frame.rows.length > maxRows) throw tooManyRows(maxRows);
  if (!frame.rows.length) throw invalid(`'${shape}' holds no rows. Send at least one.`);
  return frame;
}

function fromSplit(v: unknown): Frame {
  if (!isObject(v)) throw invalid(`'dataframe_split' must be an object {"columns": [...], "data": [[...], ...]}.`);
  const { columns, data } = v;
  if (!Array.isArray(data)) throw invalid(`'dataframe_split.data' must be a list of rows (lists of values).`);
  if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) throw invalid(`'dataframe_split.columns' must be a list of column names.`);
  const rows = data.map((r, i) => {
    if (!Array.isArray(r)) throw invalid(`'dataframe_split.data[${i}]' must be a list of values.`);
    if (columns && r.length !== columns.length) throw invalid(`'dataframe_split.data[${i}]' has ${r.length} values; 'columns' names ${(columns as string[]).length}.`);
    return r as unknown[];
  });
  return { columns: (columns as string[] | undefined) ?? null, rows };
}

function fromRecords(v: unknown, shape: string): Frame {
  if (!Array.isArray(v)) throw invalid(`'${shape}' must be a list of row objects, e.g. [{"age": 41}].`);
  const columns: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < v.length; i++) {
    const r = v[i];
    if (!isObject(r)) throw invalid(`'${shape}[${i}]' must be an object of column values.`);
    for (const k in r) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  }
  const rows = v.map((r: Record<string, unknown>) => {
    const row = new Array<unknown>(columns.length).fill(null);
    for (const k in r) row[index.get(k)!] = r[k];
    return row;
  });
  return { columns, rows };
}

// A list of objects is records; a list of lists (or of scalars) is positional rows of a tensor.
function fromList(v: unknown, shape: string): Frame {
  if (!Array.isArray(v)) throw invalid(`'${shape}' must be a list of rows.`);
  if (v.length && isObject(v[0])) return fromRecords(v, shape);
  return { columns: null, rows: v.map((r, i) => {
    if (isObject(r)) throw invalid(`'${shape}[${i}]' is an object but '${shape}[0]' is not: send all rows the same way.`);
    return Array.isArray(r) ? (r as unknown[]) : [r];
  }) };
}

function fromColumns(v: Record<string, unknown>): Frame {
  const columns = Object.keys(v);
  if (!columns.length) throw invalid(`'inputs' names no columns.`);
  const lists = columns.map((c) => {
    const list = v[c];
    if (!Array.isArray(list)) throw invalid(`'inputs.${c.slice(0, 60)}' must be a list of values (one per row).`);
    return list as unknown[];
  });
  const n = lists[0]!.length;
  lists.forEach((l, j) => {
    if (l.length !== n) throw invalid(`'inputs.${columns[j]!.slice(0, 60)}' has ${l.length} values; '${columns[0]!.slice(0, 60)}' has ${n}. Every column needs one value per row.`);
  });
  return { columns, rows: Array.from({ length: n }, (_, i) => lists.map((l) => l[i])) };
}
