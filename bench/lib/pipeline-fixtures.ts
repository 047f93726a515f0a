// Pipelines the pipeline benchmarks run (a module file, so queue workers can load them too).
import { pipeline, step, type Pipeline } from '../../packages/core/src/pipelines/index.js';

const noop = step({ name: 'noop' }, async () => {});

/** A chain of `n` no-op steps, each after the previous one. */
export function makeChain(name: string, n: number): Pipeline {
  return pipeline({ name }, () => {
    let prev = noop({});
    for (let i = 1; i < n; i++) prev = noop({}, { after: [prev] });
  });
}

/** One root, `n - 2` parallel no-op steps, and one step after all of them. */
export function makeWide(name: string, n: number): Pipeline {
  return pipeline({ name }, () => {
    const root = noop({});
    const mids = Array.from({ length: n - 2 }, () => noop({}, { after: [root] }));
    noop({}, { after: mids });
  });
}

/** The chain the queue benchmark's workers load. */
export const queueChain = makeChain('bench-queue-chain', 200);
