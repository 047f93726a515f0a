import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import type { Run } from '@cairn/core';
import { nestRuns, reuseRows, type TreeRow } from './run-tree.js';
import { BUILT_IN, RunRow, type RowActions } from './run-row.js';
import { columnId, fieldOf, type DataColumn, type Sort } from './runs-view-state.js';
import { ROW_HEIGHT } from './run-row.js';


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
const NO_ROWS: Row[] = [];


/**
 * The runs table: TanStack Table for the column model, TanStack Virtual so only the rows in view
 * exist in the page (100,000 runs scroll like 100). Sorting is the server's (a header click
 * changes the URL, which re-queries); nested runs sit under their parent; rows are keyboard
 * navigable (↑ ↓ Home End, Space selects, Enter opens).
 */
export function RunsTable({ runs, columns, sort, onSort, selected, onSelect, onNeedMore, loadingMore }: RunsTableProps) {
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  // Rows already drawn keep their objects when more pages arrive, so they do not re-render.
  const drawn = useRef<Row[]>([]);
  const rows = useMemo(() => (drawn.current = reuseRows(nestRuns(runs, collapsed), drawn.current)), [runs, collapsed]);
  // The selection lives in the URL, which updates a moment after a click (a router navigation). The
  // table shows a click at once and counts the next click from it, so quick clicks are never lost
  // and a checkbox never flips back while the URL catches up.
  const selectedKey = selected.join('\n');
  const [shown, setShown] = useState({ key: selectedKey, ids: selected });
  // Selections this table sent: the URL coming back with one of them is its echo, not a new value.
  const sent = useRef(new Set<string>());
  let current = shown.ids;
  if (shown.key !== selectedKey) {
    if (!sent.current.has(selectedKey)) current = selected;
    setShown({ key: selectedKey, ids: current });
  }
  const chosen = useRef(current);
  chosen.current = current;
  const currentKey = current.join('\n');
  // Caught up: the URL holds what the table shows, so no echo is still on its way.
  useEffect(() => {
    if (selectedKey === currentKey) sent.current.clear();
  }, [selectedKey, currentKey]);
  const selectedSet = useMemo(() => new Set(current), [current]);
  const [focus, setFocus] = useState(0);

  const toggle = (runId: string) => {
    const was = chosen.current;
    const next = was.includes(runId) ? was.filter((s) => s !== runId) : [...was, runId];
    chosen.current = next;
    setShown((v) => ({ key: v.key, ids: next }));
    sent.current.add(next.join('\n'));
    onSelect(next);
  };
  // Rows are memoized: they get one stable object of callbacks that always call the latest handlers.
  const latest = useRef({ toggle, setFocus });
  latest.current = { toggle, setFocus };
  const actions = useMemo<RowActions>(() => ({
    toggleSelected: (id) => latest.current.toggle(id),
    toggleCollapsed: (id) => setCollapsed((c) => { const n = new Set(c); if (n.has(id)) n.delete(id); else n.add(id); return n; }),
    focus: (index) => latest.current.setFocus(index),
  }), []);

  const columnDefs = useMemo<ColumnDef<Row>[]>(() => {
    const defs: ColumnDef<Row>[] = [
      { id: 'select', header: '', size: 36, meta: {} },
      { id: 'name', header: 'Run', size: 240, meta: { sortField: 'attributes.run_name' } },
      ...BUILT_IN.map((b) => ({ id: b.id, header: b.header, size: b.width, meta: { sortField: b.sortField } })),
      ...columns.map((c) => ({ id: columnId(c), header: c.key, size: c.group === 'metrics' ? 110 : 130, meta: { sortField: fieldOf(c), column: c } })),
    ];
    return defs;
  }, [columns]);

  // The table model gives the columns and headers; rows are drawn from `rows` by the virtualizer, so
  // no row model is built for tens of thousands of runs on every page that arrives.
  const table = useReactTable({ data: NO_ROWS, columns: columnDefs, getCoreRowModel: getCoreRowModel(), manualSorting: true });
  const scroller = useRef<HTMLDivElement>(null);
  // Without flushSync a fast scroll renders once per frame, not once per scroll event.
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8, useFlushSync: false });
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
          const id = row.run.info.runId;
          return (
            <RunRow
              key={id}
              row={row}
              index={item.index}
              start={item.start}
              template={template}
              focused={item.index === focus}
              selected={selectedSet.has(id)}
              collapsed={collapsed.has(id)}
              columns={columns}
              actions={actions}
            />
          );
        })}
      </div>
      {loadingMore && <div className="rt-more muted">Loading more runs…</div>}
    </div>
  );
}
