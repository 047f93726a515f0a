import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import type { GateEvaluation } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { formatBytes, formatMetric, formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { Tabs, useTab } from '../components/tabs.js';
import { useRun } from '../runs/run-queries.js';
import { describeEvent } from './audit-text.js';
import { GateResult } from './gate-result.js';
import { useGates, useModel, useModelAudit, useModelVersion } from './model-queries.js';
import { PromotePanel } from './promote-panel.js';
import { SignatureTable } from './signature-table.js';
import { VersionFiles } from './version-files.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'files', label: 'Files' },
  { id: 'gates', label: 'Gate results' },
] as const;

/** One model version: its facts and signature, its files, the source run's metrics and params, gate results, promotion. */
export function VersionPage() {
  const { name = '', version = '' } = useParams();
  const v = useModelVersion(name, version);
  const model = useModel(name);
  const gates = useGates(name);
  const [tab, setTab] = useTab(TABS);
  if (v.error) return <div className="page"><ErrorPanel error={v.error} onRetry={() => v.refetch()} /></div>;
  if (v.isPending) return <div className="page"><Skeleton rows={10} label="Loading version" /></div>;
  const mv = v.data;
  const base = `/models/${encodeURIComponent(mv.name)}`;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/models">Models</Link> / <Link to={base}>{mv.name}</Link> /</div>
          <h1>{mv.name} version {mv.version} {mv.aliases.map((a) => <span key={a} className="chip">@{a}</span>)}</h1>
          {mv.description && <p className="wrap">{mv.description}</p>}
          <p><LineageLink kind="modelVersion" objectKey={`${mv.name}/${mv.version}`}>Lineage of this version</LineageLink></p>
        </div>
      </div>
      <Tabs tabs={TABS} current={tab} onChoose={setTab} />
      {tab === 'overview' && (
        <div className="sections">
          <section className="card">
            <h2>Version</h2>
            <dl className="facts">
              <div><dt>Status</dt><dd className={`vstatus vstatus-${mv.status.toLowerCase()}`}>{mv.status}{mv.statusMessage ? ` — ${mv.statusMessage}` : ''}</dd></div>
              <div><dt>Format</dt><dd>{mv.format} {mv.unsafe ? <span className="unsafe">unsafe to load: loading it runs code</span> : <span className="safe">safe to load</span>}</dd></div>
              <div><dt>Source</dt><dd><code>{mv.source}</code></dd></div>
              <div><dt>Source run</dt><dd>{mv.runId ? <Link to={`/runs/${encodeURIComponent(mv.runId)}`}><code>{mv.runId}</code></Link> : '—'}</dd></div>
              <div><dt>Files</dt><dd>{mv.fileCount ?? '—'} · {formatBytes(mv.size)}</dd></div>
              <div><dt>Digest</dt><dd><code className="small">{mv.digest ?? '—'}</code></dd></div>
              <div><dt>Created</dt><dd>{formatTime(mv.creationTime)}{mv.userId ? ` by ${mv.userId}` : ''}</dd></div>
              {Object.entries(mv.tags).map(([k, val]) => <div key={k}><dt>tag {k}</dt><dd className="wrap">{val}</dd></div>)}
            </dl>
          </section>
          <section className="card"><h2>Signature</h2><SignatureTable signature={mv.signature} /></section>
          {mv.runId && <SourceRun runId={mv.runId} />}
          {model.data && gates.data && <PromotePanel version={mv} gates={gates.data} aliases={model.data.aliases.map((a) => a.alias)} />}
        </div>
      )}
      {tab === 'files' && <VersionFiles model={mv.name} version={String(mv.version)} />}
      {tab === 'gates' && <GateHistory model={mv.name} version={mv.version} />}
    </div>
  );
}

function SourceRun({ runId }: { runId: string }) {
  const run = useRun(runId);
  if (run.error) return <section className="card"><h2>Source run</h2><ErrorPanel compact error={run.error} /></section>;
  if (run.isPending) return <section className="card"><Skeleton rows={4} /></section>;
  const r = run.data;
  return (
    <section className="card">
      <h2>Source run: <Link to={`/runs/${encodeURIComponent(runId)}`}>{r.info.runName}</Link></h2>
      <table className="grid kv">
        <tbody>
          {r.data.metrics.map((m) => <tr key={`m:${m.key}`}><th scope="row">{m.key}</th><td className="num">{formatMetric(m.value)}</td></tr>)}
          {Object.entries(r.data.params).map(([k, val]) => <tr key={`p:${k}`}><th scope="row" className="muted">{k}</th><td className="wrap">{val}</td></tr>)}
        </tbody>
      </table>
    </section>
  );
}

/** Every recorded evaluation of this version against a gate (promotions and checks), newest first. */
function GateHistory({ model, version }: { model: string; version: number }) {
  const audit = useModelAudit(model, { version });
  const evaluations = useMemo(() => (audit.data?.items ?? []).filter((e) => /^(promotion\.|gate\.evaluated)/.test(e.action)), [audit.data]);
  if (audit.error) return <ErrorPanel error={audit.error} onRetry={() => audit.refetch()} />;
  if (audit.isPending) return <Skeleton rows={5} />;
  if (!evaluations.length) return <p className="muted">This version has not been checked against a gate yet. Check one from the Overview tab.</p>;
  return (
    <div>
      {evaluations.map((e) => (
        <section key={e.id} className="card">
          <h2>{describeEvent(e)} <span className="muted small">{formatTime(e.time)} by {e.actor}</span></h2>
          <GateResult evaluation={e.after as GateEvaluation} />
        </section>
      ))}
    </div>
  );
}
