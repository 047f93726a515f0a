import { useApi } from '../app/api-context.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatBytes } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { ArtifactPreviewView } from './artifact-preview-view.js';
import { downloadBlob } from './download.js';
import { useArtifacts } from './run-queries.js';

interface ArtifactBrowserProps {
  runId: string;
  dir: string;
  file: string | null;
  onChange(dir: string, file: string | null): void;
}

/** A run's artifact tree, one folder at a time, with a preview of the chosen file and downloads. */
export function ArtifactBrowser({ runId, dir, file, onChange }: ArtifactBrowserProps) {
  const api = useApi();
  const list = useArtifacts(runId, dir);
  const parts = dir ? dir.split('/') : [];
  const name = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  return (
    <div className="artifacts">
      <div className="artifact-list card">
        <nav className="crumbs" aria-label="Folder">
          <button type="button" className="link" onClick={() => onChange('', null)}>artifacts</button>
          {parts.map((p, i) => (
            <span key={i}> / <button type="button" className="link" onClick={() => onChange(parts.slice(0, i + 1).join('/'), null)}>{p}</button></span>
          ))}
        </nav>
        <button
          type="button"
          className="link small"
          onClick={() => void api.fetchArtifactArchive(runId, dir).then((res) => res.blob()).then((blob) => downloadBlob(blob, `${parts.at(-1) ?? 'artifacts'}.zip`))}
        >
          Download {dir ? 'this folder' : 'all'} (zip)
        </button>
        {list.error ? <ErrorPanel compact error={list.error} onRetry={() => list.refetch()} /> : list.isPending ? <Skeleton rows={4} label="Loading artifacts" /> : list.data.length === 0 ? (
          <EmptyState title={dir ? 'Empty folder' : 'No artifacts'}>
            {!dir && <p>Log files with <code>run.logArtifact(bytes, 'path/in/run')</code> in the SDK.</p>}
          </EmptyState>
        ) : (
          <ul className="file-list">
            {[...list.data].sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path)).map((f) => (
              <li key={f.path} className={f.path === file ? 'active' : ''}>
                <button type="button" className="link file-link" onClick={() => (f.isDir ? onChange(f.path, null) : onChange(dir, f.path))}>
                  {name(f.path)}{f.isDir ? '/' : ''}
                </button>
                <span className="muted small">{f.isDir ? '' : formatBytes(f.size)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="artifact-preview card">
        {file ? (
          <>
            <div className="preview-head">
              <strong className="wrap">{file}</strong>
              <button type="button" onClick={() => void api.fetchArtifact(runId, file).then((res) => res.blob()).then((blob) => downloadBlob(blob, name(file)))}>Download</button>
            </div>
            <ArtifactPreviewView runId={runId} path={file} />
          </>
        ) : (
          <p className="muted">Choose a file to preview it.</p>
        )}
      </div>
    </div>
  );
}
