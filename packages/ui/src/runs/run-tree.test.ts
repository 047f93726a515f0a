import { describe, expect, it } from 'vitest';
import { nestRuns, reuseRows } from './run-tree.js';

const run = (runId: string, parentRunId: string | null = null) => ({ info: { runId, parentRunId } });

describe('nestRuns', () => {
  it('puts children right under their parent, in server order', () => {
    const rows = nestRuns([run('c1', 'p'), run('a'), run('p'), run('c2', 'p'), run('g', 'c1')]);
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.run.info.runId}:${r.childCount}`)).toEqual(['a:0', 'p:2', '  c1:1', '    g:0', '  c2:0']);
  });

  it('keeps orphans (parent not loaded) at the top level and hides collapsed children', () => {
    expect(nestRuns([run('x', 'missing'), run('p'), run('c', 'p')], new Set(['p'])).map((r) => r.run.info.runId)).toEqual(['x', 'p']);
  });

  it('never loops on a cycle', () => {
    expect(nestRuns([run('a', 'b'), run('b', 'a')]).map((r) => r.run.info.runId).sort()).toEqual(['a', 'b']);
  });
});

describe('reuseRows', () => {
  it('keeps the row objects of runs already drawn, and new ones where a run moved in the tree', () => {
    const a = run('a');
    const b = run('b');
    const first = nestRuns([a, b]);
    const c = run('c', 'a');
    const next = reuseRows(nestRuns([a, b, c]), first);
    expect(next.map((r) => r.run.info.runId)).toEqual(['a', 'c', 'b']);
    expect(next[2]).toBe(first[1]); // b: unchanged
    expect(next[0]).not.toBe(first[0]); // a: now has a child
    expect(next[0]!.childCount).toBe(1);
  });
});
