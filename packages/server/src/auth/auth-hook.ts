import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CairnError, hasRole, type ApiToken, type TokenService } from '@cairn/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token behind the request; null when auth is disabled or the route is public. */
    caller: ApiToken | null;
  }
}

const HOW_TO = 'Send `Authorization: Bearer <token>`; an admin creates tokens with `cairn tokens create`.';

/**
 * Enforces each route's policy when auth is enabled. Accepts `Authorization: Bearer <secret>` (what
 * MLflow clients send for MLFLOW_TRACKING_TOKEN) and HTTP Basic with the secret as password (what
 * they send for MLFLOW_TRACKING_USERNAME/PASSWORD).
 */
export function installAuthHook(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    // The not-found handler is not a route; it answers 404 without revealing anything else.
    if (request.is404) return;
    const policy = request.routeOptions.config.policy;
    if (policy === 'public') return;
    const secret = credentialOf(request);
    if (secret === null) throw new CairnError('UNAUTHENTICATED', `This server requires an API token. ${HOW_TO}`);
    const token = await tokens.verify(secret);
    if (!token) throw new CairnError('UNAUTHENTICATED', `The API token is invalid, expired or revoked. ${HOW_TO}`);
    request.caller = token;
    // A route without a valid policy cannot be registered, so `policy` is a role here.
    if (!policy || !hasRole(token.role, policy)) {
      throw new CairnError('PERMISSION_DENIED', `Token '${token.name}' has the role '${token.role}'; this request needs '${policy ?? 'admin'}'. Ask an admin for a token with that role.`);
    }
  });
}

// `<scheme> <credential>`: anything after the credential (`Bearer <secret> junk`) makes the header malformed.
function credentialOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const parts = header.trim().split(/[ \t]+/);
  if (parts.length > 2) {
    throw new CairnError('UNAUTHENTICATED', `The Authorization header holds more than a scheme and one credential. ${HOW_TO}`);
  }
  const [scheme, value = ''] = parts;
  if (/^bearer$/i.test(scheme ?? '')) return value || null;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return password || user || null;
  }
  return null;
}
