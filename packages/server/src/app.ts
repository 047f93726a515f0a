import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { CairnError, type Platform } from '@cairn/core';
import { installAuthHook } from './auth/auth-hook.js';
import { requireRoutePolicies } from './auth/policy.js';
import { installErrorHandlers } from './errors/error-handler.js';
import { FRAMEWORK_ERROR_OPTIONS, MAX_PARAM_LENGTH, SECURITY_HEADERS } from './errors/framework-errors.js';
import { allowedHosts, installHostCheck } from './host-check.js';
import { mlflowRouters } from './mlflow/index.js';
import { mlflowRegistryRouters } from './mlflow-registry/index.js';
import { serverLogger } from './logger.js';
import { useJsonBodies } from './json-body.js';
import { installOpenApi } from './openapi.js';
import { withRedactedUrls } from './request-log.js';
import { registerRouter, type RouterMount } from './router.js';
import { artifactRoutes } from './routes/artifacts.js';
import { experimentRoutes } from './routes/experiments.js';
import { featureCatalogRoutes } from './routes/feature-catalog.js';
import { featureRoutes } from './routes/features.js';
import { healthRoutes } from './routes/health.js';
import { lineageRoutes } from './routes/lineage.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { registryRouters } from './routes/registry.js';
import { runLoggingRoutes } from './routes/run-logging.js';
import { runRoutes } from './routes/runs.js';
import { runViewRoutes } from './routes/run-views.js';
import { tokenRoutes } from './routes/tokens.js';
import { zodValidatorCompiler } from './schemas/zod-schema.js';
import { defaultUiDir, webUi } from './web-ui/static-ui.js';
import { createMetricsRegistry, installHttpMetrics, metricsRoutes } from './metrics/http-metrics.js';

/** Largest artifact upload accepted by default: 5 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** Longer than common load balancers' idle timeouts (60 s), so they close idle connections first. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface BuildAppOptions {
  /** Fastify logger setting; defaults to pino at `info` on stdout, as `server.log_format` says. Tests pass `false`. */
  logger?: FastifyServerOptions['logger'];
  /** Largest single artifact upload in bytes; defaults to {@link DEFAULT_MAX_UPLOAD_BYTES}. */
  maxUploadBytes?: number;
  /** More routers to mount (e.g. the MLflow adapter); they get the same host check, auth and policy rules. */
  routers?: RouterMount[];
  /** The built web UI to serve at `/` (default: `@cairn/ui`'s dist folder); null serves none. */
  uiDir?: string | null;
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
    logger: withRedactedUrls(options.logger ?? serverLogger(server.log_format)),
    logController: new LogController({ disableRequestLogging: !server.request_log }),
    bodyLimit: server.body_limit_bytes,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Fastify's own 503 while closing has a different body; refuseWhileClosing answers in ours.
    return503OnClosing: false,
    // Requests refused before routing (bad percent-encoding, malformed HTTP) answer in our shape too.
    ...FRAMEWORK_ERROR_OPTIONS,
  });
  // First of all hooks, so refusals by later ones (host check, auth) carry them too.
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Response schemas document the API; handlers build the JSON themselves (metric values already encoded).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // An empty body is no body: clients often send `Content-Type: application/json` on a bodyless POST or DELETE.
  useJsonBodies(app, { empty: undefined });
  // The web UI at `/`; pages no route matched fall back to it, while unknown API paths keep their JSON 404.
  const uiDir = options.uiDir === undefined ? defaultUiDir() : options.uiDir;
  const ui = uiDir === null ? null : webUi(uiDir);
  installErrorHandlers(app, ui?.fallback);
  refuseWhileClosing(app);
  cancelQueriesOfAbandonedRequests(app, platform);
  requireRoutePolicies(app);
  installHostCheck(app, allowedHosts(server.allowed_hosts, server.host));
  if (platform.config.auth === 'enabled') installAuthHook(app, platform.tokens);
  installOpenApi(app);
  const metrics = createMetricsRegistry({ service: 'cairn-server' });
  installHttpMetrics(app, metrics);
  registerRouter(app, '', metricsRoutes(metrics));

  registerRouter(app, '', healthRoutes({ heartbeatTimeoutSeconds: platform.config.tracking.heartbeat_timeout_seconds }));
  for (const router of [experimentRoutes(platform), runRoutes(platform), runLoggingRoutes(platform), runViewRoutes(platform), tokenRoutes(platform)]) {
    registerRouter(app, '/api/v1', router);
  }
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  registerRouter(app, '/api/v1', artifactRoutes(platform, { maxUploadBytes }));
  registerRouter(app, '/api/v1', featureRoutes(platform));
  registerRouter(app, '/api/v1', featureCatalogRoutes(platform));
  registerRouter(app, '/api/v1', lineageRoutes(platform));
  registerRouter(app, '/api/v1', pipelineRoutes(platform));
  for (const router of registryRouters(platform, { maxUploadBytes })) registerRouter(app, '/api/v1', router);
  // MLflow's REST API 2.0 and artifact proxy, so MLflow clients log to Cairn unchanged.
  for (const mount of mlflowRouters(platform, { maxUploadBytes })) registerRouter(app, mount.prefix, mount.router);
  for (const mount of mlflowRegistryRouters(platform)) registerRouter(app, mount.prefix, mount.router);
  for (const mount of options.routers ?? []) registerRouter(app, mount.prefix, mount.router);
  if (ui) registerRouter(app, '', ui.routes);
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

// A client that disconnects before its answer (a timed-out search, Ctrl-C) leaves nobody to read
// it: the database queries its request is running are cancelled instead of running to the end and
// holding pool connections. Only searches and listings (a filter, an order or a page size) can run
// long; other requests skip it, since the context that carries the signal to the database (an
// AsyncLocalStorage) slows every await on Node 20 while it is in use.
function cancelQueriesOfAbandonedRequests(app: FastifyInstance, platform: Platform): void {
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      if (!mayRunLong(request)) return handler.call(this, request, reply);
      const controller = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      return platform.database.withSignal(controller.signal, () => handler.call(this, request, reply));
    };
  });
}

const LONG_RUNNING_FIELDS = ['filter', 'orderBy', 'order_by', 'maxResults', 'max_results'];

function mayRunLong(request: FastifyRequest): boolean {
  if (request.routeOptions.url?.endsWith('/search')) return true;
  const has = (v: unknown) => typeof v === 'object' && v !== null && LONG_RUNNING_FIELDS.some((k) => Object.hasOwn(v, k));
  return has(request.query) || has(request.body);
}
