import { describe, expect, it } from 'vitest';
import { columnId, defaultColumns, fieldOf, orderByOf, parseColumnId, parseRunsView, runsViewSearch, type RunsView } from './runs-view-state.js';

describe('runs view state in the URL', () => {
  it('round-trips every part of the view', () => {
    const view: RunsView = {
      experimentIds: ['1', '12'],
      filter: "metrics.auc > 0.7 and params.model = 'gbm'",
      sort: { field: 'metrics.`val loss`', desc: true },
      columns: [{ group: 'metrics', key: 'val loss' }, { group: 'params', key: 'a.b,c' }, { group: 'tags', key: 'mlflow.user' }],
      selected: ['r1', 'r2'],
      deleted: false,
    };
    const back = parseRunsView(new URLSearchParams(runsViewSearch(view).toString()));
    expect(back).toEqual(view);
  });

  it('ignores malformed parts instead of failing', () => {
    const v = parseRunsView(new URLSearchParams('exp=abc&exp=3&col=bogus&col=metrics.&col=params.lr&col=params.lr&sort=start_time'));
    expect(v.experimentIds).toEqual(['3']);
    expect(v.columns).toEqual([{ group: 'params', key: 'lr' }]);
    expect(v.sort).toEqual({ field: 'start_time', desc: false });
  });

  it('spells keys as the filter language does', () => {
    expect(fieldOf({ group: 'metrics', key: 'auc' })).toBe('metrics.auc');
    expect(fieldOf({ group: 'params', key: 'learning rate' })).toBe('params.`learning rate`');
    expect(fieldOf({ group: 'tags', key: 'we`ird' })).toBe('tags.`we``ird`');
    expect(orderByOf({ field: 'metrics.auc', desc: true })).toEqual(['metrics.auc DESC']);
    expect(orderByOf(null)).toBeUndefined();
    expect(parseColumnId(columnId({ group: 'tags', key: 'x.y' }))).toEqual({ group: 'tags', key: 'x.y' });
  });

  it('picks default columns from the keys in use', () => {
    expect(defaultColumns({ metrics: ['auc', 'loss', 'f1', 'p'], params: ['lr', 'depth', 'x', 'y'] }).map(columnId)).toEqual(['metrics.auc', 'metrics.loss', 'metrics.f1', 'params.lr', 'params.depth', 'params.x']);
  });
});
