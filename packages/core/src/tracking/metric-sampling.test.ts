import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointsAtSteps, sampledSteps, stepsToKeep } from './metric-sampling.js';

/** MLflow's `_get_sampled_steps_from_steps`, step by step, as the reference. */
function reference(start: number, end: number, maxResults: number): number[] {
  const interval = (end - start + 1) / maxResults;
  const groups = new Map<number, number>();
  for (let i = start; i <= end; i++) {
    const idx = Math.floor((i - start) / interval);
    if (!groups.has(idx)) groups.set(idx, i);
  }
  return [...groups.values()];
}

describe('sampledSteps', () => {
  it('keeps the first step of each interval, as MLflow does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 60 }), (start, length, max) => {
        expect(sampledSteps(start, start + length, max)).toEqual(reference(start, start + length, max));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts interval boundaries where MLflow\'s floating-point division does', () => {
    // 79 / (395 / 35) is 6.999... in floating point: step 80, not 79, opens the eighth interval.
    expect(sampledSteps(0, 394, 35)).toEqual(reference(0, 394, 35));
    expect(sampledSteps(0, 394, 35)[7]).toBe(80);
  });

  it('costs per interval, not per step', () => {
    const steps = sampledSteps(0, 1e15, 4);
    expect(steps).toEqual([0, 250000000000001, 500000000000001, 750000000000001]);
  });
});

describe('stepsToKeep and pointsAtSteps', () => {
  const series = (steps: number[]) => ({ key: 'm', steps: Float64Array.from(steps), timestamps: Float64Array.from(steps, (s) => s + 1000), values: Float64Array.from(steps, (s) => s / 2) });

  it('adds each run\'s last step, or the range end', () => {
    expect([...stepsToKeep([series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), series([0, 1, 2])], {}, 2)].sort((a, b) => a - b)).toEqual([0, 2, 5, 9]);
    expect([...stepsToKeep([], { startStep: 3, endStep: 7 }, 2)].sort((a, b) => a - b)).toEqual([3, 6, 7]);
    expect(() => stepsToKeep([], { startStep: 3 }, 2)).toThrow('both must be specified');
    expect(() => stepsToKeep([], { startStep: 9, endStep: 3 }, 2)).toThrow('end_step must be greater than start_step');
  });

  it('picks every point at a kept step, in history order, up to the limit', () => {
    const picked = pointsAtSteps(series([0, 1, 1, 2, 3]), new Set([1, 3]));
    expect(Array.from(picked.steps)).toEqual([1, 1, 3]);
    expect(Array.from(picked.values)).toEqual([0.5, 0.5, 1.5]);
    expect(pointsAtSteps(series([0, 1, 1, 2, 3]), new Set([1, 3]), 2).steps.length).toBe(2);
  });
});
