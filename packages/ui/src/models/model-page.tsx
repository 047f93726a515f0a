import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorPanel } from '../components/error-panel.js';
import { formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { Tabs, useTab } from '../components/tabs.js';
import { AliasHistory } from './alias-history.js';
import { useModel, useModelVersions } from './model-queries.js';
import { MonitoringTab } from './monitoring-tab.js';
import { VersionsTable } from './versions-table.js';

const TABS = [
  { id: 'versions', label: 'Versions' },
  { id: 'aliases', label: 'Alias history' },
  { id: 'monitoring', label: 'Monitoring' },
] as const;

/** One registered model: description, tags, aliases, its versions, the alias history with time travel, its monitoring. */
export function ModelPage() {
  const { name = '' } = useParams();
  const model = useModel(name);
  const versions = useModelVersions(name);
  const [tab, setTab] = useTab(TABS);
  const [chosen, setChosen] = useState<number[]>([]);
  const navigate = useNavigate();
  const all = useMemo(() => versions.data?.pages.flatMap((p) => p.items) ?? [], [versions.data]);
  if (model.error) return <div className="page"><ErrorPanel error={model.error} onRetry={() => model.refetch()} /></div>;
  if (model.isPending) return <div className="page"><Skeleton rows={8} label="Loading model" /></div>;
  const m = model.data;
  const base = `/models/${encodeURIComponent(m.name)}`;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/models">Models</Link> /</div>
          <h1>{m.name}</h1>
          {m.description && <p className="wrap">{m.description}</p>}
          <p>
            {m.aliases.map((a) => (
              <span key={a.alias} className="chip">
                <Link to={`${base}/versions/${a.version}`}>@{a.alias} → v{a.version}</Link> <LineageLink kind="alias" objectKey={`${m.name}@${a.alias}`}>lineage</LineageLink>
              </span>
            ))}
            {Object.entries(m.tags).map(([k, v]) => <span key={k} className="chip muted">{k}={v}</span>)}
          </p>
          <p className="muted small">Registered {formatTime(m.creationTime)} · updated {formatTime(m.lastUpdatedTime)}</p>
        </div>
      </div>
      <Tabs tabs={TABS} current={tab} onChoose={setTab} />
      {tab === 'versions' && (
        <>
          <div className="toolbar">
            <span className="muted">{all.length}{versions.hasNextPage ? '+' : ''} versions; tick two to compare.</span>
            <button type="button" className="primary" disabled={chosen.length !== 2} onClick={() => navigate(`${base}/compare?a=${Math.min(...chosen)}&b=${Math.max(...chosen)}`)}>Compare</button>
          </div>
          {versions.error ? <ErrorPanel error={versions.error} onRetry={() => versions.refetch()} /> : versions.isPending ? <Skeleton rows={8} label="Loading versions" /> : (
            <VersionsTable model={m.name} versions={all} chosen={chosen} onChoose={setChosen} onNeedMore={versions.hasNextPage && !versions.isFetchingNextPage ? () => void versions.fetchNextPage() : undefined} />
          )}
        </>
      )}
      {tab === 'aliases' && <AliasHistory model={m} />}
      {tab === 'monitoring' && <MonitoringTab model={m.name} />}
    </div>
  );
}
