import { z } from 'zod';
import type { CairnRouter } from '../router.js';
import { VERSION } from '../version.js';

const healthBody = z.object({ status: z.literal('ok'), version: z.string() });

/** `GET /health`: public liveness probe for load balancers and `cairn server status`. */
export function healthRoutes(): CairnRouter {
  return (app) => {
    app.get('/health', {
      config: { policy: 'public' },
      schema: { tags: ['health'], summary: 'Liveness probe', response: { 200: healthBody } },
    }, async () => ({ status: 'ok' as const, version: VERSION }));
  };
}
