import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { ArtifactPreview } from '@cairn/core';
import { useApi } from '../app/api-context.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatBytes } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useArtifactPreview } from './run-queries.js';

const MarkdownView = lazy(() => import('../components/markdown-view.js').then((m) => ({ default: m.MarkdownView })));

/**
 * Shows an artifact as the server previewed it. Nothing from the file is ever run: text (HTML and
 * SVG included) is shown as text, Markdown is rendered to elements without raw HTML, and images
 * are drawn from a blob with an image type.
 */
export function ArtifactPreviewView({ runId, path }: { runId: string; path: string }) {
  const preview = useArtifactPreview(runId, path);
  if (preview.error) return <ErrorPanel compact error={preview.error} onRetry={() => preview.refetch()} />;
  if (preview.isPending) return <Skeleton rows={6} label="Loading preview" />;
  const p = preview.data;
  return (
    <div className="preview" data-kind={p.kind}>
      <p className="muted small">{p.mediaType} · {formatBytes(p.size)}{p.truncated ? ' · showing the beginning only' : ''}</p>
      {p.kind === 'text' && <TextPreview preview={p} />}
      {p.kind === 'table' && <TablePreview preview={p} />}
      {p.kind === 'image' && <ImagePreview runId={runId} preview={p} />}
      {p.kind === 'binary' && <p>No preview for this kind of file; download it to open it.</p>}
    </div>
  );
}

export function TextPreview({ preview }: { preview: ArtifactPreview }) {
  const [source, setSource] = useState(false);
  const text = preview.text ?? '';
  const pretty = useMemo(() => {
    if (preview.mediaType !== 'application/json' || preview.truncated) return text;
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }, [text, preview.mediaType, preview.truncated]);
  if (preview.mediaType === 'text/markdown' && !source) {
    return (
      <>
        <button type="button" className="link small" onClick={() => setSource(true)}>Show source</button>
        <Suspense fallback={<Skeleton rows={4} />}><MarkdownView text={text} /></Suspense>
      </>
    );
  }
  return <pre className="code preview-text">{pretty}</pre>;
}

export function TablePreview({ preview }: { preview: ArtifactPreview }) {
  const columns = preview.columns ?? [];
  const rows = preview.rows ?? [];
  return (
    <div className="table-scroll">
      <table className="grid preview-table">
        <thead><tr>{columns.map((c, i) => <th key={i}>{c}</th>)}</tr></thead>
        <tbody>
          {rows.map((row, i) => <tr key={i}>{row.map((cell, j) => <td key={j} className={cell === null ? 'muted' : ''}>{cell ?? 'null'}</td>)}</tr>)}
        </tbody>
      </table>
      <p className="muted small">First {rows.length} rows{preview.truncated ? ' (more in the file)' : ''}.</p>
    </div>
  );
}

function ImagePreview({ runId, preview }: { runId: string; preview: ArtifactPreview }) {
  const api = useApi();
  const blob = useQuery({
    queryKey: ['artifact-blob', runId, preview.path],
    // The bytes come as octet-stream; the blob gets the image type from the name, so <img> draws it.
    queryFn: async () => new Blob([await (await api.fetchArtifact(runId, preview.path)).arrayBuffer()], { type: preview.mediaType }),
    enabled: preview.size <= 50 * 1024 * 1024,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob.data) return;
    const u = URL.createObjectURL(blob.data);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob.data]);
  if (preview.size > 50 * 1024 * 1024) return <p>This image is too large to preview; download it.</p>;
  if (blob.error) return <ErrorPanel compact error={blob.error} />;
  return url ? <img className="preview-image" src={url} alt={preview.path} /> : <Skeleton rows={3} />;
}
