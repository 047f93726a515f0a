import type { FastifyReply } from 'fastify';

// Headers of a file sent to an MLflow client (the artifact proxy and the legacy get-artifact routes).
// Always an attachment with nosniff, as MLflow sends it, so nothing uploaded runs on this origin. The
// type follows MLflow's guess (text files as text/plain, images, PDF) but only from a list of types a
// browser never executes: HTML, SVG, JavaScript and anything unknown go out as application/octet-stream.

/** MLflow's text extensions (`mlflow/utils/mime_type_utils.py`), plus its two extension-less files. */
const TEXT = new Set(['txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'MLproject']);

const INERT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

export function downloadType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1) : fileName;
  if (TEXT.has(extension)) return 'text/plain';
  return INERT[extension.toLowerCase()] ?? 'application/octet-stream';
}

/**
 * `attachment` with both filename forms: `filename*` (RFC 6266, any character) and a plain `filename`
 * for clients that read only that one, with anything outside printable ASCII, quotes and backslashes
 * replaced by `_`.
 */
export function contentDisposition(fileName: string): string {
  const plain = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Sets the download headers of a file named `key` (a path; its last segment names the file). */
export function downloadHeaders(reply: FastifyReply, key: string, size: number): FastifyReply {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return reply
    .header('content-type', downloadType(name))
    .header('content-length', size)
    .header('content-disposition', contentDisposition(name))
    .header('x-content-type-options', 'nosniff');
}
