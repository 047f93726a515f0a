import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { CairnError, type Platform } from '@cairn/core';
import { installAuthHook } from './auth/auth-hook.js';
import { requireRoutePolicies } from './auth/policy.js';
import { installErrorHandlers } from './errors/error-handler.js';
import { allowedHosts, installHostCheck } from './host-check.js';
import { mlflowRouters } from './mlflow/index.js';
import { mlflowRegistryRouters } from './mlflow-registry/index.js';
import { installOpenApi } from './openapi.js';
import { registerRouter, type RouterMount } from './router.js';
import { artifactRoutes } from './routes/artifacts.js';
import { experimentRoutes } from './routes/experiments.js';
import { featureRoutes } from './routes/features.js';
import { healthRoutes } from './routes/health.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { registryRouters } from './routes/registry.js';
import { runLoggingRoutes } from './routes/run-logging.js';
import { runRoutes } from './routes/runs.js';
import { tokenRoutes } from './routes/tokens.js';
import { zodValidatorCompiler } from './schemas/zod-schema.js';
import { createMetricsRegistry, installHttpMetrics, metricsRoutes } from './metrics/http-metrics.js';

/** Largest artifact upload accepted by default: 5 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** Longer than common load balancers' idle timeouts (60 s), so they close idle connections first. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
// Experiment names (up to 500 characters) arrive percent-encoded in one path segment.
const MAX_PARAM_LENGTH = 8192;

export interface BuildAppOptions {
  /** Fastify logger setting; defaults to pino at `info`. Tests pass `false`. */
  logger?: FastifyServerOptions['logger'];
  /** Largest single artifact upload in bytes; defaults to {@link DEFAULT_MAX_UPLOAD_BYTES}. */
  maxUploadBytes?: number;
  /** More routers to mount (e.g. the MLflow adapter); they get the same host check, auth and policy rules. */
  routers?: RouterMount[];
}

/**
 * Builds the HTTP app on an open platform, without listening: `app.inject()` in tests, `listen` in
 * `startServer`. Every route declares an access policy, enforced when `config.auth` is `enabled`.
 *
 * @example
 * ```ts
 * const app = buildApp(await openPlatform(loadConfig()), { logger: false });
 * const res = await app.inject({ method: 'GET', url: '/api/v1/experiments' });
 * ```
 */
export function buildApp(platform: Platform, options: BuildAppOptions = {}): FastifyInstance {
  const server = platform.config.server;
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    logController: new LogController({ disableRequestLogging: !server.request_log }),
    bodyLimit: server.body_limit_bytes,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Fastify's own 503 while closing has a different body; refuseWhileClosing answers in ours.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Response schemas document the API; handlers build the JSON themselves (metric values already encoded).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installJsonParser(app);
  installErrorHandlers(app);
  refuseWhileClosing(app);
  requireRoutePolicies(app);
  installHostCheck(app, allowedHosts(server.allowed_hosts, server.host));
  if (platform.config.auth === 'enabled') installAuthHook(app, platform.tokens);
  installOpenApi(app);
  const metrics = createMetricsRegistry({ service: 'cairn-server' });
  installHttpMetrics(app, metrics);
  registerRouter(app, '', metricsRoutes(metrics));

  registerRouter(app, '', healthRoutes({ heartbeatTimeoutSeconds: platform.config.tracking.heartbeat_timeout_seconds }));
  for (const router of [experimentRoutes(platform), runRoutes(platform), runLoggingRoutes(platform), tokenRoutes(platform)]) {
    registerRouter(app, '/api/v1', router);
  }
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  registerRouter(app, '/api/v1', artifactRoutes(platform, { maxUploadBytes }));
  registerRouter(app, '/api/v1', featureRoutes(platform));
  registerRouter(app, '/api/v1', pipelineRoutes(platform));
  for (const router of registryRouters(platform, { maxUploadBytes })) registerRouter(app, '/api/v1', router);
  // MLflow's REST API 2.0 and artifact proxy, so MLflow clients log to Cairn unchanged.
  for (const mount of mlflowRouters(platform, { maxUploadBytes })) registerRouter(app, mount.prefix, mount.router);
  for (const mount of mlflowRegistryRouters(platform)) registerRouter(app, mount.prefix, mount.router);
  for (const mount of options.routers ?? []) registerRouter(app, mount.prefix, mount.router);
  return app;
}

// Once close() starts, requests still arriving on kept-alive connections get 503 UNAVAILABLE (and
// Fastify's `Connection: close`), while the ones already running finish.
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new CairnError('UNAVAILABLE', 'The server is shutting down. Retry the request in a moment (or against another replica).');
  });
}

// Fastify's JSON parser (with its prototype-poisoning guard), except that an empty body is no body:
// clients often send `Content-Type: application/json` on a bodyless POST or DELETE.
function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // Only JSON bodies reach JSON routes; text/plain would otherwise arrive as a string.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parse(request, text, done);
  });
}
