import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CairnRouter } from '../router.js';
import { setUiSecurityHeaders } from './security-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};
// Paths the API owns: an unknown one there answers a JSON 404, never the UI's index.
const API_PREFIXES = ['/api/', '/ajax-api/', '/health'];
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface UiFile {
  path: string;
  type: string;
  /** Vite puts content-hashed names under assets/: they never change, so browsers keep them a year. */
  immutable: boolean;
  body?: Buffer;
  gzip?: Buffer | null;
  etag?: string;
}

/**
 * Where the web UI's built files are: inside the installed @cairn/server (`npm run build` copies
 * them to its dist/ui), else, in the checkout, where `npm run build -w @cairn/ui` writes them; null
 * when neither is there.
 */
export function defaultUiDir(): string | null {
  const require = createRequire(import.meta.url);
  const packaged = join(dirname(require.resolve('@cairn/server/package.json')), 'dist', 'ui');
  if (!import.meta.url.endsWith('.ts') && existsSync(join(packaged, 'index.html'))) return packaged;
  try {
    return join(dirname(require.resolve('@cairn/ui/package.json')), 'dist');
  } catch {
    return null;
  }
}

function listFiles(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const url = `/${relative(dir, path).split(sep).join('/')}`;
    files.set(url, { path, type: TYPES[extname(path)] ?? 'application/octet-stream', immutable: url.startsWith('/assets/') });
  }
  return files;
}

function load(file: UiFile): Required<UiFile> {
  if (!file.body) {
    file.body = readFileSync(file.path);
    // Compressed once, on first request; small or already-compressed files go as they are.
    file.gzip = file.body.length > 1024 && !/^image\/(png|x-icon)|font\//.test(file.type) ? gzipSync(file.body, { level: 9 }) : null;
    file.etag = `"${createHash('sha1').update(file.body).digest('base64url')}"`;
  }
  return file as Required<UiFile>;
}

function send(request: FastifyRequest, reply: FastifyReply, file: UiFile): FastifyReply {
  const f = load(file);
  setUiSecurityHeaders(reply)
    .header('content-type', f.type)
    .header('cache-control', f.immutable ? IMMUTABLE : 'no-cache')
    .header('etag', f.etag)
    .header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === f.etag) return reply.code(304).send();
  const gzip = f.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  return reply.header('content-encoding', gzip ? 'gzip' : 'identity').send(gzip ? f.gzip : f.body);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Cairn</title>
<p>The Cairn web UI is not built in this checkout. Build it with <code>npm run build -w @cairn/ui</code> (npm install does it), then reload.
The API is served as usual under <code>/api/v1</code>.</p>`;

/** The built web UI: its routes, and the fallback the server's not-found handler asks first. */
export interface WebUi {
  routes: CairnRouter;
  /**
   * Answers a GET or HEAD no route matched with a UI file or the index (so a shared link to a page
   * works on reload); `undefined` for anything else, which keeps its family's JSON 404.
   */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
}

/**
 * Serves the built web UI at `/`: hashed assets with a year-long cache, the index with `no-cache`
 * (revalidated by ETag), and the index for any other GET outside the API. The fallback runs from the
 * not-found handler, not from a catch-all route, so an unknown API path still gets the 404 of its
 * own family (MLflow's ENDPOINT_NOT_FOUND under the MLflow prefixes, Cairn's NOT_FOUND with a redacted
 * path elsewhere). Every reply carries the UI's CSP. The routes are public: the UI's code holds no
 * data, and the API behind it checks tokens.
 */
export function webUi(dir: string | null): WebUi {
  const files = dir ? listFiles(dir) : new Map<string, UiFile>();
  const index = files.get('/index.html');
  const serveIndex = (request: FastifyRequest, reply: FastifyReply) => {
    if (!index) return setUiSecurityHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(NOT_BUILT);
    return send(request, reply, index);
  };
  const fallback = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const path = request.url.split('?')[0] ?? '/';
    if (API_PREFIXES.some((p) => path.startsWith(p))) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = path;
    }
    const file = files.get(decoded);
    if (file) return send(request, reply, file);
    // A missing hashed asset (an old page after a redeploy) must not get HTML back as script.
    if (decoded.startsWith('/assets/')) {
      return setUiSecurityHeaders(reply).code(404).type('text/plain; charset=utf-8').send('Not found. Reload the page to get the current version of the UI.');
    }
    return serveIndex(request, reply);
  };
  const routes: CairnRouter = (app) => {
    app.get('/', { config: { policy: 'public' }, schema: { hide: true } }, async (request, reply) => serveIndex(request, reply));
  };
  return { routes, fallback };
}
