import { CairnError } from '../errors.js';
import type { ValueKind } from './entities.js';

export const PARAM_SPEC: unique symbol = Symbol.for('cairn.pipelines.param-spec');

export type ParamType = 'number' | 'int' | 'string' | 'boolean' | 'json' | 'enum';

/** A declared pipeline parameter: its type, default and (for enums) its allowed values. */
export interface ParamSpec<T = unknown> {
  readonly [PARAM_SPEC]: true;
  readonly type: ParamType;
  /** `undefined` means the parameter is required. */
  readonly default: T | undefined;
  readonly values?: readonly string[];
  readonly description?: string;
  /** Type-only: the parameter's value type. */
  readonly __type?: T;
}

export type ParamSpecs = Record<string, ParamSpec>;
export type ParamValues<P extends ParamSpecs> = { [K in keyof P]: P[K] extends ParamSpec<infer T> ? T : never };

function spec<T>(type: ParamType, def: T | undefined, description?: string, values?: readonly string[]): ParamSpec<T> {
  return { [PARAM_SPEC]: true, type, default: def, ...(values ? { values } : {}), ...(description ? { description } : {}) };
}

/**
 * Pipeline parameter declarations. A parameter without a default is required; values given on the
 * command line (`--param lr=0.1`) are parsed by the declared type.
 *
 * @example
 * ```ts
 * pipeline({ name: 'churn', params: { lr: param.number(0.1), epochs: param.int(10), model: param.enum(['xgb', 'lr'], 'xgb') } }, (p) => { … });
 * ```
 */
export const param = {
  number: (def?: number, description?: string): ParamSpec<number> => spec('number', def, description),
  int: (def?: number, description?: string): ParamSpec<number> => spec('int', def, description),
  string: (def?: string, description?: string): ParamSpec<string> => spec('string', def, description),
  boolean: (def?: boolean, description?: string): ParamSpec<boolean> => spec('boolean', def, description),
  json: <T = unknown>(def?: T, description?: string): ParamSpec<T> => spec('json', def, description),
  enum: <const V extends string>(values: readonly V[], def?: NoInfer<V>, description?: string): ParamSpec<V> => spec('enum', def, description, values),
};

export function isParamSpec(v: unknown): v is ParamSpec {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[PARAM_SPEC] === true;
}

/** The value kind a parameter feeds into a step input. */
export function paramKind(p: ParamSpec): ValueKind {
  if (p.type === 'int' || p.type === 'number') return 'number';
  if (p.type === 'enum' || p.type === 'string') return 'string';
  return p.type === 'boolean' ? 'boolean' : 'json';
}

/** Checks one value against a declared type; strings (from `--param`) are parsed. Returns an error text or the value. */
function coerce(name: string, p: ParamSpec, raw: unknown): { value: unknown } | { error: string } {
  const fromText = typeof raw === 'string';
  switch (p.type) {
    case 'number':
    case 'int': {
      const n = fromText && (raw as string).trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return { error: `param '${name}' must be a finite number, got ${show(raw)}` };
      if (p.type === 'int' && !Number.isSafeInteger(n)) return { error: `param '${name}' must be a whole number, got ${show(raw)}` };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { error: `param '${name}' must be true or false, got ${show(raw)}` };
    }
    case 'string':
      return typeof raw === 'string' ? { value: raw } : typeof raw === 'number' || typeof raw === 'boolean' ? { value: String(raw) } : { error: `param '${name}' must be a string, got ${show(raw)}` };
    case 'enum':
      return typeof raw === 'string' && p.values!.includes(raw) ? { value: raw } : { error: `param '${name}' must be one of ${p.values!.join(', ')}, got ${show(raw)}` };
    case 'json': {
      if (!fromText) return { value: raw };
      try {
        return { value: JSON.parse(raw as string) };
      } catch {
        // A bare word is a string: `--param tag=latest` should not need quotes.
        return { value: raw };
      }
    }
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
}

/**
 * Resolves a run's parameters: defaults, then `values` (from a run config file), then `overrides`
 * (`--param k=v` strings). Unknown names and bad values are all reported at once, naming each.
 */
export function resolveParams(pipelineName: string, specs: ParamSpecs, values: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const problems: string[] = [];
  const known = Object.keys(specs);
  const merged = { ...values, ...overrides };
  for (const name of Object.keys(merged)) {
    if (!Object.hasOwn(specs, name)) problems.push(`unknown param '${name}': pipeline '${pipelineName}' declares ${known.length ? known.join(', ') : 'no params'}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(specs)) {
    const raw = Object.hasOwn(merged, name) ? merged[name] : p.default;
    if (raw === undefined) {
      problems.push(`param '${name}' is required: pass --param ${name}=VALUE`);
      continue;
    }
    const r = coerce(name, p, raw);
    if ('error' in r) problems.push(r.error);
    else out[name] = r.value;
  }
  if (problems.length) {
    throw new CairnError('INVALID_ARGUMENT', `Bad parameters for pipeline '${pipelineName}': ${problems.join('; ')}.`, { details: { problems } });
  }
  return out;
}

/** The declared params as JSON (for listings): type, default, allowed values. */
export function describeParams(specs: ParamSpecs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(specs).map(([k, p]) => [k, { type: p.type, default: p.default ?? null, ...(p.values ? { values: p.values } : {}), ...(p.description ? { description: p.description } : {}) }]));
}
