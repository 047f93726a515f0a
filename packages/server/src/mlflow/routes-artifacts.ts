import type { Readable } from 'node:stream';
import { CairnError, refuseReservedWrite, type Platform } from '@cairn/core';
import type { FastifyRequest } from 'fastify';
import { sendArtifact } from '../artifact-download.js';
import type { CairnApp } from '../router.js';
import { mlflowArtifactPath } from './artifact-path.js';
import { fileInfoJson, mlflowArtifactUri } from './convert.js';
import { contentDisposition, downloadType } from './download-headers.js';
import { addMlflowRoute } from './mlflow-route.js';

/** `artifacts/list` of the tracking API: one level of a run's artifacts. Path relative to `/mlflow`. */
export function artifactListRoute(app: CairnApp, platform: Platform): void {
  addMlflowRoute(app, 'GET', '/artifacts/list', 'reader', async (f) => {
    const runId = f.runId();
    const path = mlflowArtifactPath(f.string('path') ?? '', { allowEmpty: true });
    const info = await platform.runs.getInfo(runId);
    const files = await platform.runs.listArtifacts(runId, path);
    const json: Record<string, unknown> = { root_uri: mlflowArtifactUri(info.artifactUri) };
    if (files.length) json.files = files.map((file) => fileInfoJson(file.path, file));
    return json;
  });
}

export interface ArtifactProxyOptions {
  /** Largest single upload, in bytes (the server's upload limit). */
  maxUploadBytes: number;
}

/** The artifact key a proxy request names: the URL's tail, checked by the one path validator. */
function keyOf(request: FastifyRequest): string {
  return mlflowArtifactPath((request.params as Record<string, string>)['*'] ?? '');
}

/**
 * The key a PUT or DELETE names, if the proxy may change it: only inside an experiment's artifact
 * location (where runs keep their artifacts; elsewhere is NOT_FOUND, as no experiment owns it), never
 * in the folders Cairn's subsystems own (registered
 * versions' files, pipeline objects), which are read through here (get-download-uri) but changed only
 * by their services, with their checks and audit.
 */
async function writableKey(request: FastifyRequest, platform: Platform, what: string): Promise<string> {
  const key = keyOf(request);
  refuseReservedWrite(key, what);
  if (!(await platform.experiments.findByArtifactPath(key))) {
    throw new CairnError(
      'NOT_FOUND',
      `${what} '${key.slice(0, 200)}': no experiment's artifact location holds this path. The artifact proxy writes only run and experiment artifacts: use a path below a run's artifact_uri.`,
    );
  }
  return key;
}

function tooLarge(max: number): CairnError {
  return new CairnError('RESOURCE_EXHAUSTED', `The upload is larger than this server accepts (${max} bytes). Split the file or raise the server's upload limit.`);
}

/**
 * MLflow's artifact proxy (`mlflow-artifacts`) over Cairn's artifact store. A proxy path is a key
 * relative to the store root, the same key the `mlflow-artifacts:/<location>` URIs of runs and
 * experiments name, so a client that resolves a run's artifact_uri lands in that run's folder.
 * Paths are relative to `/mlflow-artifacts`.
 */
export function artifactProxyRoutes(app: CairnApp, platform: Platform, options: ArtifactProxyOptions): void {
  const store = platform.artifacts;
  // Uploads are raw bytes of any content type (MLflow clients send a guessed one), streamed as is.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.get('/artifacts', { config: { policy: 'reader' } }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const raw = Array.isArray(query.path) ? query.path[0] : query.path;
    const prefix = mlflowArtifactPath(typeof raw === 'string' ? raw : '', { allowEmpty: true });
    const files = await store.list(prefix);
    // The proxy names entries by their base name; clients join them to the folder they listed.
    return files.length ? { files: files.map((file) => fileInfoJson(file.path.slice(file.path.lastIndexOf('/') + 1), file)) } : {};
  });

  app.get('/artifacts/*', { config: { policy: 'reader' } }, async (request, reply) => {
    const key = keyOf(request);
    const name = key.slice(key.lastIndexOf('/') + 1);
    // An attachment browsers must not sniff (MLflow's type guess only for inert types), so an uploaded HTML file never runs on this origin.
    return sendArtifact(request, reply, contentDisposition(name), (range) => store.get(key, { range }), downloadType(name));
  });

  app.put('/artifacts/*', { config: { policy: 'editor' } }, async (request) => {
    const key = await writableKey(request, platform, 'Upload');
    if (Number(request.headers['content-length'] ?? 0) > options.maxUploadBytes) throw tooLarge(options.maxUploadBytes);
    const stream = request.body as Readable | undefined;
    // When the store stops early (limit exceeded) the request stays open, so the client still gets the 413.
    const body = stream ? stream.iterator({ destroyOnReturn: false }) : Buffer.alloc(0);
    await store.put(key, body, { maxBytes: options.maxUploadBytes });
    return {};
  });

  app.delete('/artifacts/*', { config: { policy: 'editor' } }, async (request) => {
    await store.delete(await writableKey(request, platform, 'Delete of'));
    return {};
  });
  // MLflow's multipart upload routes (`/mpu/*`) are not offered; MLflow clients only use them when
  // MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is set, and otherwise upload each file with one PUT.
}
