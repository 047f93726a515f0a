import { invalid } from '../errors.js';
import type { ColumnType, Signature, SignatureField } from '../registry/entities.js';
import type { Frame } from './frame.js';

const TYPE_WORDS: Record<ColumnType, string> = {
  boolean: 'true or false', integer: 'a whole number', long: 'a whole number', float: 'a number', double: 'a number',
  string: 'a string', binary: 'a base64 string', datetime: 'an ISO 8601 time or epoch milliseconds',
};

function fits(type: ColumnType, v: unknown): boolean {
  switch (type) {
    case 'double': case 'float': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': case 'long': return typeof v === 'number' && Number.isSafeInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'string': case 'binary': return typeof v === 'string';
    case 'datetime': return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  }
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

/**
 * Checks a frame against a version's signature and returns it with the signature's columns, in the
 * signature's order (other columns are dropped). A missing required column, a null in a required
 * column or a value of the wrong type is INVALID_ARGUMENT naming the column, the row and what was
 * expected. Optional columns that are missing are filled with nulls. Positional rows (a tensor)
 * are matched to a column signature by position when they have one value per input. Without a
 * signature the frame passes as it is.
 *
 * @example
 * ```ts
 * checkFrame({ columns: ['age'], rows: [['x']] }, { inputs: [{ name: 'age', type: 'long' }], outputs: [] });
 * // throws: Column 'age', row 0: expected a whole number (long), got "x".
 * ```
 */
export function checkFrame(frame: Frame, signature: Signature | null): Frame {
  if (!signature || !signature.inputs.length) return frame;
  const tensor = signature.inputs.length === 1 && signature.inputs[0]!.type === 'tensor' ? signature.inputs[0]! : null;
  if (tensor && tensor.type === 'tensor') return checkTensor(frame, tensor);
  const fields = signature.inputs as Array<Extract<SignatureField, { type: ColumnType }>>;
  const names = fields.map((f, i) => f.name ?? `${i}`);
  let source: Array<number | null>;
  if (frame.columns === null) {
    const width = frame.rows[0]?.length ?? 0;
    if (frame.rows.some((r) => r.length !== fields.length)) {
      throw invalid(`The rows are plain lists of ${width} values, but the model takes ${fields.length} named columns (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}). Send named columns (dataframe_split or dataframe_records).`);
    }
    source = fields.map((_, j) => j);
  } else {
    const index = new Map(frame.columns.map((c, j) => [c, j]));
    source = fields.map((f, j) => {
      const at = index.get(names[j]!);
      if (at === undefined && f.required !== false) throw invalid(`Missing column '${names[j]}': the model's signature requires it (${f.type}). Columns sent: ${frame.columns!.slice(0, 20).join(', ') || 'none'}.`);
      return at ?? null;
    });
  }
  const rows = frame.rows.map((r, i) => fields.map((f, j) => {
    const at = source[j]!;
    const v = at === null ? null : r[at];
    if (v === null || v === undefined) {
      if (f.required === false) return null;
      throw invalid(`Column '${names[j]}', row ${i}: null, but the signature requires ${TYPE_WORDS[f.type]} (${f.type}).`);
    }
    if (!fits(f.type, v)) throw invalid(`Column '${names[j]}', row ${i}: expected ${TYPE_WORDS[f.type]} (${f.type}), got ${shown(v)}.`);
    return v;
  }));
  return { columns: names, rows };
}

function checkTensor(frame: Frame, field: Extract<SignatureField, { type: 'tensor' }>): Frame {
  const width = field.shape.length >= 2 ? field.shape[field.shape.length - 1]! : -1;
  const numeric = !/^(str|string|bool|object)$/.test(field.dtype);
  frame.rows.forEach((r, i) => {
    if (width >= 0 && r.length !== width) throw invalid(`Row ${i} has ${r.length} values; the model's input '${field.name ?? 'tensor'}' takes ${width} per row (shape [${field.shape.join(', ')}]).`);
    if (numeric) {
      r.forEach((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`Row ${i}, value ${j}${frame.columns ? ` ('${frame.columns[j]}')` : ''}: expected a number (tensor of ${field.dtype}), got ${shown(v)}.`);
      });
    }
  });
  return frame;
}
