import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CairnError, type Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { responses } from '../schemas/common.js';
import { fileListBody, filePathQuery, fileSchema, versionParams } from '../schemas/registry-schemas.js';
import { artifactPreviewBody } from '../schemas/view-schemas.js';

const tags = ['registry'];

/**
 * `/api/v1/models/:name/versions/:version/artifacts…`: a version's files. Downloads serve only
 * registered files and carry their sha256; uploads stream into a pending version, capped by
 * `maxUploadBytes`.
 */
export function registryFileRoutes(platform: Platform, options: { maxUploadBytes: number }): CairnRouter {
  const versions = platform.registry.versions;
  return (app) => {
    // Upload bodies are the file itself, whatever its type: hand the request stream to the handler.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.get('/models/:name/versions/:version/artifacts', {
      config: { policy: 'reader' },
      schema: { tags, summary: "List a version's files with size and sha256", params: versionParams, response: responses({ 200: fileListBody }) },
    }, async (request) => ({ files: await versions.files(request.params.name, request.params.version) }));

    app.get('/models/:name/versions/:version/artifacts/preview', {
      config: { policy: 'reader' },
      schema: {
        tags, summary: "A preview of one of a version's files: text head, first table rows (CSV, TSV, Parquet), or its kind",
        description: 'As run artifact previews: text shows its first 256 KiB, tables their first 100 rows; HTML and SVG come back as text, never to be rendered.',
        params: versionParams, querystring: filePathQuery, response: responses({ 200: artifactPreviewBody }),
      },
    }, async (request) => ({ preview: await platform.registry.views.previewFile(request.params.name, request.params.version, request.query.path) }));

    app.get('/models/:name/versions/:version/artifacts/content', {
      config: { policy: 'reader' },
      schema: { tags, summary: "Download one of a version's files (raw bytes; x-cairn-sha256 holds its digest)", produces: ['application/octet-stream'], params: versionParams, querystring: filePathQuery, response: responses({ 200: z.custom<Readable>() }) },
    }, async (request, reply) => {
      const { stream, size, sha256 } = await versions.openFile(request.params.name, request.params.version, request.query.path);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', size)
        .header('content-disposition', 'attachment')
        .header('x-content-type-options', 'nosniff')
        .header('x-cairn-sha256', sha256)
        .send(stream);
    });

    app.put('/models/:name/versions/:version/artifacts/content', {
      config: { policy: 'editor' },
      schema: {
        tags,
        summary: 'Upload a file into a pending version (raw body)',
        consumes: ['application/octet-stream'],
        description: `Only for versions created without a source, before finalize. Bodies larger than ${options.maxUploadBytes} bytes are refused with 413.`,
        params: versionParams,
        querystring: filePathQuery,
        response: responses({ 200: z.object({ file: fileSchema }) }),
      },
    }, async (request) => {
      if (Number(request.headers['content-length'] ?? 0) > options.maxUploadBytes) {
        throw new CairnError('RESOURCE_EXHAUSTED', `The upload is larger than this server accepts (${options.maxUploadBytes} bytes).`);
      }
      const stream = request.body as Readable | undefined;
      const body = stream ? stream.iterator({ destroyOnReturn: false }) : Buffer.alloc(0);
      const file = await versions.uploadFile(request.params.name, request.params.version, request.query.path, body, { maxBytes: options.maxUploadBytes });
      return { file };
    });
  };
}
