import { fileURLToPath } from 'node:url';
import { CairnError, invalid } from '../errors.js';
import type { Binding, ValueKind } from './entities.js';
import { functionInputs } from './function-inputs.js';
import type { ParamSpecs, ParamValues } from './params.js';
import { isParamSpec } from './params.js';
import type { NodeSpec, StepDefinition, StepOptions } from './step-definition.js';
import { baseDefinition, checkKinds, checkName } from './step-definition.js';
import type { StepContext } from './runtime/step-context.js';

// Registered symbols: a pipeline file loaded by another copy of this module still interoperates.
const REF = Symbol.for('cairn.pipelines.ref');
const STEP = Symbol.for('cairn.pipelines.step');
const NODE = Symbol.for('cairn.pipelines.node');
const PIPELINE = Symbol.for('cairn.pipelines.pipeline');
declare const refType: unique symbol;

type RefTarget = { from: 'output'; step: string; output: string } | { from: 'param'; name: string };

/** A typed reference to a step output or a pipeline parameter, resolved when the pipeline runs. */
export interface Ref<T> {
  readonly [REF]: RefTarget;
  /** Type-only. */
  readonly [refType]?: T;
}

/** A step input: a reference of the right type, or a literal JSON value. */
export type Input<T> = T | Ref<T>;
export type StepInputs<I> = { [K in keyof I]: Input<I[K]> };
/** What calling a step in a pipeline returns: a reference per output. */
export type StepNode<O> = (O extends object ? { readonly [K in keyof O]-?: Ref<O[K]> } : unknown) & { readonly [NODE]: string };

export interface CallOptions {
  /** Node id when one step is used more than once (default: the name, then `name_2`, …). */
  id?: string;
  /** Steps that must finish before this one, without passing a value. */
  after?: Array<{ readonly [NODE]: string }>;
}

export interface Step<I, O> {
  (inputs: StepInputs<I>, options?: CallOptions): StepNode<O>;
  readonly [STEP]: StepDefinition;
}

export interface FunctionStepOptions extends StepOptions {
  /** Optional runtime kinds of the inputs, checked before anything runs (the compiler checks the TypeScript types). */
  inputs?: Record<string, ValueKind>;
  /** Optional runtime kinds of the outputs. */
  outputs?: Record<string, ValueKind>;
}

/** Any step function: typed inputs and the context in, an object of named outputs (or nothing) out. */
export type StepFunction = (inputs: never, ctx: StepContext) => unknown;
/** A step function's input type (an empty object when it takes none). */
export type InputsOf<F> = F extends (inputs: infer I, ctx: StepContext) => unknown ? (unknown extends I ? Record<string, never> : I) : never;
/** A step function's outputs (what its promise resolves to). */
export type OutputsOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

interface BuildContext {
  pipeline: string;
  nodes: NodeSpec[];
  byId: Map<string, NodeSpec>;
  /** Uses of each step name so far, so `name_N` ids are found in O(1). */
  uses: Map<string, number>;
  problems: string[];
}
let building: BuildContext | null = null;

export function isRef(v: unknown): v is Ref<unknown> {
  return typeof v === 'object' && v !== null && REF in v;
}

function makeRef<T>(target: RefTarget): Ref<T> {
  return { [REF]: target } as Ref<T>;
}

/** Internal: wraps a definition as a callable step (used by step() and commandStep()). */
export function defineStep<I, O>(def: StepDefinition): Step<I, O> {
  const call = (inputs: StepInputs<I> = {} as StepInputs<I>, options: CallOptions = {}): StepNode<O> => {
    const ctx = building;
    if (!ctx) throw new CairnError('FAILED_PRECONDITION', `Step '${def.name}' was called outside a pipeline: call steps inside the pipeline({ … }, (p) => { … }) builder.`);
    let id = options.id === undefined ? def.name : checkName(options.id, 'Node');
    if (options.id === undefined) {
      for (let n = ctx.uses.get(def.name) ?? 1; ctx.byId.has(id); n++) {
        id = `${def.name}_${n + 1}`;
        ctx.uses.set(def.name, n + 1);
      }
    }
    if (ctx.byId.has(id)) ctx.problems.push(`two steps use the id '${id}': give one another id with { id: '…' }`);
    const bindings: Record<string, Binding> = {};
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      ctx.problems.push(`step '${id}' must be called with an object of inputs, e.g. ${def.name}({ rows: load.rows })`);
    } else {
      for (const [name, v] of Object.entries(inputs as Record<string, unknown>)) bindings[name] = isRef(v) ? { ...v[REF] } : { from: 'value', value: v };
    }
    const after = (options.after ?? []).map((n) => (n as { [NODE]: string })[NODE]);
    const node: NodeSpec = { id, step: def, bindings, after };
    ctx.nodes.push(node);
    ctx.byId.set(id, node);
    return outputsOf(ctx, node) as StepNode<O>;
  };
  return Object.assign(call, { [STEP]: def }) as Step<I, O>;
}

// Property names that tools (await, JSON, test matchers, inspectors) probe; they are never outputs.
const NOT_OUTPUTS = new Set(['then', 'toJSON', 'constructor', 'valueOf', 'toString', 'asymmetricMatch', '$$typeof', 'nodeType', 'inspect']);

function outputsOf(ctx: BuildContext, node: NodeSpec): object {
  return new Proxy({}, {
    get(_t, prop) {
      if (prop === NODE) return node.id;
      if (typeof prop !== 'string' || NOT_OUTPUTS.has(prop)) return undefined;
      const declared = node.step.outputKinds;
      if (declared && !Object.hasOwn(declared, prop)) {
        ctx.problems.push(`a step reads output '${prop}' of step '${node.id}', which declares only ${Object.keys(declared).join(', ') || 'no outputs'}`);
      }
      return makeRef({ from: 'output', step: node.id, output: prop });
    },
    has: (_t, prop) => prop === NODE,
  });
}

/**
 * Defines a step: a named async function from typed inputs to named outputs. Each output is stored
 * as an artifact by the materializer its type picks (JSON values, `table()` rows as Parquet,
 * `file()`, `folder()`, `model()`); results are cached by code, version, parameters and input digests.
 *
 * @example
 * ```ts
 * const train = step({ name: 'train', version: 2, retries: 2, timeout: '10m' },
 *   async ({ rows, lr }: { rows: Table; lr: number }, ctx) => {
 *     await ctx.logMetric('auc', 0.91);
 *     return { auc: 0.91 };
 *   });
 * ```
 */
// The function is one type parameter (not inputs and outputs separately) so that an annotated
// `inputs` and an unannotated `ctx` both type-check: TypeScript infers F from the whole arrow.
export function step<F extends StepFunction>(options: FunctionStepOptions, fn: F): Step<InputsOf<F>, OutputsOf<F>> {
  if (typeof fn !== 'function') throw invalid(`step '${String(options?.name)}' needs a function as its second argument.`);
  const base = baseDefinition(options);
  const source = fn.toString();
  return defineStep<InputsOf<F>, OutputsOf<F>>({
    ...base,
    isolation: options.isolation ?? 'none',
    inputKinds: checkKinds(options.inputs, `step '${base.name}' input`),
    outputKinds: checkKinds(options.outputs, `step '${base.name}' output`),
    impl: { type: 'function', fn: fn as never, source, reads: functionInputs(source) },
  });
}

/**
 * A forward reference to an output by step id, for graphs the call order cannot express.
 *
 * @example
 * ```ts
 * const a = stepA({ x: output<number>('b', 'y') }); // b is defined below
 * ```
 */
export function output<T>(stepId: string, name: string): Ref<T> {
  return makeRef({ from: 'output', step: stepId, output: name });
}

export interface PipelineOptions<P extends ParamSpecs> {
  name: string;
  params?: P;
  description?: string;
}

/** The static graph a pipeline's builder produced, before validation. */
export interface DagSpec {
  pipeline: string;
  params: ParamSpecs;
  nodes: NodeSpec[];
  /** Problems found while building (bad calls, unknown params or outputs). */
  problems: string[];
}

export interface Pipeline<P extends ParamSpecs = ParamSpecs> {
  readonly [PIPELINE]: true;
  readonly name: string;
  readonly params: P;
  readonly description: string | null;
  /** The file that defined the pipeline (workers and resumes load it again). */
  readonly sourceFile: string | null;
  /** Runs the builder and returns the graph. */
  build(): DagSpec;
}

export type ParamRefs<P extends ParamSpecs> = { readonly [K in keyof P]: Ref<ParamValues<P>[K]> };

/**
 * Defines a pipeline: the builder wires steps into a static DAG. Inputs are other steps' outputs or
 * `p.<param>` references, so the compiler checks the types; `cairn pipelines run` checks the graph
 * (cycles, missing inputs, declared kinds, unknown params) before anything runs.
 *
 * @example
 * ```ts
 * export default pipeline({ name: 'churn', params: { lr: param.number(0.1) } }, (p) => {
 *   const data = load({});
 *   train({ rows: data.rows, lr: p.lr });
 * });
 * ```
 */
export function pipeline<P extends ParamSpecs = Record<string, never>>(options: PipelineOptions<P>, builder: (params: ParamRefs<P>) => void): Pipeline<P> {
  const name = checkName(options?.name, 'Pipeline');
  const params = (options.params ?? {}) as P;
  for (const [k, v] of Object.entries(params)) {
    if (!isParamSpec(v)) throw invalid(`pipeline '${name}': param '${k}' must be declared with param.number(), param.string(), … .`);
  }
  if (typeof builder !== 'function') throw invalid(`pipeline '${name}' needs a builder function as its second argument.`);
  const sourceFile = callerFile();
  return {
    [PIPELINE]: true,
    name,
    params,
    description: options.description ?? null,
    sourceFile,
    build(): DagSpec {
      if (building) throw new CairnError('FAILED_PRECONDITION', `Pipeline '${name}' was built inside another pipeline's builder; define pipelines at module level.`);
      const ctx: BuildContext = { pipeline: name, nodes: [], byId: new Map(), uses: new Map(), problems: [] };
      const refs = new Proxy({}, {
        get(_t, prop) {
          if (typeof prop !== 'string' || NOT_OUTPUTS.has(prop)) return undefined;
          if (!Object.hasOwn(params, prop)) ctx.problems.push(`a step uses param '${prop}', which pipeline '${name}' does not declare (params: ${Object.keys(params).join(', ') || 'none'})`);
          return makeRef({ from: 'param', name: prop });
        },
      }) as ParamRefs<P>;
      building = ctx;
      try {
        builder(refs);
      } finally {
        building = null;
      }
      return { pipeline: name, params, nodes: ctx.nodes, problems: ctx.problems };
    },
  };
}

export function isPipeline(v: unknown): v is Pipeline {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[PIPELINE] === true;
}

export function isStep(v: unknown): v is Step<unknown, unknown> {
  return typeof v === 'function' && STEP in v;
}

/** The step definition behind a callable step. */
export function stepDefinition(s: Step<unknown, unknown>): StepDefinition {
  return s[STEP];
}

// The first stack frame outside this folder is the module that called pipeline().
function callerFile(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^()]+?|[A-Za-z]:\\[^()]+?):\d+:\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const raw = m[1]!.replace(/\?.*$/, '');
    const file = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    if (!file.startsWith(here) || /\.test\.ts$|[\\/]fixtures[\\/]/.test(file)) return file;
  }
  return null;
}

export type { ValueKind };
