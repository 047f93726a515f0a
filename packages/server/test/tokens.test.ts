import { expect, it } from 'vitest';
import { call, describeEachBackend } from './helpers.js';

// With auth disabled the token routes still work, so an operator can create the first admin token.
describeEachBackend('token routes', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);

  it('creates (201, secret shown once), lists without secrets, and revokes', async () => {
    const created = await api('POST', '/api/v1/tokens', { name: 'ci', role: 'editor', expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    expect(created.body.token).toMatchObject({ name: 'ci', role: 'editor', revokedTime: null, expiresTime: expect.any(Number) });
    const listed = await api('GET', '/api/v1/tokens');
    expect(listed.body.tokens).toEqual([created.body.token]);
    expect(listed.raw).not.toContain(created.body.secret.slice(6));
    expect(listed.raw).not.toMatch(/hash/i);
    const id = created.body.token.tokenId;
    expect((await api('DELETE', `/api/v1/tokens/${id}`)).body).toEqual({});
    expect((await api('GET', '/api/v1/tokens')).body.tokens[0].revokedTime).toEqual(expect.any(Number));
    expect(await ctx().platform.tokens.verify(created.body.secret)).toBeNull();
  });

  it('refuses bad input (400) and unknown ids (404)', async () => {
    for (const body of [{ name: 'x', role: 'owner' }, { name: 'x' }, { name: '', role: 'reader' }, { name: 'x', role: 'reader', expiresInDays: 0 }, { name: 'x', role: 'reader', expiresInDays: 'soon' }]) {
      const res = await api('POST', '/api/v1/tokens', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_code).toBe('INVALID_ARGUMENT');
    }
    const missing = await api('DELETE', '/api/v1/tokens/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('NOT_FOUND');
  });
});
