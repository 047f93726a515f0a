import { describe, expect, it } from 'vitest';
import { signatureDiff } from './signature-diff.js';

describe('signatureDiff', () => {
  it('names what was added, removed and retyped, inputs then outputs', () => {
    const a = { inputs: [{ name: 'age', type: 'long' as const }, { name: 'plan', type: 'string' as const }], outputs: [{ name: 'churn', type: 'double' as const }] };
    const b = { inputs: [{ name: 'age', type: 'double' as const }, { name: 'region', type: 'string' as const, required: false }], outputs: [{ name: 'churn', type: 'double' as const }] };
    expect(signatureDiff(a, b).map((r) => [r.side, r.name, r.a, r.b, r.change])).toEqual([
      ['input', 'age', 'long', 'double', 'changed'],
      ['input', 'plan', 'string', null, 'removed'],
      ['input', 'region', null, 'string (optional)', 'added'],
      ['output', 'churn', 'double', 'double', 'same'],
    ]);
  });

  it('handles tensors, unnamed fields and missing signatures', () => {
    const t = { inputs: [{ type: 'tensor' as const, dtype: 'float32', shape: [-1, 28, 28] }], outputs: [] };
    expect(signatureDiff(null, t)).toEqual([{ side: 'input', name: '#0', a: null, b: 'tensor float32 [-1, 28, 28]', change: 'added' }]);
    expect(signatureDiff(t, null)[0]!.change).toBe('removed');
  });
});
