import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import type { RoutePolicy } from './auth/policy.js';
import { toOpenApiSchema } from './schemas/zod-schema.js';
import { VERSION } from './version.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/** Only the native API is documented here; adapters (MLflow) follow their own specifications. */
const DOCUMENTED = (url: string) => url.startsWith('/api/v1/') || url === '/health';

/**
 * Registers the OpenAPI 3 generator (it collects routes as they are added, so call this before
 * registering routes) and serves the document at {@link OPENAPI_PATH}.
 */
export function installOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Cairn HTTP API',
        version: VERSION,
        description: 'Experiment tracking, runs and artifacts. Errors are `{error_code, message}`; see docs/http-api.md.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Cairn API token (cairn_…). Required when the server runs with auth enabled.' } } },
    },
    transform: ({ schema, url, route }) => ({ schema: toDocumented(schema, url, route), url }),
  });
  // Like every route but /health, the description of the API needs a token when auth is on.
  app.get(OPENAPI_PATH, { config: { policy: 'reader' }, schema: { hide: true } }, async () => app.swagger());
}

function toDocumented(schema: FastifySchema | undefined, url: string, route: RouteOptions): FastifySchema {
  const s = (schema ?? {}) as FastifySchema & { hide?: boolean; description?: string; consumes?: readonly string[]; produces?: readonly string[] };
  if (!DOCUMENTED(url) || url === OPENAPI_PATH) return { ...s, hide: true } as FastifySchema;
  const policy = route.config?.policy as RoutePolicy | undefined;
  const response: Record<string, unknown> = {};
  for (const [status, r] of Object.entries((s.response ?? {}) as Record<string, unknown>)) response[status] = toOpenApiSchema(r, 'output');
  const documented: Record<string, unknown> = {
    ...s,
    params: toOpenApiSchema(s.params, 'input'),
    querystring: toOpenApiSchema(s.querystring, 'input'),
    body: toOpenApiSchema(s.body, 'input'),
    headers: toOpenApiSchema(s.headers, 'input'),
    response,
  };
  // Raw-byte routes have no body schema (the stream is not validated), so describe the bytes here.
  if (s.consumes?.includes('application/octet-stream') && !s.body) documented.body = { type: 'string', format: 'binary' };
  if (s.produces?.includes('application/octet-stream')) {
    response[200] = { description: 'The file\'s bytes, with Content-Length.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  }
  if (policy && policy !== 'public') {
    documented.security = [{ bearerAuth: [] }];
    documented.description = [s.description, `Needs a token with role '${policy}' or higher when auth is enabled.`].filter(Boolean).join('\n\n');
  }
  for (const key of Object.keys(documented)) if (documented[key] === undefined) delete documented[key];
  return documented as FastifySchema;
}
