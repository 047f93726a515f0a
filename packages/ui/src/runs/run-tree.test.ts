import { describe, expect, it } from 'vitest';
import { nestRuns } from './run-tree.js';

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
