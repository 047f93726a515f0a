import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from './schemas/zod-schema.js';

/** A Fastify instance whose route schemas are zod schemas (parsed values are typed in handlers). */
export type CairnApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/**
 * A group of routes. Every route it registers must carry `config: { policy }`, or the app fails to
 * start. It runs in its own Fastify scope, so content-type parsers, error handlers or a different
 * validator compiler it sets stay inside it.
 */
export type CairnRouter = (app: CairnApp) => void | Promise<void>;

/** A router and the URL prefix it is mounted under. */
export interface RouterMount {
  prefix: string;
  router: CairnRouter;
}

/**
 * Mounts a router under a prefix. The root's host check, auth hook and policy check apply to it.
 *
 * @example
 * ```ts
 * registerRouter(app, '/api/2.0/mlflow', (scope) => {
 *   scope.get('/experiments/get', { config: { policy: 'reader' } }, async (request) => ({}));
 * });
 * ```
 */
export function registerRouter(app: FastifyInstance, prefix: string, router: CairnRouter): void {
  app.register(async (scope) => {
    await router(scope.withTypeProvider<ZodTypeProvider>());
  }, { prefix });
}
