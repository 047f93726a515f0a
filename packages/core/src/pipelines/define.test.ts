import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import type { Table } from './artifact-values.js';
import { commandStep } from './command-step.js';
import { validateDag } from './dag.js';
import { output, pipeline, step } from './define.js';
import { param, resolveParams } from './params.js';
import { backoffMs, retryPolicy } from './step-definition.js';

const source = step({ name: 'source', outputs: { rows: 'table', n: 'number' } }, async () => ({ rows: null as unknown as Table, n: 1 }));
const train = step({ name: 'train', inputs: { rows: 'table', lr: 'number' } }, async ({ rows, lr }: { rows: Table; lr: number }) => ({ score: rows.rows.length * lr }));
const loose = step({ name: 'loose' }, async ({ x }: { x: number }) => ({ y: x + 1 }));

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (isCairnError(e, 'INVALID_ARGUMENT')) return (e.details?.problems as string[]) ?? [e.message];
    throw e;
  }
  throw new Error('expected the pipeline to be refused');
}

describe('pipeline graphs', () => {
  it('builds a topologically ordered DAG with typed wiring', () => {
    const p = pipeline({ name: 'ok', params: { lr: param.number(0.1) } }, (p) => {
      const s = source({});
      train({ rows: s.rows, lr: p.lr });
      loose({ x: s.n });
      loose({ x: 3 });
    });
    const dag = validateDag(p.build());
    expect(dag.nodes.map((n) => n.id)).toEqual(['source', 'train', 'loose', 'loose_2']);
    expect(dag.nodes[1]!.bindings).toEqual({ rows: { from: 'output', step: 'source', output: 'rows' }, lr: { from: 'param', name: 'lr' } });
    expect(dag.nodes[0]!.downstream).toEqual([1, 2]);
  });

  it('reports a cycle with the step names, before anything runs', () => {
    const p = pipeline({ name: 'cyclic' }, () => {
      const a = loose({ x: output<number>('loose_2', 'y') }, { id: 'a' });
      const b = loose({ x: a.y });
      loose({ x: b.y });
    });
    expect(problems(() => validateDag(p.build()))).toEqual(["cycle: a → loose → loose_2 → a: a step cannot depend on itself, directly or through others"]);
  });

  it('reports missing and unknown inputs, unknown params and outputs, and kind mismatches, all at once', () => {
    const p = pipeline({ name: 'broken', params: { lr: param.string('x') } }, (p) => {
      const s = source({});
      // @ts-expect-error missing input 'lr' is a compile error too
      train({ rows: s.rows });
      // @ts-expect-error 'rowz' is not an input of train
      train({ rows: s.rows, lr: 1, rowz: 2 });
      // @ts-expect-error a number is not a Table
      train({ rows: s.n, lr: 0.1 });
      // @ts-expect-error a string param is not a number
      train({ rows: s.rows, lr: p.lr });
      loose({ x: (p as unknown as { epochs: never }).epochs });
      loose({ x: (s as unknown as { nope: never }).nope });
    });
    expect(problems(() => validateDag(p.build()))).toEqual([
      "a step uses param 'epochs', which pipeline 'broken' does not declare (params: lr)",
      "a step reads output 'nope' of step 'source', which declares only rows, n",
      "step 'train' is missing input 'lr' (number)",
      "step 'train_2' input 'rowz' is not an input of step 'train' (inputs: rows, lr)",
      "type mismatch: step 'train_3' input 'rows' expects table, but output 'n' of step 'source' is number",
      "type mismatch: step 'train_4' input 'lr' expects number, but param 'lr' is string",
      "step 'loose_2' input 'x' reads output 'nope' of step 'source', which declares only rows, n",
    ]);
  });

  it('refuses literal inputs that are not JSON, and steps called outside a pipeline', () => {
    const p = pipeline({ name: 'literal' }, () => {
      loose({ x: (() => 1) as unknown as number });
    });
    expect(problems(() => validateDag(p.build()))).toEqual(["step 'loose' input 'x' is not a JSON value (value is a function)"]);
    expect(() => loose({ x: 1 })).toThrow(/called outside a pipeline/);
    expect(() => step({ name: 'bad name!' }, async () => {})).toThrow(/Step name "bad name!" is not valid/);
  });

  it('refuses an undeclared step that is not given an input its function reads without a default', () => {
    const withDefault = step({ name: 'withDefault' }, async ({ x, limit = 10 }: { x: number; limit?: number }) => ({ y: x + limit }));
    const whole = step({ name: 'whole' }, async (inputs: { x: number }) => ({ y: inputs.x }));
    const p = pipeline({ name: 'unwired' }, () => {
      const s = source({});
      (loose as unknown as (i: object) => void)({});
      withDefault({ x: s.n });
      whole({ x: s.n });
      loose({ x: output<number>('nowhere', 'n') });
    });
    expect(problems(() => validateDag(p.build()))).toEqual([
      "step 'loose' is missing input 'x': its function reads it and gives it no default; pass it (loose({ x: … })) or, if it is optional, give it a default in the function",
      "step 'loose_2' input 'x' comes from step 'nowhere', which is not in the pipeline",
    ]);
  });

  it('warns when it cannot tell which inputs an undeclared step reads, once per step', () => {
    const opaque = step({ name: 'opaque' }, (async (...args: unknown[]) => ({ n: args.length })) as (i: { x: number }) => Promise<{ n: number }>);
    const p = pipeline({ name: 'opaque' }, () => {
      opaque({ x: 1 });
      opaque({ x: 2 });
      loose({ x: 3 });
    });
    const dag = validateDag(p.build());
    expect(dag.warnings).toEqual([
      "step 'opaque' declares no inputs and Cairn cannot tell from its function which ones it reads, so an input the pipeline does not pass arrives as undefined; declare them with step({ inputs: { … } }) to have them checked",
    ]);
  });

  it('checks command steps: placeholders must name declared inputs and outputs', () => {
    expect(() => commandStep({ name: 'c', command: ['python3', 'x.py', '{inputs.data}'], inputs: { rows: 'table' } })).toThrow(
      "command step 'c': argument '{inputs.data}' names inputs.data, which is not declared in inputs (rows).",
    );
    expect(() => commandStep({ name: 'c', command: [] })).toThrow(/non-empty array/);
    const c = commandStep({ name: 'fit', command: ['python3', 'fit.py', '{inputs.rows}', '{outputs.model}'], inputs: { rows: 'table', lr: 'number' }, outputs: { model: 'model' } });
    const p = pipeline({ name: 'cmd', params: { lr: param.number(0.1) } }, (p) => {
      const s = source({});
      const fitted = c({ rows: s.rows, lr: p.lr });
      // @ts-expect-error a model is not a number
      loose({ x: fitted.model });
    });
    expect(validateDag(p.build()).nodes.map((n) => n.id)).toEqual(['source', 'fit', 'loose']);
  });

  it('validates 10,000-step chains and fan-out/fan-in graphs in well under a second', () => {
    const noop = step({ name: 'noop' }, async () => {});
    const chain = pipeline({ name: 'chain' }, () => {
      let prev = noop({});
      for (let i = 1; i < 10_000; i++) prev = noop({}, { after: [prev] });
    });
    const wide = pipeline({ name: 'wide' }, () => {
      const root = noop({});
      const mids = Array.from({ length: 9_998 }, () => noop({}, { after: [root] }));
      noop({}, { after: mids });
    });
    for (const p of [chain, wide]) {
      const t0 = performance.now();
      const dag = validateDag(p.build());
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(dag.nodes).toHaveLength(10_000);
    }
  });
});

describe('params', () => {
  const specs = { lr: param.number(0.1), epochs: param.int(), model: param.enum(['xgb', 'lr'] as const, 'xgb'), debug: param.boolean(false), extra: param.json<{ a: number }>() };

  it('parses --param strings by type and applies defaults', () => {
    expect(resolveParams('p', specs, { extra: { a: 1 } }, { lr: '0.5', epochs: '3', debug: 'true' })).toEqual({ lr: 0.5, epochs: 3, model: 'xgb', debug: true, extra: { a: 1 } });
  });

  it('reports unknown, missing and badly typed params together', () => {
    expect(() => resolveParams('p', specs, {}, { lrr: '1', epochs: '1.5', model: 'svm' })).toThrow(
      "Bad parameters for pipeline 'p': unknown param 'lrr': pipeline 'p' declares lr, epochs, model, debug, extra; param 'epochs' must be a whole number, got \"1.5\"; param 'model' must be one of xgb, lr, got \"svm\"; param 'extra' is required: pass --param extra=VALUE.",
    );
  });
});

describe('retry backoff', () => {
  it('grows exponentially, stays within the jitter band and the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
      const policy = retryPolicy({ max: 20, delay: 100, maxDelay: 10_000, jitter: 0.5 }, 's');
      const base = Math.min(10_000, 100 * 2 ** (attempt - 1));
      const d = backoffMs(policy, attempt, () => r);
      return d >= Math.floor(base * 0.5) && d <= Math.ceil(base * 1.5);
    }));
    expect(retryPolicy(3, 's')).toEqual({ maxAttempts: 4, delayMs: 1000, maxDelayMs: 300_000, jitter: 0.5 });
  });
});
