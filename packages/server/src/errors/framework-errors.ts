import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { isMlflowPath } from '../mlflow/index.js';
import { toMlflowError } from '../mlflow/errors.js';
import { redactUrl } from '../request-log.js';
import { codeForStatus } from './error-table.js';
import { sendError, toCairnError } from './error-handler.js';

// Fastify answers some requests before any route, hook or error handler sees them: a URL whose
// percent-encoding does not decode, a path parameter over the length limit, and requests Node's HTTP
// parser refuses. These handlers give them the body every other error has, in the vocabulary of
// the route family the URL belongs to (MLflow's error codes under the MLflow prefixes).

// Experiment names (up to 500 characters) arrive percent-encoded in one path segment.
export const MAX_PARAM_LENGTH = 8192;

/** Headers every response carries, errors written straight to the socket included. */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** The error body in the family of `url`: MLflow's codes under the MLflow prefixes, Cairn's elsewhere. */
function errorReply(url: string, error: unknown): { status: number; body: { error_code: string; message: string } } | null {
  if (!isMlflowPath(url)) return null;
  return toMlflowError(error);
}

const shownPath = (url: string) => {
  const path = redactUrl(url.split('?')[0] ?? '');
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
};

/** Fastify's `frameworkErrors`: malformed percent-encoding, over-long path parameters. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let message = error.message;
  if (error.code === 'FST_ERR_BAD_URL') {
    message = `The URL path ${shownPath(request.url)} holds malformed percent-encoding. Write each byte outside A-Z, a-z, 0-9 and -._~ as %XX, from valid UTF-8.`;
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    message = `A segment of the URL path ${shownPath(request.url)} is longer than the server accepts (${MAX_PARAM_LENGTH} characters).`;
  }
  const refused = Object.assign(new Error(message, { cause: error }), { statusCode: error.statusCode === 500 ? 500 : 400 });
  request.log.info({ code: error.code, reason: message }, 'request refused before routing');
  reply.headers(SECURITY_HEADERS);
  const mlflow = errorReply(request.url, refused);
  if (mlflow) {
    void reply.code(mlflow.status).type('application/json; charset=utf-8').send(mlflow.body);
    return;
  }
  void sendError(reply, toCairnError(refused));
}

/** The request line's path of a raw HTTP request, when it can be read. */
function pathOf(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '';
  const line = raw.subarray(0, Math.min(raw.length, 2048)).toString('latin1').split('\r\n', 1)[0] ?? '';
  return line.split(' ')[1] ?? '';
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (malformed, headers too large,
 * too slow) gets the status Node chose and an `{error_code, message}` body, then the socket closes.
 */
export function clientErrorHandler(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = 'The request is not valid HTTP/1.1. Check the client or proxy that sent it.';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'The request did not arrive in time. Retry it.';
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'The request headers are larger than the server accepts (16 KiB in all). Send fewer or shorter headers.';
  }
  const failure = Object.assign(new Error(message), { statusCode: status });
  const body = JSON.stringify(errorReply(pathOf(error.rawPacket), failure)?.body ?? { error_code: codeForStatus(status), message });
  if (socket.writable) {
    const headers = Object.entries({ 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, connection: 'close' });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/** The Fastify server options that install both handlers. */
export const FRAMEWORK_ERROR_OPTIONS: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = { frameworkErrors, clientErrorHandler };
