import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import { createTokenBody, createdTokenBody, tokenIdParams, tokenListBody } from '../schemas/token-schemas.js';

const tags = ['tokens'];

/** `/api/v1/tokens…`: API token management, for admins only. */
export function tokenRoutes(platform: Platform): CairnRouter {
  const tokens = platform.tokens;
  return (app) => {
    app.post('/tokens', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Create an API token', body: createTokenBody, response: responses({ 201: createdTokenBody }) },
    }, async (request, reply) => reply.code(201).send(await tokens.create(request.body)));

    app.get('/tokens', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'List API tokens (never their secrets)', response: responses({ 200: tokenListBody }) },
    }, async () => ({ tokens: await tokens.list() }));

    app.delete('/tokens/:tokenId', {
      config: { policy: 'admin' },
      schema: { tags, summary: 'Revoke an API token at once', params: tokenIdParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await tokens.revoke(request.params.tokenId);
      return {};
    });
  };
}
