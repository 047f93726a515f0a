import { invalid } from '../errors.js';
import type { Binding, ValueKind } from './entities.js';
import { VALUE_KINDS } from './entities.js';
import type { FunctionInputs } from './function-inputs.js';

// The runtime shape of steps and DAG nodes, shared by define.ts (which builds them), dag.ts (which
// checks them) and the runtime (which runs them).

export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`;

export interface RetryOptions {
  /** Retries after the first attempt. */
  max: number;
  /** First backoff delay (doubles each retry); default 1 s. */
  delay?: Duration;
  /** Cap on one backoff delay; default 5 min. */
  maxDelay?: Duration;
  /** Random spread of each delay, 0..1 (0.5 means ±50 %); default 0.5. */
  jitter?: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  delayMs: number;
  maxDelayMs: number;
  jitter: number;
}

/** What a step asks for. `cpu` counts against the local executor's concurrency slots. */
export interface Resources {
  cpu?: number;
  memoryMb?: number;
  gpu?: number;
}

export type Isolation = 'none' | 'process';

export interface StepOptions {
  /** Shown everywhere and part of the cache key; letters, digits, `_`, `-`, `.`. */
  name: string;
  /** Bump to invalidate cached results when something the source does not show changed. */
  version?: string | number;
  /** Reuse earlier results with the same key (default true). */
  cache?: boolean;
  retries?: number | RetryOptions;
  /** Per attempt; the step's process is killed (in-process steps get their signal aborted). */
  timeout?: Duration;
  resources?: Resources;
  /** `process` runs the step in a child process (command steps always do). */
  isolation?: Isolation;
}

export type StepImplementation =
  | { type: 'function'; fn: (inputs: Record<string, unknown>, ctx: never) => unknown; source: string; reads: FunctionInputs }
  | { type: 'command'; argv: string[]; env: Record<string, string>; cwd: string | null };

/** A step's definition, independent of where it is used. */
export interface StepDefinition {
  name: string;
  version: string | null;
  cache: boolean;
  retry: RetryPolicy;
  timeoutMs: number | null;
  resources: Resources;
  isolation: Isolation;
  /** Declared input and output kinds; null when only the TypeScript types say. */
  inputKinds: Record<string, ValueKind> | null;
  outputKinds: Record<string, ValueKind> | null;
  impl: StepImplementation;
}

/** One use of a step in a pipeline. */
export interface NodeSpec {
  id: string;
  step: StepDefinition;
  bindings: Record<string, Binding>;
  /** Extra ordering: steps that must finish first without passing a value. */
  after: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(`${what} name ${JSON.stringify(name)} is not valid: use 1-100 letters, digits, '_', '-' or '.', starting with a letter or digit.`);
  }
  return name;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds from a number (ms) or a string such as `30s`, `5m`, `250ms`. */
export function parseDuration(value: Duration, field: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(value));
    if (m) return Number(m[1]) * UNITS[m[2]!]!;
  }
  throw invalid(`'${field}' must be milliseconds or a duration such as '30s', '5m' or '250ms', got ${JSON.stringify(value)}.`);
}

export function retryPolicy(retries: number | RetryOptions | undefined, stepName: string): RetryPolicy {
  const o: RetryOptions = typeof retries === 'number' ? { max: retries } : retries ?? { max: 0 };
  if (!Number.isSafeInteger(o.max) || o.max < 0 || o.max > 100) throw invalid(`step '${stepName}': retries must be a whole number from 0 to 100.`);
  const jitter = o.jitter ?? 0.5;
  if (typeof jitter !== 'number' || jitter < 0 || jitter > 1) throw invalid(`step '${stepName}': retries.jitter must be between 0 and 1.`);
  return {
    maxAttempts: o.max + 1,
    delayMs: parseDuration(o.delay ?? 1000, `${stepName}.retries.delay`),
    maxDelayMs: parseDuration(o.maxDelay ?? 300_000, `${stepName}.retries.maxDelay`),
    jitter,
  };
}

export function checkKinds(kinds: Record<string, string> | undefined, what: string): Record<string, ValueKind> | null {
  if (kinds === undefined) return null;
  for (const [k, v] of Object.entries(kinds)) {
    if (!(VALUE_KINDS as readonly string[]).includes(v)) throw invalid(`${what} '${k}' has unknown kind '${v}': use one of ${VALUE_KINDS.join(', ')}.`);
  }
  return kinds as Record<string, ValueKind>;
}

/** Resolves the options every step kind shares. */
export function baseDefinition(o: StepOptions): Omit<StepDefinition, 'impl' | 'inputKinds' | 'outputKinds' | 'isolation'> {
  const name = checkName(o.name, 'Step');
  if (o.version !== undefined && typeof o.version !== 'string' && typeof o.version !== 'number') throw invalid(`step '${name}': version must be a string or number.`);
  const resources = o.resources ?? {};
  for (const [k, v] of Object.entries(resources)) {
    if (typeof v !== 'number' || !(v >= 0)) throw invalid(`step '${name}': resources.${k} must be a non-negative number.`);
  }
  return {
    name,
    version: o.version === undefined ? null : String(o.version),
    cache: o.cache ?? true,
    retry: retryPolicy(o.retries, name),
    timeoutMs: o.timeout === undefined ? null : parseDuration(o.timeout, `${name}.timeout`),
    resources,
  };
}

/** Backoff before attempt `attempt + 1`: exponential from `delayMs`, capped, spread by jitter. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (1 + policy.jitter * (2 * random() - 1))));
}
