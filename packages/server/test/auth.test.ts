import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@cairn/core';
import { makeTestPlatform } from '@cairn/core/testing';
import { buildApp } from '../src/app.js';
import { listRoutes, isRoutePolicy, type RouteEntry } from '../src/auth/policy.js';
import { call, describeEachBackend } from './helpers.js';
import { AGREED_ROUTES, sampleRequest, type Ids } from './route-samples.js';

const LOWER: Record<Role, Role[]> = { reader: [], editor: ['reader'], admin: ['reader', 'editor'] };
// Unknown ids: the walk checks who may call a route, so nothing real should be changed by it.
const IDS: Ids = { experimentId: '987654', runId: 'ffffffffffffffffffffffffffffffff', tokenId: '0000000000000000', name: 'nobody' };

describeEachBackend('auth (enabled)', (ctx) => {
  const secrets = {} as Record<Role, string>;
  const routes = () => listRoutes(ctx().app);
  const send = (route: RouteEntry, headers: Record<string, string> = {}) => {
    const req = sampleRequest(route, IDS);
    return call(ctx().app, req.method, req.url, req.body, { ...req.headers, ...headers });
  };
  const bearer = (role: Role) => ({ authorization: `Bearer ${secrets[role]}` });

  beforeAll(async () => {
    for (const role of ['reader', 'editor', 'admin'] as const) secrets[role] = (await ctx().platform.tokens.create({ name: role, role })).secret;
  });

  it('has a policy on every route, and serves every route of the agreed table', () => {
    const table = routes();
    for (const r of table) expect(isRoutePolicy(r.policy), `${r.method} ${r.url}`).toBe(true);
    const served = new Set(table.map((r) => `${r.method} ${r.url}`));
    for (const route of AGREED_ROUTES) expect(served.has(route), route).toBe(true);
    expect(table.filter((r) => r.policy === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /', 'GET /health', 'HEAD /', 'HEAD /health']);
  });

  it('answers 401 with WWW-Authenticate to anonymous callers on every non-public route', async () => {
    for (const route of routes()) {
      const res = await send(route);
      if (route.policy === 'public') {
        expect(res.status, `${route.method} ${route.url}`).toBe(200);
        continue;
      }
      expect(res.status, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      if (route.method !== 'HEAD') expect(res.body.error_code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 to a token with a lower role and lets the required role through', async () => {
    for (const route of routes()) {
      if (route.policy === 'public') continue;
      for (const lower of LOWER[route.policy]) {
        const res = await send(route, bearer(lower));
        expect(res.status, `${lower} → ${route.method} ${route.url}`).toBe(403);
        if (route.method !== 'HEAD') expect(res.body.error_code).toBe('PERMISSION_DENIED');
      }
      const res = await send(route, bearer(route.policy));
      expect([401, 403], `${route.policy} → ${route.method} ${route.url}: ${res.raw}`).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('accepts the token as HTTP Basic password (or user), and any scheme casing', async () => {
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    const url = '/api/v1/experiments';
    expect((await call(ctx().app, 'GET', url, undefined, basic(`anyone:${secrets.reader}`))).status).toBe(200);
    expect((await call(ctx().app, 'GET', url, undefined, basic(`${secrets.reader}:`))).status).toBe(200);
    expect((await call(ctx().app, 'GET', url, undefined, { authorization: `bearer  ${secrets.reader}` })).status).toBe(200);
    for (const authorization of ['Bearer', 'Bearer nope', `Token ${secrets.admin}`, 'Basic !!!', basic('user:wrong').authorization, `Bearer ${secrets.admin}x`]) {
      const res = await call(ctx().app, 'GET', url, undefined, { authorization });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('refuses an Authorization header with anything after the credential', async () => {
    const basic = Buffer.from(`user:${secrets.admin}`).toString('base64');
    for (const authorization of [`Bearer ${secrets.admin} junk`, `Bearer ${secrets.admin} ${secrets.admin}`, `Bearer\t${secrets.admin}\tx`, `Basic ${basic} junk`]) {
      for (const url of ['/api/v1/experiments', '/api/2.0/mlflow/experiments/search?max_results=1']) {
        const res = await call(ctx().app, 'GET', url, undefined, { authorization });
        expect(res.status, `${authorization} ${url}`).toBe(401);
        expect(res.body.message).toMatch(/^The Authorization header holds more than a scheme and one credential/);
      }
    }
    expect((await call(ctx().app, 'GET', '/api/v1/experiments', undefined, { authorization: `  Bearer ${secrets.reader}  ` })).status).toBe(200);
  });

  it('refuses revoked and expired tokens with 401', async () => {
    const revoked = await ctx().platform.tokens.create({ name: 'revoked', role: 'admin' });
    await ctx().platform.tokens.revoke(revoked.token.tokenId);
    const expired = await ctx().platform.tokens.create({ name: 'expired', role: 'admin', expiresInDays: 1 });
    await ctx().platform.database.db.updateTable('api_tokens').set({ expires_time: Date.now() - 1 }).where('token_id', '=', expired.token.tokenId).execute();
    for (const secret of [revoked.secret, expired.secret]) {
      const res = await call(ctx().app, 'GET', '/api/v1/experiments', undefined, { authorization: `Bearer ${secret}` });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/invalid, expired or revoked/);
    }
  });

  it('lets an admin manage tokens over HTTP, and a new token works at once', async () => {
    const created = await call(ctx().app, 'POST', '/api/v1/tokens', { name: 'new', role: 'editor' }, bearer('admin'));
    expect(created.status).toBe(201);
    const made = await call(ctx().app, 'POST', '/api/v1/experiments', { name: 'by-new-token' }, { authorization: `Bearer ${created.body.secret}` });
    expect(made.status).toBe(201);
    await call(ctx().app, 'DELETE', `/api/v1/tokens/${created.body.token.tokenId}`, undefined, bearer('admin'));
    expect((await call(ctx().app, 'GET', '/api/v1/experiments', undefined, { authorization: `Bearer ${created.body.secret}` })).status).toBe(401);
  });

  it('refuses a foreign Host header with 403 before auth, even on public routes', async () => {
    for (const url of ['/health', '/api/v1/experiments', '/no-such-route']) {
      const res = await call(ctx().app, 'GET', url, undefined, { host: 'evil.example', ...bearer('admin') });
      expect(res.status, url).toBe(403);
      expect(res.body.error_code).toBe('PERMISSION_DENIED');
      expect(res.body.message).toContain('server.allowed_hosts');
    }
    expect((await call(ctx().app, 'GET', '/health', undefined, { host: '127.0.0.1:5050' })).status).toBe(200);
    expect((await call(ctx().app, 'GET', '/health', undefined, { host: '[::1]:8080' })).status).toBe(200);
  });

  it('answers unknown routes with 404 JSON, not 401', async () => {
    const res = await call(ctx().app, 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('NOT_FOUND');
  });
}, { config: { auth: 'enabled' } });

describe('route policies', () => {
  it('fails startup when a route declares no policy', async () => {
    const t = await makeTestPlatform('sqlite');
    try {
      const app = buildApp(t.platform, {
        logger: false,
        routers: [{ prefix: '/extra', router: (scope) => void scope.get('/open', async () => ({})) }],
      });
      await expect(app.ready()).rejects.toThrow(/GET \/extra\/open declares no access policy/);
      await app.close().catch(() => undefined);
    } finally {
      await t.cleanup();
    }
  });

  it('enforces the policies of routers mounted by others', async () => {
    const t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    try {
      const app = buildApp(t.platform, {
        logger: false,
        routers: [{ prefix: '/extra', router: (scope) => void scope.get('/admin-only', { config: { policy: 'admin' } }, async () => ({ ok: true })) }],
      });
      await app.ready();
      expect(listRoutes(app)).toContainEqual({ method: 'GET', url: '/extra/admin-only', policy: 'admin' });
      const { secret } = await t.platform.tokens.create({ name: 'ed', role: 'editor' });
      expect((await call(app, 'GET', '/extra/admin-only')).status).toBe(401);
      expect((await call(app, 'GET', '/extra/admin-only', undefined, { authorization: `Bearer ${secret}` })).status).toBe(403);
      await app.close();
    } finally {
      await t.cleanup();
    }
  });
});
