import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { responses } from '../schemas/common.js';
import { lineageGraphBody, lineageQuery } from '../schemas/lineage-schemas.js';

/** `/api/v1/lineage`: one lineage graph around any object of the registry, tracking, features or pipelines. */
export function lineageRoutes(platform: Platform): CairnRouter {
  return (app) => {
    app.get('/lineage', {
      config: { policy: 'reader' },
      schema: {
        tags: ['lineage'],
        summary: 'The lineage graph around an object: its inputs upstream, what was made from it downstream',
        description: 'Edges point downstream (from what was used to what was made of it). Upstream is followed from inputs only and downstream from outputs only, '
          + 'so an alias reaches the source files its training set read without drawing every other use of them.',
        querystring: lineageQuery,
        response: responses({ 200: lineageGraphBody }),
      },
    }, async (request) => {
      const { kind, key, ...q } = request.query;
      return { graph: await platform.lineage.around(kind, key, q) };
    });
  };
}
