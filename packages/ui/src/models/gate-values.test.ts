import { describe, expect, it } from 'vitest';
import { gateHolders, gateValueRows } from './gate-values.js';

describe('gateValueRows', () => {
  it("puts the candidate's and the champion's value of each quantity side by side", () => {
    const rows = gateValueRows({ expression: 'metrics.auc > champion.metrics.auc + 0.005', passed: false, note: 'the condition is false', values: { 'metrics.auc': 0.81, 'champion.metrics.auc': 0.86 } });
    expect(rows).toEqual([{ reference: 'metrics.auc', candidate: 0.81, others: [{ holder: 'champion', value: 0.86 }] }]);
    const own = gateValueRows({ expression: 'metrics.accuracy >= metrics.baseline_accuracy + 0.02', passed: true, note: null, values: { 'metrics.accuracy': 0.85, 'metrics.baseline_accuracy': 0.81 } });
    expect(own.map((r) => [r.reference, r.candidate, r.others])).toEqual([['metrics.accuracy', 0.85, []], ['metrics.baseline_accuracy', 0.81, []]]);
    // A quantity only the holder has (nothing holds the alias yet: null).
    expect(gateValueRows({ expression: 'x', passed: true, note: null, values: { 'current.metrics.auc': null } })).toEqual([{ reference: 'metrics.auc', candidate: undefined, others: [{ holder: 'current', value: null }] }]);
  });

  it('lists the holders compared against', () => {
    expect(gateHolders([
      { expression: 'a', passed: true, note: null, values: { 'metrics.auc': 1 } },
      { expression: 'b', passed: true, note: null, values: { 'champion.metrics.auc': 1, 'current.metrics.x': 2 } },
    ])).toEqual(['champion', 'current']);
  });
});
