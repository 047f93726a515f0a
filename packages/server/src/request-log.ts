import { TOKEN_PREFIX } from '@cairn/core';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

// Cairn takes tokens only in the Authorization header, but clients put them in URLs anyway
// (`?access_token=…`, a token pasted into a path). Such requests are refused, and their URL must not
// carry the secret into the request log either.

// Query parameters whose value is a credential by its name, whatever it looks like.
const CREDENTIAL_PARAM = /^(access[_-]?token|token|id[_-]?token|auth|authorization|bearer|api[_-]?key|apikey|secret|client[_-]?secret|password|passwd|pwd|credentials?|mlflow[_-]tracking[_-]token)$/i;
// A Cairn secret anywhere in a URL: the prefix and its base64url body.
const SECRET = new RegExp(`${TOKEN_PREFIX}[A-Za-z0-9_-]{16,}`, 'g');
export const REDACTED = '[redacted]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A URL fit for a log: Cairn secrets anywhere in it, and the values of query parameters named like
 * credentials (`access_token`, `api_key`, `password`, …), replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redactUrl('/api/v1/runs?access_token=abc&maxResults=5'); // '/api/v1/runs?access_token=[redacted]&maxResults=5'
 * ```
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at)).replace(SECRET, `${TOKEN_PREFIX}${REDACTED}`);
  if (at < 0) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (eq >= 0 && CREDENTIAL_PARAM.test(decodedName(name))) return `${name}=${REDACTED}`;
      return pair.replace(SECRET, `${TOKEN_PREFIX}${REDACTED}`);
    })
    .join('&');
  return `${path}?${query}`;
}

/** Fastify's request serializer, with the URL redacted. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Logger options that log request URLs redacted; `false` stays off. */
export function withRedactedUrls(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const base = typeof logger === 'object' && logger !== null ? logger : {};
  return { ...base, serializers: { ...base.serializers, req: serializeRequest } } as FastifyServerOptions['logger'];
}
