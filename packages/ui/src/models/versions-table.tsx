import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { ModelVersion } from '@cairn/core';
import { formatTime } from '../components/format.js';

const ROW = 34;

/** A model's versions, only the rows in view in the page (a model with thousands scrolls like one with ten); two can be chosen to compare. */
export function VersionsTable({ model, versions, chosen, onChoose, onNeedMore }: {
  model: string;
  versions: ModelVersion[];
  chosen: number[];
  onChoose(versions: number[]): void;
  onNeedMore?: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: versions.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const items = rows.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (last >= versions.length - 20) onNeedMore?.();
  }, [last, versions.length, onNeedMore]);
  const base = `/models/${encodeURIComponent(model)}`;
  return (
    <div className="vt" role="table" aria-label="Versions" aria-rowcount={versions.length}>
      <div className="vt-row vt-head" role="row">
        <span role="columnheader" className="narrow"><span className="sr-only">Compare</span></span>
        <span role="columnheader">Version</span><span role="columnheader">Status</span><span role="columnheader">Aliases</span>
        <span role="columnheader">Source run</span><span role="columnheader">Format</span><span role="columnheader">Signature</span>
        <span role="columnheader">Created by</span><span role="columnheader">Created</span>
      </div>
      <div className="vt-body" ref={scroller}>
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const v = versions[item.index]!;
            const on = chosen.includes(v.version);
            return (
              <div key={v.version} className="vt-row" role="row" style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)`, height: ROW }}>
                <span role="cell" className="narrow">
                  <input type="checkbox" aria-label={`Compare version ${v.version}`} checked={on} onChange={() => onChoose(on ? chosen.filter((c) => c !== v.version) : [...chosen, v.version].slice(-2))} />
                </span>
                <span role="cell"><Link to={`${base}/versions/${v.version}`}>v{v.version}</Link></span>
                <span role="cell" className={`vstatus vstatus-${v.status.toLowerCase()}`}>{v.status}</span>
                <span role="cell">{v.aliases.map((a) => <span key={a} className="chip">@{a}</span>)}</span>
                <span role="cell">{v.runId ? <Link to={`/runs/${encodeURIComponent(v.runId)}`}><code>{v.runId.slice(0, 8)}</code></Link> : <span className="muted">—</span>}</span>
                <span role="cell">{v.format} {v.unsafe ? <span className="unsafe" title="Loading this format runs code">unsafe</span> : <span className="safe">safe</span>}</span>
                <span role="cell" className="muted">{v.signature ? `${v.signature.inputs.length} in → ${v.signature.outputs.length} out` : 'none'}</span>
                <span role="cell">{v.userId ?? ''}</span>
                <span role="cell">{formatTime(v.creationTime)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
