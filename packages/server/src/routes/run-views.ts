import type { Readable } from 'node:stream';
import etag from '@fastify/etag';
import { z } from 'zod';
import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { encodeMetricValue } from '../metric-value-codec.js';
import { responses } from '../schemas/common.js';
import { artifactListQuery, artifactPathQuery } from '../schemas/artifact-schemas.js';
import { runIdParams } from '../schemas/run-schemas.js';
import {
  artifactPreviewBody,
  experimentIdsQuery,
  experimentKeysBody,
  experimentStatsBody,
  sampledHistoryBody,
  sampledHistoryQuery,
  whoamiBody,
} from '../schemas/view-schemas.js';

/**
 * `/api/v1` reads for people looking at runs (the web UI first): who the caller is, experiment
 * counts, the keys a filter can name, downsampled metric histories and artifact previews. Replies
 * carry an ETag, so a page polling for live updates gets `304 Not Modified` while nothing changed.
 */
export function runViewRoutes(platform: Platform): CairnRouter {
  const views = platform.runViews;
  const authEnabled = platform.config.auth === 'enabled';
  return async (app) => {
    await app.register(etag, { weak: true });

    app.get('/whoami', {
      config: { policy: 'reader' },
      schema: { tags: ['auth'], summary: 'The caller\'s role (admin when auth is off), so a UI shows only what it may do', response: responses({ 200: whoamiBody }) },
    }, async (request) => ({
      authEnabled,
      role: request.caller?.role ?? 'admin',
      tokenName: request.caller?.name ?? null,
    }));

    app.get('/experiments/stats', {
      config: { policy: 'reader' },
      schema: { tags: ['experiments'], summary: 'Active run counts and latest run activity per experiment', querystring: experimentIdsQuery, response: responses({ 200: experimentStatsBody }) },
    }, async (request) => ({ stats: await views.experimentStats(request.query.experimentId) }));

    app.get('/experiments/keys', {
      config: { policy: 'reader' },
      schema: { tags: ['experiments'], summary: 'Metric, param and tag keys used by the experiments\' active runs', querystring: experimentIdsQuery, response: responses({ 200: experimentKeysBody }) },
    }, async (request) => views.experimentKeys(request.query.experimentId));

    app.get('/metrics/sampled', {
      config: { policy: 'reader' },
      schema: {
        tags: ['runs'],
        summary: 'Metric histories downsampled for charts',
        description: 'At most maxPoints points per (run, key): the range is cut into buckets of consecutive points and each keeps its lowest and highest value, '
          + 'plus the first and last point, so spikes survive. min/max restrict to a step (or, with axis=time, time) range: a zoomed chart asks for what it shows at full detail.',
        querystring: sampledHistoryQuery,
        response: responses({ 200: sampledHistoryBody }),
      },
    }, async (request) => {
      const q = request.query;
      const series = await views.sampledHistories({ runIds: q.runId, keys: q.key, maxPoints: q.maxPoints, axis: q.axis, min: q.min, max: q.max });
      return {
        series: series.map((s) => ({
          runId: s.runId,
          key: s.key,
          total: s.total,
          sampled: s.sampled,
          steps: Array.from(s.steps),
          timestamps: Array.from(s.timestamps),
          values: Array.from(s.values, encodeMetricValue),
        })),
      };
    });

    app.get('/runs/:runId/artifacts/preview', {
      config: { policy: 'reader' },
      schema: {
        tags: ['artifacts'],
        summary: 'A preview of an artifact file: text head, first table rows (CSV, TSV, Parquet), or its kind',
        description: 'Text shows its first 256 KiB, tables their first 100 rows; HTML and SVG come back as text, never to be rendered.',
        params: runIdParams,
        querystring: artifactPathQuery,
        response: responses({ 200: artifactPreviewBody }),
      },
    }, async (request) => ({ preview: await views.previewArtifact(request.params.runId, request.query.path) }));

    app.get('/runs/:runId/artifacts/archive', {
      config: { policy: 'reader' },
      schema: {
        tags: ['artifacts'],
        summary: 'Download a folder of a run\'s artifacts as a zip',
        description: 'Omit path for all of them. Refused with 413 over 10,000 files or 4 GiB.',
        produces: ['application/zip'],
        params: runIdParams,
        querystring: artifactListQuery,
        response: responses({ 200: z.custom<Readable>() }),
      },
    }, async (request, reply) => {
      const folder = request.query.path ?? '';
      const stream = await views.archiveArtifacts(request.params.runId, folder);
      const name = `${(folder.split('/').pop() || request.params.runId).replace(/[^\w.-]+/g, '_')}.zip`;
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .send(stream);
    });
  };
}
