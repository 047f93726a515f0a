import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CairnError, type Platform } from '@cairn/core';
import { sendArtifact } from '../artifact-download.js';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import { artifactListBody, artifactListQuery, artifactPathQuery, artifactPutBody } from '../schemas/artifact-schemas.js';
import { runIdParams } from '../schemas/run-schemas.js';

const tags = ['artifacts'];

export interface ArtifactRouteOptions {
  /** Largest single upload, in bytes. */
  maxUploadBytes: number;
}

/**
 * `/api/v1/runs/:runId/artifacts…`: list, download, upload and delete a run's files. Uploads stream
 * straight into the artifact store (no JSON parsing, no buffering), capped by `maxUploadBytes`.
 */
export function artifactRoutes(platform: Platform, options: ArtifactRouteOptions): CairnRouter {
  const runs = platform.runs;
  return (app) => {
    // Upload bodies are the file itself, whatever its type: hand the request stream to the handler.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.get('/runs/:runId/artifacts', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'List one folder of a run\'s artifacts', params: runIdParams, querystring: artifactListQuery, response: responses({ 200: artifactListBody }) },
    }, async (request) => ({ files: await runs.listArtifacts(request.params.runId, request.query.path ?? '') }));

    app.get('/runs/:runId/artifacts/content', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Download an artifact file (raw bytes; a `Range: bytes=a-b` header gets 206 and those bytes)', produces: ['application/octet-stream'], params: runIdParams, querystring: artifactPathQuery, response: responses({ 200: z.custom<Readable>() }) },
    }, async (request, reply) => sendArtifact(request, reply, 'attachment', (range) => runs.openArtifact(request.params.runId, request.query.path, { range })));

    app.put('/runs/:runId/artifacts/content', {
      config: { policy: 'editor' },
      schema: {
        tags,
        summary: 'Upload an artifact file (raw body, any Content-Type)',
        consumes: ['application/octet-stream'],
        description: `Replaces any file at the path. Bodies larger than ${options.maxUploadBytes} bytes are refused with 413.`,
        params: runIdParams,
        querystring: artifactPathQuery,
        response: responses({ 200: artifactPutBody }),
      },
    }, async (request) => {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > options.maxUploadBytes) throw tooLarge(options.maxUploadBytes);
      const stream = request.body as Readable | undefined;
      // If the store stops reading early (limit exceeded), the request must stay open so the client
      // still gets the 413; the error handler then closes the connection instead of draining it.
      const body = stream ? stream.iterator({ destroyOnReturn: false }) : Buffer.alloc(0);
      const put = await runs.logArtifact(request.params.runId, request.query.path, body, { maxBytes: options.maxUploadBytes });
      return { file: { path: put.path, size: put.size, sha256: put.sha256 } };
    });

    app.delete('/runs/:runId/artifacts/content', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete an artifact file or folder', params: runIdParams, querystring: artifactPathQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.deleteArtifact(request.params.runId, request.query.path);
      return {};
    });
  };
}

function tooLarge(max: number): CairnError {
  return new CairnError('RESOURCE_EXHAUSTED', `The upload is larger than this server accepts (${max} bytes). Split the file or raise the server's upload limit.`);
}
