import { useState } from 'react';
import { columnId, type ColumnGroup, type DataColumn } from './runs-view-state.js';

interface ColumnPickerProps {
  keys: Record<ColumnGroup, string[]> | undefined;
  columns: DataColumn[];
  onChange(columns: DataColumn[]): void;
}

const TITLES: Record<ColumnGroup, string> = { metrics: 'Metrics', params: 'Params', tags: 'Tags' };

/** Chooses which metric, param and tag columns the runs table shows (kept in the URL). */
export function ColumnPicker({ keys, columns, onChange }: ColumnPickerProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const chosen = new Set(columns.map(columnId));
  const toggle = (c: DataColumn) => onChange(chosen.has(columnId(c)) ? columns.filter((x) => columnId(x) !== columnId(c)) : [...columns, c]);
  const q = search.toLowerCase();
  return (
    <div className="popover-anchor">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>Columns ({columns.length})</button>
      {open && (
        <div className="popover column-picker" role="dialog" aria-label="Choose columns">
          <input type="search" placeholder="Find a key" aria-label="Find a key" value={search} autoFocus onChange={(e) => setSearch(e.target.value)} />
          {(['metrics', 'params', 'tags'] as const).map((group) => {
            const list = (keys?.[group] ?? []).filter((k) => k.toLowerCase().includes(q));
            return (
              <fieldset key={group}>
                <legend>{TITLES[group]}</legend>
                {list.length === 0 && <p className="muted">None{q ? ' match' : ''}.</p>}
                {list.slice(0, 200).map((key) => (
                  <label key={key} className="check">
                    <input type="checkbox" checked={chosen.has(`${group}.${key}`)} onChange={() => toggle({ group, key })} />
                    {key}
                  </label>
                ))}
              </fieldset>
            );
          })}
          <div className="popover-actions">
            <button type="button" className="link" onClick={() => onChange([])}>None</button>
            <button type="button" onClick={() => setOpen(false)}>Done</button>
          </div>
        </div>
      )}
    </div>
  );
}
