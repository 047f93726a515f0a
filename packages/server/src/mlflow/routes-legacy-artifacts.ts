import { CairnError, type Platform } from '@cairn/core';
import type { FastifyReply } from 'fastify';
import type { CairnApp } from '../router.js';
import { mlflowArtifactPath } from './artifact-path.js';
import { downloadHeaders } from './download-headers.js';
import { useMlflowErrorHandler } from './mlflow-route.js';
import { RequestFields } from './request-fields.js';

/**
 * MLflow's legacy download routes at the server root, which its web UI and older clients use:
 * `GET /get-artifact?run_id=&path=` (a run's file) and `GET /model-versions/get-artifact?name=&version=&path=`
 * (a registered version's file, served from the registry's own verified copy). Paths go through the
 * one path validator (MLflow's answer: "Invalid path"). An external version's files are not served:
 * the server never fetches what it does not hold.
 */
export function legacyArtifactRouter(platform: Platform) {
  return (app: CairnApp): void => {
    useMlflowErrorHandler(app);
    const runFile = async (fields: RequestFields, reply: FastifyReply) => {
      const path = mlflowArtifactPath(fields.requiredString('path'));
      const info = await platform.runs.getInfo(fields.runId());
      const key = `${info.artifactUri}/${path}`;
      const { stream, size } = await platform.artifacts.get(key);
      return downloadHeaders(reply, key, size).send(stream);
    };
    const versionFile = async (fields: RequestFields, reply: FastifyReply) => {
      const path = mlflowArtifactPath(fields.requiredString('path'));
      const name = fields.requiredString('name');
      const version = await platform.registry.versions.get(name, fields.requiredString('version'));
      if (version.externalUri) {
        throw new CairnError('FAILED_PRECONDITION', `Version ${version.version} of '${name}' is external: its files are at ${version.externalUri}, which Cairn never fetches. Download them from there.`);
      }
      const { stream, size } = await platform.registry.versions.openFile(name, version.version, path);
      return downloadHeaders(reply, path, size).send(stream);
    };
    app.get('/get-artifact', { config: { policy: 'reader' } }, (request, reply) => runFile(RequestFields.fromQuery(request.query), reply));
    // MLflow's own tests call it with a doubled slash; both spellings name the same route.
    for (const url of ['/model-versions/get-artifact', '//model-versions/get-artifact']) {
      app.get(url, { config: { policy: 'reader' } }, (request, reply) => versionFile(RequestFields.fromQuery(request.query), reply));
    }
  };
}
