import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CairnError, isCairnError } from '@cairn/core';
import { redactUrl } from '../request-log.js';
import { HTTP_STATUS_BY_CODE, codeForStatus } from './error-table.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  error_code: string;
  message: string;
}

const GENERIC_INTERNAL = 'The server failed to handle the request. The error is in the server log; if it persists, report it with the time it happened.';

/**
 * Turns anything thrown while handling a request into a CairnError. Client mistakes Fastify detects
 * (malformed JSON, wrong content type, oversized body) keep their 4xx meaning; anything unexpected
 * becomes INTERNAL with a generic message, so no stack or SQL reaches the client.
 */
export function toCairnError(error: unknown): CairnError {
  if (isCairnError(error)) return error;
  const e = error as Partial<FastifyError> & { name?: string; message?: string };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 503) return new CairnError('UNAVAILABLE', 'The server cannot handle the request right now; retry in a moment.', { cause: error });
  if (status >= 500) return new CairnError('INTERNAL', GENERIC_INTERNAL, { cause: error });
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CairnError('RESOURCE_EXHAUSTED', 'The request body is larger than this server accepts (server.body_limit_bytes). Send less per request, e.g. split a batch.', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CairnError('INVALID_ARGUMENT', `This route does not accept the Content-Type sent; send 'application/json'.`, { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new CairnError('INVALID_ARGUMENT', `The body is empty but Content-Type is 'application/json'; send a JSON object, or no Content-Type.`, { cause: error });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new CairnError('INVALID_ARGUMENT', `The request body is not valid JSON.`, { cause: error });
  }
  if (e.name === 'SyntaxError' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new CairnError('INVALID_ARGUMENT', `The request body is not valid JSON: ${e.message ?? ''}`.trim(), { cause: error });
  }
  return new CairnError(codeForStatus(status), e.message || 'The request was refused.', { cause: error });
}

/** Sends a CairnError as `{error_code, message}` with the status from the error table. */
export function sendError(reply: FastifyReply, error: CairnError): FastifyReply {
  if (error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="cairn"');
  const body: ErrorBody = { error_code: error.code, message: error.message };
  return reply.code(HTTP_STATUS_BY_CODE[error.code]).type('application/json; charset=utf-8').send(body);
}

/** Installs the error and not-found handlers that give every failure the `{error_code, message}` shape. */
/** Answers a request no route matched before the JSON 404 (the web UI's pages); `undefined` passes. */
export type NotFoundFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

export function installErrorHandlers(app: FastifyInstance, fallback?: NotFoundFallback): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const cairn = toCairnError(error);
    // A server-side failure (INTERNAL, or an UNAVAILABLE with a cause, such as a full disk) is logged
    // with its cause chain; a refusal while shutting down is not a failure.
    if (cairn.code === 'INTERNAL' || (HTTP_STATUS_BY_CODE[cairn.code] >= 500 && cairn.cause !== undefined)) request.log.error({ err: error }, 'request failed');
    else request.log.info({ error_code: cairn.code, reason: cairn.message }, 'request refused');
    // An unread request body (a refused upload) would otherwise be read to the end to reuse the connection.
    if (request.raw.complete === false) reply.header('connection', 'close');
    return sendError(reply, cairn);
  });
  app.setNotFoundHandler((request, reply) => {
    const served = fallback?.(request, reply);
    if (served) return served;
    const path = redactUrl(request.url.split('?')[0] ?? '');
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    return sendError(reply, new CairnError('NOT_FOUND', `No route ${request.method} ${shown}. The routes are listed in /api/v1/openapi.json.`));
  });
}
