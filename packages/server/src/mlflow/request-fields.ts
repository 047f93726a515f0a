import { CairnError } from '@cairn/core';
import { pythonView } from './python-repr.js';

type Source = Record<string, unknown>;
type Path = readonly (string | number)[];

/** The whole request, shared by every field reader of it: its parsed body and, for JSON, its text. */
interface RequestRoot {
  body: unknown;
  text?: string;
}

const API_DOCS = 'See the API docs for more information about request parameters.';

/**
 * MLflow's message for a value of the wrong type (`mlflow/server/handlers.py`), with the value printed
 * as Python prints it, then what Cairn expected.
 */
function bad(field: string, expected: string, value: unknown, root?: RequestRoot, path?: Path): CairnError {
  const view = pythonView(value, path ?? [], path ? root?.text : undefined);
  const shown = view.text.length > 1000 ? `${view.text.slice(0, 1000)}…` : view.text;
  return new CairnError(
    'INVALID_ARGUMENT',
    `Invalid value ${shown} for parameter '${field}' supplied. Hint: Value was of type '${view.type}'. ${API_DOCS} Expected ${expected}.`,
    { details: { field } },
  );
}

export function missing(field: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `Missing value for required parameter '${field}'. ${API_DOCS}`, { details: { field } });
}

const INT64 = /^-?\d{1,19}$/;
const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_DOUBLES: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * Reads an MLflow request message the way protobuf's JSON mapping does: from the JSON body of a
 * POST, or from the query string of a GET (where every value is a string and repeated fields repeat
 * the key). int64 fields accept numbers or decimal strings; doubles also take "NaN" and "±Infinity";
 * enums take their name or number; unknown fields are ignored. Absent and empty are the same, as
 * an unset proto2 string reads as "".
 */
export class RequestFields {
  /**
   * `prefix` goes before field names (`dataset.`); for an element of a list it names the list and
   * `index` the element (`metrics`, 3: `metrics[3].key`), so the name is only built for an error
   * message. A log-batch request holds a thousand elements. `path` locates this message in the
   * request, so an error can print the value exactly as the client sent it.
   */
  constructor(
    private readonly source: Source,
    private readonly prefix = '',
    private readonly fromQueryString = false,
    private readonly index?: number,
    private readonly root?: RequestRoot,
    private readonly path: Path = [],
  ) {}

  /** A POST's message; `text` is the JSON body as sent (for error messages that quote a value). */
  static fromBody(body: unknown, text?: string): RequestFields {
    if (body === undefined || body === null || body === '') return new RequestFields({});
    if (typeof body !== 'object' || Array.isArray(body)) throw new CairnError('INVALID_ARGUMENT', 'The request body must be a JSON object.');
    return new RequestFields(body as Source, '', false, undefined, { body, text });
  }

  static fromQuery(query: unknown): RequestFields {
    return new RequestFields((query ?? {}) as Source, '', true);
  }

  /** The raw value of a field as sent (undefined when absent), for checks the typed readers do not make. */
  rawValue(field: string): unknown {
    return this.source[field];
  }

  /** An error for a field whose value is wrong as a whole, printed as MLflow prints it. */
  invalid(field: string, expected: string): CairnError {
    return bad(this.fieldName(field), expected, this.source[field], this.root, [...this.path, field]);
  }

  /** The field's full name in the request, for messages (`metrics[3].key`). */
  fieldName(field: string): string {
    return this.index === undefined ? `${this.prefix}${field}` : `${this.prefix}[${this.index}].${field}`;
  }

  missing(field: string): CairnError {
    return missing(this.fieldName(field));
  }

  /** A scalar field; a GET that repeats a scalar key uses the first value, as MLflow's server does. */
  private raw(field: string): unknown {
    const v = this.source[field];
    return this.fromQueryString && Array.isArray(v) ? v[0] : v;
  }

  string(field: string): string | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.invalid(field, 'a string');
    // No stored name, key or id holds a NUL (PostgreSQL text cannot), so it never reaches a query.
    if (v.includes('\u0000')) throw this.invalid(field, 'a string without NUL characters');
    return v === '' ? undefined : v;
  }

  requiredString(field: string): string {
    const v = this.string(field);
    if (v === undefined) throw missing(this.fieldName(field));
    return v;
  }

  int64(field: string): number | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && INT64.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw this.invalid(field, 'a whole number (int64)');
    return n;
  }

  requiredInt64(field: string): number {
    const v = this.int64(field);
    if (v === undefined) throw missing(this.fieldName(field));
    return v;
  }

  /**
   * A double. Non-finite values are only the strings "NaN", "Infinity" and "-Infinity"; a number
   * too large for a double (`1e400`, which JSON.parse reads as Infinity) is refused, as protobuf's
   * JSON parser refuses it, and as /api/v1 does.
   */
  requiredDouble(field: string): number {
    const v = this.raw(field);
    if (v === undefined || v === null || v === '') throw missing(this.fieldName(field));
    if (typeof v === 'string' && Object.hasOwn(SPECIAL_DOUBLES, v)) return SPECIAL_DOUBLES[v]!;
    const n = typeof v === 'number' ? v : typeof v === 'string' && DOUBLE.test(v.trim()) ? Number(v.trim()) : undefined;
    if (n !== undefined && Number.isFinite(n)) return n;
    if (n !== undefined) {
      throw new CairnError('INVALID_ARGUMENT', `The value of '${this.fieldName(field)}' is too large for a double (it reads as ${n}). Send the string "${n}" for an infinite value.`, {
        details: { field: this.fieldName(field) },
      });
    }
    throw this.invalid(field, 'a number, "NaN", "Infinity" or "-Infinity"');
  }

  /** An enum given by name or by its proto number. */
  enumValue<T extends string>(field: string, values: Record<number, T>): T | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null || v === '') return undefined;
    const names = Object.values(values);
    if (typeof v === 'string' && (names as string[]).includes(v)) return v as T;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (Object.hasOwn(values, n)) return values[n];
    throw this.invalid(field, `one of ${names.join(', ')}`);
  }

  /** A repeated string field: a JSON array, or a repeated (or single) query key. */
  stringList(field: string): string[] {
    const v = this.source[field];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : this.fromQueryString && typeof v === 'string' ? [v] : null;
    if (!list) throw this.invalid(field, 'a list of strings');
    list.forEach((item, i) => {
      if (typeof item !== 'string') throw bad(`${this.fieldName(field)}[${i}]`, 'a string', item, this.root, [...this.path, field, i]);
    });
    return list as string[];
  }

  /** A repeated message field, each element read with its own prefix (`metrics[3].`). */
  messages(field: string): RequestFields[] {
    const v = this.source[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.invalid(field, 'a list');
    const name = this.fieldName(field);
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(`${name}[${i}]`, 'an object', item, this.root, [...this.path, field, i]);
      return new RequestFields(item as Source, name, false, i, this.root, [...this.path, field, i]);
    });
  }

  /** A singular message field, or null when absent. */
  message(field: string): RequestFields | null {
    const v = this.source[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.invalid(field, 'an object');
    return new RequestFields(v as Source, `${this.fieldName(field)}.`, false, undefined, this.root, [...this.path, field]);
  }

  /** `run_id`, or the deprecated `run_uuid` that older clients still send. */
  runId(): string {
    const id = this.string('run_id') ?? this.string('run_uuid');
    if (id === undefined) throw missing(this.fieldName('run_id'));
    return id;
  }
}
