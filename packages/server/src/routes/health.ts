import { z } from 'zod';
import type { CairnRouter } from '../router.js';
import { VERSION } from '../version.js';

const healthBody = z.object({
  status: z.literal('ok'),
  version: z.string(),
  heartbeatTimeoutSeconds: z.number().int().positive().describe('tracking.heartbeat_timeout_seconds: SDKs send heartbeats well within it.'),
});

export interface HealthOptions {
  /** The server's `tracking.heartbeat_timeout_seconds`, which remote SDKs pace their heartbeats by. */
  heartbeatTimeoutSeconds: number;
}

/**
 * `GET /health`: public liveness probe for load balancers and `cairn server status`. It also tells
 * SDKs the heartbeat timeout, so a remote run beats often enough (a third of it) not to be reaped.
 */
export function healthRoutes(options: HealthOptions): CairnRouter {
  return (app) => {
    app.get('/health', {
      config: { policy: 'public' },
      schema: { tags: ['health'], summary: 'Liveness probe; also the heartbeat timeout SDKs pace their heartbeats by', response: { 200: healthBody } },
    }, async () => ({ status: 'ok' as const, version: VERSION, heartbeatTimeoutSeconds: options.heartbeatTimeoutSeconds }));
  };
}
