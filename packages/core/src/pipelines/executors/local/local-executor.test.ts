import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../../testing/platforms.js';
import { pipeline, step } from '../../define.js';
import type { StepRun } from '../../entities.js';

const nap = step({ name: 'nap', cache: false }, async ({ ms }: { ms: number }) => {
  await new Promise((r) => setTimeout(r, ms));
});
const wide = step({ name: 'wide', cache: false, resources: { cpu: 2 } }, async ({ ms }: { ms: number }) => {
  await new Promise((r) => setTimeout(r, ms));
});

/** The most steps whose recorded [start, end] intervals overlap at any instant. */
function maxOverlap(steps: StepRun[]): number {
  const edges = steps.flatMap((s) => [[s.startTime!, 1], [s.endTime!, -1]] as const);
  // At equal times an end comes before a start: a slot freed at t and taken at t is not an overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (running += d));
  return most;
}

// Timing is asserted on the times the store recorded for each step, not on the test's wall clock,
// so a loaded machine can make it slower but not flaky.
describe('local executor: parallelism and the concurrency limit', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { pipelines: { concurrency: 2 } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('runs independent steps in parallel, never more than `concurrency` at once', async () => {
    const p = pipeline({ name: 'four-naps' }, () => {
      for (let i = 0; i < 4; i++) nap({ ms: 300 });
    });
    const { run, steps } = await t.platform.pipelines.run(p);
    expect(run.status).toBe('COMPLETED');
    expect(steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    for (const s of steps) expect(s.endTime! - s.startTime!).toBeGreaterThanOrEqual(295);
    expect(maxOverlap(steps)).toBe(2);
    // Two waves of two: the second wave starts only when a slot frees up.
    const starts = steps.map((s) => s.startTime!).sort((a, b) => a - b);
    const firstEnd = Math.min(...steps.map((s) => s.endTime!));
    expect(starts.filter((s) => s < firstEnd)).toHaveLength(2);
    const span = Math.max(...steps.map((s) => s.endTime!)) - starts[0]!;
    expect(span).toBeGreaterThanOrEqual(595);
    expect(span).toBeLessThan(4 * 300);
  });

  it('counts a step asking for cpu: 2 as two slots', async () => {
    const p = pipeline({ name: 'wide-and-naps' }, () => {
      wide({ ms: 200 });
      nap({ ms: 200 });
      nap({ ms: 200 });
    });
    const { run, steps } = await t.platform.pipelines.run(p);
    expect(run.status).toBe('COMPLETED');
    const [w, a, b] = steps;
    // The wide step holds both slots: nothing overlaps it; the two narrow ones run together.
    expect(maxOverlap([w!, a!])).toBe(1);
    expect(maxOverlap([w!, b!])).toBe(1);
    expect(maxOverlap([a!, b!])).toBe(2);
  });
});
