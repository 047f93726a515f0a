import { describe, expect, it } from 'vitest';
import { functionInputs, guardInputs } from './function-inputs.js';

const d = (required: string[], optional: string[] = [], rest = false) => ({ form: 'destructured', required, optional, rest });

describe('functionInputs', () => {
  it.each([
    ['async ({ rows, lr }, ctx) => rows', d(['rows', 'lr'])],
    ['async ({ rows, lr = 0.1, limit = f(1, 2) }) => {}', d(['rows'], ['lr', 'limit'])],
    ['({ count: n, mean, model: { weights } }) => n', d(['count', 'mean', 'model'])],
    ['({ a: alias = 3, b: { c } = {}, "quoted-name": q, \'single\': s }) => 1', d(['quoted-name', 'single'], ['a', 'b'])],
    ['async ({ rows, ...rest }) => rest', d(['rows'], [], true)],
    ['({ a = (x) => x >= 1, b = x == 2, c }) => 0', d(['c'], ['a', 'b'])],
    ['({ a = `x,${[1, 2].join(",")}`, b /* , c */ }) => 0', d(['b'], ['a'])],
    ['({ a, b, } = {}) => 0', d(['a', 'b'])],
    ['async function named({ rows }, ctx) { return rows; }', d(['rows'])],
    ['async function* gen({ rows }) {}', d(['rows'])],
    ['run({ rows }) { return rows; }', d(['rows'])],
    ['async () => {}', { form: 'none' }],
    ['function () { return 1; }', { form: 'none' }],
    ['async (inputs, ctx) => inputs.rows', { form: 'object' }],
    ['async inputs => inputs.rows', { form: 'object' }],
    ['async (/* inputs */ i) => i.x', { form: 'object' }],
    ['({ [key]: v }) => v', { form: 'unknown' }],
    ['([a, b]) => a', { form: 'unknown' }],
    ['(...args) => args', { form: 'unknown' }],
    ['function () { [native code] }', { form: 'unknown' }],
    ['({ rows }: { rows: Table }) => rows', { form: 'unknown' }],
    ['({ a, b ', { form: 'unknown' }],
    ['class X {}', { form: 'unknown' }],
  ])('%s', (source, expected) => {
    expect(functionInputs(source)).toEqual(expected);
  });

  it('reads real compiled functions', () => {
    const fn = async ({ rows, lr = 0.1 }: { rows: number[]; lr?: number }, ctx: unknown) => ({ n: rows.length * lr, ctx });
    expect(functionInputs(fn.toString())).toEqual(d(['rows'], ['lr']));
  });
});

describe('guardInputs', () => {
  it('throws for inputs that were not passed; keeps in, spread, JSON and await probes working', async () => {
    const inputs = guardInputs({ rows: 1 } as Record<string, unknown>, (name) => new Error(`missing ${name}`));
    expect(inputs.rows).toBe(1);
    expect(() => inputs.lr).toThrow('missing lr');
    expect('lr' in inputs).toBe(false);
    expect({ ...inputs }).toEqual({ rows: 1 });
    expect(JSON.stringify(inputs)).toBe('{"rows":1}');
    expect(inputs.hasOwnProperty('rows')).toBe(true);
    expect(await Promise.resolve(inputs)).toBe(inputs);
  });
});
