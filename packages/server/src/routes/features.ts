import type { Platform } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { JsonText } from '../json-text.js';
import type { CairnRouter } from '../router.js';
import { responses } from '../schemas/common.js';
import { objectKindQuery, objectListResponse, objectNameParams, onlineFeaturesBody, onlineFeaturesResponse, pushBody, pushResponse } from '../schemas/feature-schemas.js';

const tags = ['features'];

/** `/api/v1/features…`: online serving, push, and the applied registry. */
export function featureRoutes(platform: Platform): CairnRouter {
  const features = platform.features;
  return (app) => {
    app.post('/features/online', {
      config: { policy: 'reader' },
      schema: {
        tags, summary: 'Read the latest feature values of entities',
        description: 'Values carry a status: PRESENT, NOT_FOUND (never materialized or pushed) or OUTSIDE_MAX_AGE (older than the view TTL at `at`).',
        body: onlineFeaturesBody, response: responses({ 200: onlineFeaturesResponse }),
      },
    // The service writes the JSON (stored values are copied as text): 100 entities x 50 features is
    // a 170 kB answer, and parsing and re-printing its numbers was most of its cost.
    }, async (request, reply) => new JsonText(await features.getOnlineFeaturesJson(request.body)).send(reply));

    app.post('/features/push', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Push rows of a push source online (and keep them offline)', body: pushBody, response: responses({ 200: pushResponse }) },
    }, async (request) => features.push(request.body.source, request.body.rows, { to: request.body.to }));

    app.get('/features/objects', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'List applied definitions', querystring: objectKindQuery, response: responses({ 200: objectListResponse }) },
    }, async (request) => ({ objects: await features.list(request.query.kind) }));

    app.get('/features/objects/:name', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Applied definitions with this name (any kind)', params: objectNameParams, response: responses({ 200: objectListResponse }) },
    }, async (request) => {
      const objects = await features.registry.find(request.params.name);
      if (!objects.length) {
        throw new CairnError('NOT_FOUND', `No applied definition is named '${request.params.name}'. List them with GET /api/v1/features/objects.`);
      }
      return { objects };
    });
  };
}
