import { describe, expect, it } from 'vitest';
import { diffRuns } from './diff.js';

describe('diffRuns', () => {
  it('flags keys whose values differ or are missing somewhere', () => {
    const rows = diffRuns([
      { runId: 'a', params: { lr: '0.1', depth: '6' }, metrics: { auc: 0.9, nan: Number.NaN }, tags: { team: 'x', 'mlflow.user': 'u' } },
      { runId: 'b', params: { lr: '0.1', depth: '8' }, metrics: { auc: 0.9, nan: Number.NaN, f1: 0.5 }, tags: { team: 'x' } },
    ]);
    expect(rows.map((r) => `${r.group}.${r.key}:${r.differs ? 'differs' : 'same'}`)).toEqual([
      'params.depth:differs',
      'params.lr:same',
      'metrics.auc:same',
      'metrics.f1:differs',
      'metrics.nan:same',
      'tags.team:same',
    ]);
    expect(rows.find((r) => r.key === 'f1')!.values).toEqual([undefined, 0.5]);
  });

  it('shows system tags when asked', () => {
    expect(diffRuns([{ runId: 'a', params: {}, metrics: {}, tags: { 'mlflow.user': 'u' } }], { systemTags: true })).toHaveLength(1);
  });
});
