import type { DefinitionVersion } from '@cairn/core';
import { formatTime } from '../components/format.js';

/** Every applied version of a definition with its plan diff, newest first. */
export function DefinitionVersions({ versions }: { versions: DefinitionVersion[] }) {
  return (
    <ol className="timeline" aria-label="Versions">
      {[...versions].reverse().map((v) => (
        <li key={v.version} className="timeline-item">
          <strong>v{v.version}</strong> <span className="muted small">registry version {v.registryVersion}{v.createdTime ? ` · ${formatTime(v.createdTime)}` : ''}</span>{' '}
          <span className={`change change-${v.change}`}>{v.change}</span>
          {v.details.length > 0 && <ul className="plan-diff">{v.details.map((d, i) => <li key={i}><code>{d}</code></li>)}</ul>}
        </li>
      ))}
    </ol>
  );
}
