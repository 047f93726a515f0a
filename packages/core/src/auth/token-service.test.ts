import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { hasRole } from './roles.js';
import { TOKEN_PREFIX, TokenService } from './token-service.js';

describe('hasRole', () => {
  it('orders reader < editor < admin', () => {
    expect(hasRole('reader', 'reader')).toBe(true);
    expect(hasRole('reader', 'editor')).toBe(false);
    expect(hasRole('editor', 'reader')).toBe(true);
    expect(hasRole('editor', 'admin')).toBe(false);
    expect(hasRole('admin', 'editor')).toBe(true);
  });
});

for (const backend of BACKENDS) {
  const available = await backendAvailable(backend);
  describe.skipIf(!available)(`TokenService on ${backend}${available ? '' : ' (skipped: no PostgreSQL server reachable)'}`, () => {
    let t: TestPlatform;
    let clock = 1_700_000_000_000;
    let tokens: TokenService;
    beforeAll(async () => {
      t = await makeTestPlatform(backend);
      tokens = new TokenService(t.platform.database.db, () => clock);
    });
    afterAll(() => t?.cleanup());
    // Each case starts a second later, so creation order is also time order.
    beforeEach(() => {
      clock += 1000;
    });

    it('creates a token whose secret verifies and is stored only as a hash', async () => {
      const { token, secret } = await tokens.create({ name: 'ci', role: 'editor' });
      expect(secret.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(secret.slice(TOKEN_PREFIX.length), 'base64url')).toHaveLength(32);
      expect(token).toMatchObject({ name: 'ci', role: 'editor', createdTime: clock, expiresTime: null, revokedTime: null });
      expect(token).not.toHaveProperty('tokenHash');
      const rows = await t.platform.database.db.selectFrom('api_tokens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(secret.slice(TOKEN_PREFIX.length));
      expect((await tokens.verify(secret))?.tokenId).toBe(token.tokenId);
    });

    it('returns null for unknown, malformed and non-string secrets', async () => {
      expect(await tokens.verify(`${TOKEN_PREFIX}nope`)).toBeNull();
      expect(await tokens.verify('')).toBeNull();
      expect(await tokens.verify(undefined as unknown as string)).toBeNull();
    });

    it('updates last use at most once a minute', async () => {
      const { token, secret } = await tokens.create({ name: 'touch', role: 'reader' });
      const start = clock;
      expect((await tokens.verify(secret))?.lastUsedTime).toBe(start);
      clock += 30_000;
      expect((await tokens.verify(secret))?.lastUsedTime).toBe(start);
      clock += 31_000;
      expect((await tokens.verify(secret))?.lastUsedTime).toBe(clock);
      expect((await tokens.get(token.tokenId)).lastUsedTime).toBe(clock);
    });

    it('stops verifying revoked tokens and keeps the first revocation time', async () => {
      const { token, secret } = await tokens.create({ name: 'revoked', role: 'admin' });
      const revokedAt = clock;
      expect((await tokens.revoke(token.tokenId)).revokedTime).toBe(revokedAt);
      clock += 1000;
      expect((await tokens.revoke(token.tokenId)).revokedTime).toBe(revokedAt);
      expect(await tokens.verify(secret)).toBeNull();
    });

    it('stops verifying expired tokens', async () => {
      const { token, secret } = await tokens.create({ name: 'short', role: 'reader', expiresInDays: 1 });
      expect(token.expiresTime).toBe(clock + 86_400_000);
      clock += 86_399_000;
      expect(await tokens.verify(secret)).not.toBeNull();
      clock += 1000;
      expect(await tokens.verify(secret)).toBeNull();
    });

    it('lists tokens in creation order', async () => {
      const names = (await tokens.list()).map((x) => x.name);
      expect(names).toEqual(['ci', 'touch', 'revoked', 'short']);
    });

    it('refuses bad input with INVALID_ARGUMENT and unknown ids with NOT_FOUND', async () => {
      const bad = [
        { name: '', role: 'reader' },
        { name: '  ', role: 'reader' },
        { name: 'x', role: 'owner' },
        { name: 'x', role: 'reader', expiresInDays: 0 },
        { name: 'x', role: 'reader', expiresInDays: 1.5 },
        { name: 'x', role: 'reader', expiresInDays: 1e9 },
      ];
      for (const input of bad) {
        const err = await tokens.create(input as never).catch((e: unknown) => e);
        expect(isCairnError(err, 'INVALID_ARGUMENT'), JSON.stringify(input)).toBe(true);
      }
      expect(isCairnError(await tokens.revoke('missing').catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
    });
  });
}
