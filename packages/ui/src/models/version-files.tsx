import { ErrorPanel } from '../components/error-panel.js';
import { formatBytes } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { TablePreview, TextPreview } from '../runs/artifact-preview-view.js';
import { useVersionFilePreview, useVersionFiles } from './model-queries.js';

/** A version's files with size and sha256, and a preview of the chosen one (read on the server, never run). */
export function VersionFiles({ model, version }: { model: string; version: string }) {
  const files = useVersionFiles(model, version);
  const [file, setFile] = useParam('file');
  const preview = useVersionFilePreview(model, version, file);
  return (
    <div className="artifacts">
      <div className="artifact-list card">
        <h2>Files</h2>
        {files.error ? <ErrorPanel compact error={files.error} /> : files.isPending ? <Skeleton rows={3} /> : files.data.length === 0 ? <p className="muted">No files.</p> : (
          <ul className="file-list">
            {files.data.map((f) => (
              <li key={f.path} className={f.path === file ? 'active' : ''}>
                <button type="button" className="link file-link" onClick={() => setFile(f.path)}>{f.path}</button>
                <span className="muted small" title={`sha256 ${f.sha256}`}>{formatBytes(f.size)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="artifact-preview card">
        {!file ? <p className="muted">Choose a file to preview it.</p> : preview.error ? <ErrorPanel compact error={preview.error} /> : preview.isPending ? <Skeleton rows={5} /> : (
          <div className="preview" data-kind={preview.data.kind}>
            <p className="muted small">{preview.data.path} · {preview.data.mediaType} · {formatBytes(preview.data.size)}{preview.data.truncated ? ' · the beginning only' : ''}</p>
            {preview.data.kind === 'text' && <TextPreview preview={preview.data} />}
            {preview.data.kind === 'table' && <TablePreview preview={preview.data} />}
            {(preview.data.kind === 'binary' || preview.data.kind === 'image') && <p>No preview for this kind of file.</p>}
          </div>
        )}
      </div>
    </div>
  );
}
