import { isLosslessNumber, parse as parseLossless } from 'lossless-json';

// MLflow's server validates a request's JSON after Python's json module has read it, and its messages
// print the offending value with Python's str(): `Invalid value 9.0 for parameter 'artifact_location'`,
// `Invalid value [{'key': 'mae', 'value': 2.5}] for parameter 'metrics'`. JavaScript's JSON.parse
// forgets that `9.0` was a float, so the request's text is read again here, losslessly, on the error
// path only (the hot path keeps the native parser).

/** A JSON number as its text, so `9.0` stays a float and big integers keep their digits. */
interface NumberLiteral {
  literal: string;
}

// Number literals are marked by identity, so a JSON object with a "literal" key is never taken for one.
const NUMBERS = new WeakSet<object>();

type PyValue = null | boolean | string | NumberLiteral | PyValue[] | { [key: string]: PyValue };

const isFloatLiteral = (text: string): boolean => /[.eE]/.test(text);

/** Python's repr() of a float, from JavaScript's shortest round-trip digits. */
export function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  // The shortest round-trip digits and their exponent, as Python's repr() starts from too.
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  // Python switches to scientific notation below 1e-4 and from 1e16 on; JavaScript at 1e-7 and 1e21.
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function numberText(literal: string): string {
  if (!isFloatLiteral(literal)) return BigInt(literal).toString();
  return pythonFloat(Number(literal));
}

const quote = (s: string): string => {
  // Python picks single quotes unless the text holds one and no double quote.
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return `${q}${q === "'" ? body.replace(/'/g, "\\'") : body}${q}`;
};

function repr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if (isNumber(v)) return numberText(v.literal);
  return `{${Object.entries(v).map(([k, x]) => `${quote(k)}: ${repr(x)}`).join(', ')}}`;
}

/** Python's str(): strings bare, everything else as repr(). */
function str(v: PyValue): string {
  return typeof v === 'string' ? v : repr(v);
}

/** The name of the value's Python type, as MLflow's hint prints it ("Value was of type 'int'"). */
function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (isNumber(v)) return isFloatLiteral(v.literal) ? 'float' : 'int';
  return 'dict';
}

function isNumber(v: PyValue): v is NumberLiteral {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && NUMBERS.has(v);
}


function fromLossless(v: unknown): PyValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (isLosslessNumber(v)) {
    const n: NumberLiteral = { literal: v.value };
    NUMBERS.add(n);
    return n;
  }
  if (Array.isArray(v)) return v.map(fromLossless);
  const out: { [key: string]: PyValue } = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromLossless(x);
  return out;
}

/** The value as Python's json module would have read it, from an already parsed JavaScript value. */
function fromParsed(v: unknown): PyValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    const n: NumberLiteral = { literal: Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v) };
    NUMBERS.add(n);
    return n;
  }
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(fromParsed);
  const out: { [key: string]: PyValue } = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromParsed(x);
  return out;
}

/** A value as MLflow's messages print it: Python's str() and the name of its Python type. */
export interface PythonView {
  text: string;
  type: string;
}

/**
 * How MLflow would print the value at `path` of a request. With the request's JSON text the number
 * literals are exact (`9.0`); without it (a query string, or text that no longer parses) the parsed
 * value is used.
 */
export function pythonView(parsed: unknown, path: readonly (string | number)[], bodyText?: string): PythonView {
  let value: PyValue | undefined;
  if (bodyText !== undefined) {
    try {
      let node: unknown = parseLossless(bodyText);
      for (const step of path) node = node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[step];
      if (node !== undefined) value = fromLossless(node);
    } catch {
      value = undefined;
    }
  }
  value ??= fromParsed(parsed);
  return { text: str(value), type: typeName(value) };
}
