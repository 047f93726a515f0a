import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePolicy } from '../auth/policy.js';
import { JsonText } from '../json-text.js';
import type { CairnApp } from '../router.js';
import { bodyTextOf } from './body-text.js';
import { endpointNotFound, toMlflowError } from './errors.js';
import { RequestFields } from './request-fields.js';

/** Returns the response message, or its JSON text already written ({@link JsonText}). */
export type MlflowHandler = (fields: RequestFields, request: FastifyRequest) => Promise<object>;

/**
 * Adds one MLflow RPC: a GET reads its message from the query string, a POST from the JSON body.
 * The policy rides in the route config, where the server's auth hook reads it: reads need
 * `reader`, writes `editor`.
 */
export function addMlflowRoute(app: CairnApp, method: 'GET' | 'POST', url: string, policy: RoutePolicy, handler: MlflowHandler): void {
  app.route({
    method,
    url,
    config: { policy },
    handler: async (request, reply) => {
      const message = await handler(method === 'GET' ? RequestFields.fromQuery(request.query) : RequestFields.fromBody(request.body, bodyTextOf(request)), request);
      return message instanceof JsonText ? message.send(reply) : message;
    },
  });
}

/** Makes every error in this plugin's scope answer in MLflow's `{error_code, message}` shape. */
export function useMlflowErrorHandler(app: CairnApp): void {
  app.setErrorHandler((error, request, reply: FastifyReply) => {
    const { status, body } = toMlflowError(error);
    if (status >= 500) request.log.error({ err: error }, 'MLflow API request failed');
    else request.log.info({ error_code: body.error_code, msg: body.message }, 'MLflow API request refused');
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="cairn"');
    // A refused upload leaves its body unread; close the connection rather than drain it.
    if (request.raw.complete === false) reply.header('connection', 'close');
    return reply.status(status).send(body);
  });
}

/**
 * Makes every error in this plugin's scope, and every unknown path under its prefix, answer in
 * MLflow's `{error_code, message}` shape.
 */
export function useMlflowErrors(app: CairnApp): void {
  useMlflowErrorHandler(app);
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = endpointNotFound(request.method, request.url);
    return reply.status(status).send(body);
  });
}
