import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CairnRouter } from '../router.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived (performance.now()), for the latency histogram and the inference log. */
    arrivedAt: number;
  }
}

/** Latency buckets in seconds: fine below 10 ms, where a model server lives, coarse above. */
const BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A metrics registry with the process's default metrics (CPU, memory, event loop lag, GC). */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Counts requests by route and status and times them (`cairn_http_requests_total`,
 * `cairn_http_request_duration_seconds`). Routes are labelled by their pattern
 * (`/api/v1/runs/:runId`), never the raw URL, so labels stay few.
 */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({ name: 'cairn_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'cairn_http_request_duration_seconds', help: 'Time from request to response, by method and route pattern.', labelNames: ['method', 'route'], buckets: BUCKETS, registers: [registry] });
  app.decorateRequest('arrivedAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.arrivedAt = performance.now();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, (performance.now() - request.arrivedAt) / 1000);
    done();
  });
}

/** `GET /metrics` in Prometheus's text format (readers, when auth is on). */
export function metricsRoutes(registry: Registry, collect: () => Promise<string> = () => registry.metrics()): CairnRouter {
  return (app) => {
    app.get('/metrics', {
      config: { policy: 'reader' },
      schema: { tags: ['health'], summary: 'Prometheus metrics: requests by route and status, latency histograms, process metrics' },
    }, async (_request, reply) => reply.type(registry.contentType).send(await collect()));
  };
}
