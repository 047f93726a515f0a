import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorPanel } from '../components/error-panel.js';
import { formatCount } from '../components/format.js';
import { useStepLogFollow } from './pipeline-queries.js';

const LINE = 18;

/**
 * A step's log, followed live while it runs: only the lines in view exist in the page (100,000
 * scroll like 100), Follow keeps the newest in view, Search shows the matching lines only. Lines
 * are text, never HTML.
 */
export function StepLogs({ runId, step }: { runId: string; step: string }) {
  const log = useStepLogFollow(runId, step);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  // Recomputed when lines arrive (count) or the query changes; the buffer searches only new lines.
  const rows = useMemo(() => (query && log.count >= 0 ? log.buffer.search(query) : null), [log.buffer, log.count, query]);
  const count = rows ? rows.length : log.count;
  const scroller = useRef<HTMLDivElement>(null);
  const list = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => LINE, overscan: 30 });
  useEffect(() => {
    if (follow && count > 0) list.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, list]);
  return (
    <section className="card step-logs" aria-label={`Logs of ${step}`}>
      <div className="toolbar">
        <h2>Logs of {step}</h2>
        <span className="muted small" role="status">{formatCount(log.count)} lines{log.done ? '' : ' · following live'}{rows ? ` · ${formatCount(rows.length)} match` : ''}</span>
        <input type="search" aria-label="Search the log" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
      </div>
      {Boolean(log.error) && <ErrorPanel compact error={log.error} />}
      <div
        className="log-view"
        ref={scroller}
        onWheel={(e) => { if (e.deltaY < 0) setFollow(false); }}
        data-lines={log.count}
        data-done={log.done ? 'true' : 'false'}
      >
        {count === 0 ? <p className="muted">{log.done ? 'This step printed nothing.' : 'Waiting for output…'}</p> : (
          <div style={{ height: list.getTotalSize(), position: 'relative' }}>
            {list.getVirtualItems().map((item) => {
              const index = rows ? rows[item.index]! : item.index;
              const l = log.buffer.lines[index]!;
              return (
                <div key={item.key} className={`log-line ${l.stream}`} style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)` }}>
                  <span className="log-no">{index + 1}</span>{l.attempt > 1 ? <span className="log-attempt">#{l.attempt}</span> : null}{l.text}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
