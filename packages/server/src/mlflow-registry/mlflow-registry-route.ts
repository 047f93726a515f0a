import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePolicy } from '../auth/policy.js';
import { toMlflowError } from '../mlflow/errors.js';
import { RequestFields } from '../mlflow/request-fields.js';
import type { CairnApp } from '../router.js';
import { bodyTextOf } from '../mlflow/body-text.js';

export type RegistryHandler = (fields: RequestFields, request: FastifyRequest) => Promise<object>;
export type RegistryMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Adds one MLflow registry RPC. A GET reads its message from the query string; POST and PATCH from
 * the JSON body; DELETE from the body, or from the query string when there is no body (MLflow's
 * Python client sends a body, browsers and curl often send a query).
 */
export function addRegistryRoute(app: CairnApp, method: RegistryMethod, url: string, policy: RoutePolicy, handler: RegistryHandler): void {
  app.route({
    method,
    url,
    config: { policy },
    handler: async (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromQuery = method === 'GET' || (method === 'DELETE' && (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)));
      return handler(fromQuery ? RequestFields.fromQuery(request.query) : RequestFields.fromBody(body, bodyTextOf(request)), request);
    },
  });
}

/**
 * Errors in MLflow's `{error_code, message}` shape. The not-found handler of these prefixes belongs
 * to the tracking adapter mounted beside this one, so it is left alone here.
 */
export function useRegistryErrors(app: CairnApp): void {
  app.setErrorHandler((error, request, reply: FastifyReply) => {
    const { status, body } = toMlflowError(error);
    if (status >= 500) request.log.error({ err: error }, 'MLflow registry request failed');
    else request.log.info({ error_code: body.error_code, msg: body.message }, 'MLflow registry request refused');
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="cairn"');
    return reply.status(status).send(body);
  });
}
