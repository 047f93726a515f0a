import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Run } from '@cairn/core';
import { formatDuration, formatMetric, formatMetricFull, formatTime, runDuration, shortCommit } from '../components/format.js';
import { StatusBadge } from '../components/status-badge.js';
import { nestRuns, type TreeRow } from './run-tree.js';
import { cellValue, sourceLabel } from './run-values.js';
import { columnId, fieldOf, type DataColumn, type Sort } from './runs-view-state.js';

export const ROW_HEIGHT = 32;

interface RunsTableProps {
  runs: Run[];
  columns: DataColumn[];
  sort: Sort | null;
  onSort(sort: Sort | null): void;
  selected: string[];
  onSelect(selected: string[]): void;
  /** More pages exist: called when the last rows scroll into view. */
  onNeedMore?: () => void;
  loadingMore: boolean;
}

type Row = TreeRow<Run>;

// Built-in columns; `sortField` is what the server orders by (duration, source and commit cannot be).
const BUILT_IN: Array<{ id: string; header: string; width: number; sortField?: string; cell(run: Run): { text: string; title?: string } }> = [
  { id: 'status', header: 'Status', width: 110, sortField: 'attributes.status', cell: (r) => ({ text: r.info.status, title: r.info.statusReason ?? undefined }) },
  { id: 'start', header: 'Started', width: 160, sortField: 'attributes.start_time', cell: (r) => ({ text: formatTime(r.info.startTime) }) },
  { id: 'duration', header: 'Duration', width: 100, cell: (r) => ({ text: formatDuration(runDuration(r.info.startTime, r.info.endTime)) }) },
  { id: 'user', header: 'User', width: 110, sortField: 'attributes.user_id', cell: (r) => ({ text: r.info.userId }) },
  { id: 'source', header: 'Source', width: 140, cell: (r) => ({ text: sourceLabel(r), title: r.info.source.entryPoint ?? undefined }) },
  { id: 'commit', header: 'Commit', width: 90, cell: (r) => ({ text: shortCommit(r.info.source.gitCommit) + (r.info.source.gitDirty ? '*' : ''), title: r.info.source.gitCommit ?? undefined }) },
];

/**
 * The runs table: TanStack Table for the column model, TanStack Virtual so only the rows in view
 * exist in the page (100,000 runs scroll like 100). Sorting is the server's (a header click
 * changes the URL, which re-queries); nested runs sit under their parent; rows are keyboard
 * navigable (↑ ↓ Home End, Space selects, Enter opens).
 */
export function RunsTable({ runs, columns, sort, onSort, selected, onSelect, onNeedMore, loadingMore }: RunsTableProps) {
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const rows = useMemo(() => nestRuns(runs, collapsed), [runs, collapsed]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const [focus, setFocus] = useState(0);

  const toggle = (runId: string) => onSelect(selectedSet.has(runId) ? selected.filter((s) => s !== runId) : [...selected, runId]);

  const columnDefs = useMemo<ColumnDef<Row>[]>(() => {
    const defs: ColumnDef<Row>[] = [
      { id: 'select', header: '', size: 36, meta: {} },
      { id: 'name', header: 'Run', size: 240, meta: { sortField: 'attributes.run_name' } },
      ...BUILT_IN.map((b) => ({ id: b.id, header: b.header, size: b.width, meta: { sortField: b.sortField } })),
      ...columns.map((c) => ({ id: columnId(c), header: c.key, size: c.group === 'metrics' ? 110 : 130, meta: { sortField: fieldOf(c), column: c } })),
    ];
    return defs;
  }, [columns]);

  const table = useReactTable({ data: rows, columns: columnDefs, getCoreRowModel: getCoreRowModel(), manualSorting: true, getRowId: (r) => r.run.info.runId });
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (onNeedMore && !loadingMore && rows.length > 0 && lastIndex >= rows.length - 40) onNeedMore();
  }, [lastIndex, rows.length, onNeedMore, loadingMore]);

  const template = table.getVisibleLeafColumns().map((c) => `${c.getSize()}px`).join(' ');
  const width = table.getVisibleLeafColumns().reduce((n, c) => n + c.getSize(), 0);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!rows.length) return;
    const move = (to: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, to));
      setFocus(next);
      virtualizer.scrollToIndex(next);
    };
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 320) / ROW_HEIGHT) - 1);
    if (e.key === 'ArrowDown') move(focus + 1);
    else if (e.key === 'ArrowUp') move(focus - 1);
    else if (e.key === 'PageDown') move(focus + page);
    else if (e.key === 'PageUp') move(focus - page);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if (e.key === ' ') {
      e.preventDefault();
      toggle(rows[focus]!.run.info.runId);
    } else if (e.key === 'Enter') navigate(`/runs/${encodeURIComponent(rows[focus]!.run.info.runId)}`);
  };

  return (
    <div
      className="runs-table"
      ref={scroller}
      tabIndex={0}
      role="grid"
      aria-label="Runs"
      aria-rowcount={rows.length + 1}
      aria-activedescendant={rows[focus] ? `run-row-${rows[focus]!.run.info.runId}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="rt-head" role="row" style={{ gridTemplateColumns: template, width }}>
        {table.getFlatHeaders().map((h) => {
          const meta = h.column.columnDef.meta as { sortField?: string; column?: DataColumn };
          const field = meta.sortField;
          const active = field && sort?.field === field;
          const title = meta.column ? `${meta.column.group}.${meta.column.key}` : undefined;
          if (h.column.id === 'select') {
            const all = rows.length > 0 && rows.every((r) => selectedSet.has(r.run.info.runId));
            return (
              <div key={h.id} role="columnheader" className="rt-cell">
                <input type="checkbox" aria-label="Select all loaded runs" checked={all} onChange={() => onSelect(all ? [] : rows.map((r) => r.run.info.runId))} />
              </div>
            );
          }
          return (
            <div key={h.id} role="columnheader" aria-sort={active ? (sort!.desc ? 'descending' : 'ascending') : undefined} className={`rt-cell rt-th ${meta.column ? `group-${meta.column.group}` : ''}`} title={title}>
              {field ? (
                <button type="button" className="sort-button" onClick={() => onSort(active ? (sort!.desc ? { field, desc: false } : null) : { field, desc: true })}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                  <span className="sort-mark" aria-hidden>{active ? (sort!.desc ? ' ↓' : ' ↑') : ''}</span>
                </button>
              ) : (
                flexRender(h.column.columnDef.header, h.getContext())
              )}
            </div>
          );
        })}
      </div>
      <div className="rt-body" style={{ height: virtualizer.getTotalSize(), width }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          const run = row.run;
          const id = run.info.runId;
          return (
            <div
              key={id}
              id={`run-row-${id}`}
              role="row"
              aria-selected={selectedSet.has(id)}
              className={`rt-row${item.index === focus ? ' focused' : ''}${selectedSet.has(id) ? ' selected' : ''}`}
              style={{ transform: `translateY(${item.start}px)`, gridTemplateColumns: template, height: ROW_HEIGHT }}
              onClick={() => setFocus(item.index)}
            >
              <div className="rt-cell" role="gridcell">
                <input type="checkbox" tabIndex={-1} aria-label={`Select run ${run.info.runName}`} checked={selectedSet.has(id)} onChange={() => toggle(id)} />
              </div>
              <div className="rt-cell rt-name" role="gridcell" style={{ paddingLeft: 6 + row.depth * 18 }}>
                {row.childCount > 0 && (
                  <button
                    type="button"
                    className="twisty"
                    tabIndex={-1}
                    aria-label={collapsed.has(id) ? 'Show child runs' : 'Hide child runs'}
                    onClick={() => setCollapsed((c) => { const n = new Set(c); if (n.has(id)) n.delete(id); else n.add(id); return n; })}
                  >
                    {collapsed.has(id) ? '▸' : '▾'}
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
        })}
      </div>
      {loadingMore && <div className="rt-more muted">Loading more runs…</div>}
    </div>
  );
}
