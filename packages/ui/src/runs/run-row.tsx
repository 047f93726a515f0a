import { memo } from 'react';
import { Link } from 'react-router';
import type { Run } from '@cairn/core';
import { formatDuration, formatMetric, formatMetricFull, formatTime, runDuration, shortCommit } from '../components/format.js';
import { StatusBadge } from '../components/status-badge.js';
import type { TreeRow } from './run-tree.js';
import { cellValue, sourceLabel } from './run-values.js';
import { columnId, type DataColumn } from './runs-view-state.js';

export const ROW_HEIGHT = 32;

// Built-in columns; `sortField` is what the server orders by (duration, source and commit cannot be).
export const BUILT_IN: Array<{ id: string; header: string; width: number; sortField?: string; cell(run: Run): { text: string; title?: string } }> = [
  { id: 'status', header: 'Status', width: 110, sortField: 'attributes.status', cell: (r) => ({ text: r.info.status, title: r.info.statusReason ?? undefined }) },
  { id: 'start', header: 'Started', width: 160, sortField: 'attributes.start_time', cell: (r) => ({ text: formatTime(r.info.startTime) }) },
  { id: 'duration', header: 'Duration', width: 100, cell: (r) => ({ text: formatDuration(runDuration(r.info.startTime, r.info.endTime)) }) },
  { id: 'user', header: 'User', width: 110, sortField: 'attributes.user_id', cell: (r) => ({ text: r.info.userId }) },
  { id: 'source', header: 'Source', width: 140, cell: (r) => ({ text: sourceLabel(r), title: r.info.source.entryPoint ?? undefined }) },
  { id: 'commit', header: 'Commit', width: 90, cell: (r) => ({ text: shortCommit(r.info.source.gitCommit) + (r.info.source.gitDirty ? '*' : ''), title: r.info.source.gitCommit ?? undefined }) },
];

export interface RowActions {
  toggleSelected(runId: string): void;
  toggleCollapsed(runId: string): void;
  focus(index: number): void;
}

interface RunRowProps {
  row: TreeRow<Run>;
  index: number;
  start: number;
  template: string;
  focused: boolean;
  selected: boolean;
  collapsed: boolean;
  columns: DataColumn[];
  actions: RowActions;
}

/** One run of the runs table. Memoized: scrolling re-renders only the rows that come into view. */
export const RunRow = memo(function RunRow({ row, index, start, template, focused, selected, collapsed, columns, actions }: RunRowProps) {
  const run = row.run;
  const id = run.info.runId;
  return (
    <div
      id={`run-row-${id}`}
      role="row"
      aria-selected={selected}
      className={`rt-row${focused ? ' focused' : ''}${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${start}px)`, gridTemplateColumns: template, height: ROW_HEIGHT }}
      onClick={() => actions.focus(index)}
    >
      <div className="rt-cell" role="gridcell">
        <input type="checkbox" tabIndex={-1} aria-label={`Select run ${run.info.runName}`} checked={selected} onChange={() => actions.toggleSelected(id)} />
      </div>
      <div className="rt-cell rt-name" role="gridcell" style={{ paddingLeft: 6 + row.depth * 18 }}>
        {row.childCount > 0 && (
          <button type="button" className="twisty" tabIndex={-1} aria-label={collapsed ? 'Show child runs' : 'Hide child runs'} onClick={() => actions.toggleCollapsed(id)}>
            {collapsed ? '▸' : '▾'}
          </button>
        )}
        <Link to={`/runs/${encodeURIComponent(id)}`} tabIndex={-1} title={run.info.runName}>{run.info.runName}</Link>
        {row.childCount > 0 && <span className="muted small"> ({row.childCount})</span>}
      </div>
      {BUILT_IN.map((b) => {
        if (b.id === 'status') return <div key={b.id} className="rt-cell" role="gridcell"><StatusBadge status={run.info.status} reason={run.info.statusReason} /></div>;
        const c = b.cell(run);
        return <div key={b.id} className="rt-cell" role="gridcell" title={c.title ?? c.text}>{c.text}</div>;
      })}
      {columns.map((c) => {
        const v = cellValue(run, c);
        const numeric = typeof v === 'number';
        return (
          <div key={columnId(c)} className={`rt-cell${numeric ? ' num' : ''}`} role="gridcell" title={numeric ? formatMetricFull(v) : v}>
            {numeric ? formatMetric(v) : v}
          </div>
        );
      })}
    </div>
  );
});
