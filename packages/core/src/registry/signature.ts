import { invalid } from '../errors.js';
import { COLUMN_TYPES, type ColumnType, type Signature, type SignatureField } from './entities.js';

const MAX_FIELDS = 10_000;

/**
 * Validates a signature given by a caller: `{ inputs: [...], outputs: [...] }` where each field is
 * `{ name?, type: 'double' | 'string' | …, required? }` or `{ name?, type: 'tensor', dtype, shape }`.
 *
 * @example
 * ```ts
 * checkSignature({ inputs: [{ name: 'age', type: 'long' }], outputs: [{ type: 'double' }] });
 * ```
 */
export function checkSignature(value: unknown): Signature | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`'signature' must be an object with 'inputs' and 'outputs' lists.`, { field: 'signature' });
  const v = value as Record<string, unknown>;
  return { inputs: checkFields(v.inputs, 'signature.inputs'), outputs: checkFields(v.outputs, 'signature.outputs') };
}

function checkFields(list: unknown, at: string): SignatureField[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(`'${at}' must be a list of fields.`, { field: at });
  if (list.length > MAX_FIELDS) throw invalid(`'${at}' has more than ${MAX_FIELDS} fields.`, { field: at });
  return list.map((f: unknown, i) => checkField(f, `${at}[${i}]`));
}

function checkField(f: unknown, at: string): SignatureField {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw invalid(`'${at}' must be an object such as { "name": "age", "type": "long" }.`, { field: at });
  const o = f as Record<string, unknown>;
  const name = o.name === undefined || o.name === null ? undefined : o.name;
  if (name !== undefined && (typeof name !== 'string' || name.length > 250)) throw invalid(`'${at}.name' must be a string of at most 250 characters.`, { field: at });
  if (o.type === 'tensor') {
    if (typeof o.dtype !== 'string' || !/^[a-z0-9_]{1,32}$/.test(o.dtype)) throw invalid(`'${at}.dtype' must be a dtype such as 'float32'.`, { field: at });
    const shape = o.shape;
    if (!Array.isArray(shape) || shape.length > 32 || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= -1)) {
      throw invalid(`'${at}.shape' must be a list of dimensions (whole numbers, -1 for any size).`, { field: at });
    }
    return { ...(name ? { name } : {}), type: 'tensor', dtype: o.dtype, shape: shape as number[] };
  }
  if (typeof o.type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(o.type)) {
    throw invalid(`'${at}.type' must be one of ${[...COLUMN_TYPES, 'tensor'].join(', ')}.`, { field: at });
  }
  if (o.required !== undefined && typeof o.required !== 'boolean') throw invalid(`'${at}.required' must be true or false.`, { field: at });
  return { ...(name ? { name } : {}), type: o.type as ColumnType, ...(o.required === false ? { required: false } : {}) };
}

/**
 * Reads MLflow's signature from an `MLmodel` file: `inputs`/`outputs` are JSON strings of column
 * specs (`{name, type, required}`) or tensor specs (`{type: 'tensor', 'tensor-spec': {dtype, shape}}`).
 * Returns null when the file has none or it cannot be read; it is advisory there.
 */
export function signatureFromMlflow(raw: unknown): Signature | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const parse = (s: unknown): unknown[] => {
    if (typeof s !== 'string') return [];
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v : [];
  };
  try {
    const convert = (f: unknown): unknown => {
      const o = f as Record<string, unknown>;
      if (o?.type === 'tensor') {
        const spec = (o['tensor-spec'] ?? {}) as Record<string, unknown>;
        return { name: o.name, type: 'tensor', dtype: spec.dtype, shape: spec.shape };
      }
      return { name: o?.name, type: o?.type, ...(o?.required === false ? { required: false } : {}) };
    };
    return checkSignature({ inputs: parse(r.inputs).map(convert), outputs: parse(r.outputs).map(convert) });
  } catch {
    return null;
  }
}

/**
 * Whether a candidate can replace the current model without breaking callers: every input the
 * candidate requires must be one callers already send, with the same type; every output callers
 * read must still be there, with the same type. Returns the problems (none means compatible).
 */
export function signatureProblems(current: Signature, candidate: Signature): string[] {
  const problems: string[] = [];
  const key = (f: SignatureField, i: number) => f.name ?? `#${i}`;
  const currentInputs = new Map(current.inputs.map((f, i) => [key(f, i), f]));
  candidate.inputs.forEach((f, i) => {
    const before = currentInputs.get(key(f, i));
    if (!before) {
      if (f.type === 'tensor' || f.required !== false) problems.push(`input '${key(f, i)}' is new and required`);
    } else if (!sameType(before, f)) {
      problems.push(`input '${key(f, i)}' changed type from ${describeType(before)} to ${describeType(f)}`);
    }
  });
  const candidateOutputs = new Map(candidate.outputs.map((f, i) => [key(f, i), f]));
  current.outputs.forEach((f, i) => {
    const after = candidateOutputs.get(key(f, i));
    if (!after) problems.push(`output '${key(f, i)}' is gone`);
    else if (!sameType(f, after)) problems.push(`output '${key(f, i)}' changed type from ${describeType(f)} to ${describeType(after)}`);
  });
  return problems;
}

function sameType(a: SignatureField, b: SignatureField): boolean {
  if (a.type !== 'tensor' || b.type !== 'tensor') return a.type === b.type;
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  return a.shape.every((d, i) => d === b.shape[i] || d === -1 || b.shape[i] === -1);
}

function describeType(f: SignatureField): string {
  return f.type === 'tensor' ? `tensor<${f.dtype}>[${f.shape.join(',')}]` : f.type;
}
