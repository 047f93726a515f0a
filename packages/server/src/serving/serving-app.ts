import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ModelServer, Platform } from '@cairn/core';
import type { Registry } from 'prom-client';
import { installAuthHook } from '../auth/auth-hook.js';
import { requireRoutePolicies } from '../auth/policy.js';
import { installErrorHandlers } from '../errors/error-handler.js';
import { allowedHosts, installHostCheck } from '../host-check.js';
import { createMetricsRegistry, installHttpMetrics, metricsRoutes } from '../metrics/http-metrics.js';
import { registerRouter } from '../router.js';
import { KEEP_ALIVE_TIMEOUT_MS } from '../app.js';
import { useJsonBodies } from '../json-body.js';
import { installServingMetrics } from './serving-metrics.js';
import { scoringContentType, servingRoutes } from './serving-routes.js';

export interface BuildServingAppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Where /metrics reads from; a fresh registry by default. */
  metrics?: Registry;
  /** Overrides how /metrics collects (cluster workers ask the primary for every worker's). */
  collectMetrics?: () => Promise<string>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The model server's HTTP app, built without listening (`app.inject()` in tests): MLflow's scoring
 * protocol, feedback, health and Prometheus metrics. A request id (the caller's `X-Request-Id`
 * when well formed, else a new UUID) names the request in every log line and in the answer's
 * `X-Request-Id`, and keys the inference log. Same error shape, host check and auth as `cairn server`.
 *
 * @example
 * ```ts
 * const app = buildServingApp(platform, await ModelServer.open(platform, options), { logger: false });
 * await app.inject({ method: 'POST', url: '/invocations', payload: { dataframe_records: [{ age: 41 }] } });
 * ```
 */
export function buildServingApp(platform: Platform, server: ModelServer, options: BuildServingAppOptions = {}): FastifyInstance {
  const config = platform.config;
  const serving = config.serving;
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    logController: new LogController({ disableRequestLogging: !serving.request_log, requestIdLogLabel: 'requestId' }),
    bodyLimit: serving.body_limit_bytes,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installBodyParsers(app);
  installErrorHandlers(app);
  requireRoutePolicies(app);
  installHostCheck(app, allowedHosts(config.server.allowed_hosts, serving.host));
  if (config.auth === 'enabled') installAuthHook(app, platform.tokens);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const metrics = options.metrics ?? createMetricsRegistry({ service: 'cairn-serving' });
  installHttpMetrics(app, metrics);
  installServingMetrics(metrics, server, platform.monitoring);
  registerRouter(app, '', metricsRoutes(metrics, options.collectMetrics));
  registerRouter(app, '', servingRoutes(server, platform.monitoring, { maxRows: serving.max_rows }));
  return app;
}

// JSON as the API server reads it (nesting checked first, prototype-poisoning keys refused with a
// message naming them) and CSV as text.
function installBodyParsers(app: FastifyInstance): void {
  useJsonBodies(app, { empty: undefined });
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // Any other type is refused before its body is read, with the scoring protocol's 415.
  app.addContentTypeParser('*', (request, _payload, done) => {
    try {
      scoringContentType(request.headers['content-type']);
      done(null, undefined);
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
