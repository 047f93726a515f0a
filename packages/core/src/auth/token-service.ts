import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import { LIMITS, checkText } from '../tracking/validation.js';
import type { ApiToken } from './entities.js';
import { ROLES, isRole, type Role } from './roles.js';
import { TokenStore } from './sql/token-store.js';

/** Every secret starts with this, so leaked tokens are easy to grep for and to recognise. */
export const TOKEN_PREFIX = 'cairn_';
const SECRET_BYTES = 32;
const DAY_MS = 86_400_000;
const MAX_EXPIRY_DAYS = 36_500;
// last_used_time is informational; writing it on every request would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;
// Ids are 8 random bytes in hex; anything else cannot exist and never reaches the database.
const TOKEN_ID = /^[0-9a-f]{16}$/;

export interface CreateTokenInput {
  name: string;
  role: Role;
  /** Whole days until the token stops working; omitted means it never expires. */
  expiresInDays?: number | null;
}

/**
 * API tokens: create, list, revoke, verify. Secrets are `cairn_` plus 32 random bytes (base64url);
 * only their SHA-256 is stored, so a database dump does not hand out access.
 *
 * @example
 * ```ts
 * const { token, secret } = await platform.tokens.create({ name: 'ci', role: 'editor', expiresInDays: 90 });
 * const caller = await platform.tokens.verify(secret); // ApiToken, or null once revoked or expired
 * ```
 */
export class TokenService {
  private readonly store: TokenStore;

  constructor(db: Kysely<Database>, private readonly now: () => number = Date.now) {
    this.store = new TokenStore(db);
  }

  async create(input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    // Kept as given, like every name Cairn stores.
    const name = checkText(input.name, 'name', LIMITS.nameLength, false);
    if (!name.trim()) throw invalid(`'name' must not be blank.`, { field: 'name' });
    if (!isRole(input.role)) throw invalid(`'role' must be one of ${ROLES.join(', ')}.`, { field: 'role' });
    const days = input.expiresInDays;
    if (days != null && (!Number.isSafeInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
      throw invalid(`'expiresInDays' must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}; omit it for a token that never expires.`, { field: 'expiresInDays' });
    }
    const now = this.now();
    const secret = TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
    const tokenId = randomBytes(8).toString('hex');
    await this.store.insert({
      token_id: tokenId,
      name,
      role: input.role,
      token_hash: hashSecret(secret),
      created_time: now,
      expires_time: days == null ? null : now + days * DAY_MS,
      revoked_time: null,
      last_used_time: null,
    });
    const token = await this.store.get(tokenId);
    return { token: token!, secret };
  }

  list(): Promise<ApiToken[]> {
    return this.store.list();
  }

  async get(tokenId: string): Promise<ApiToken> {
    const token = typeof tokenId === 'string' && TOKEN_ID.test(tokenId) ? await this.store.get(tokenId) : null;
    if (!token) throw notFound(`Token '${String(tokenId).slice(0, 80)}'`, 'List tokens with `cairn tokens list`.');
    return token;
  }

  /** Revokes a token at once; revoking it again keeps the first revocation time. */
  async revoke(tokenId: string): Promise<ApiToken> {
    await this.get(tokenId);
    await this.store.revoke(tokenId, this.now());
    return this.get(tokenId);
  }

  /** The token a secret belongs to, or null when it is unknown, revoked or expired. */
  async verify(secret: string): Promise<ApiToken | null> {
    if (typeof secret !== 'string' || !secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
    const token = await this.store.findByHash(hashSecret(secret));
    const now = this.now();
    if (!token || token.revokedTime !== null || (token.expiresTime !== null && token.expiresTime <= now)) return null;
    if (token.lastUsedTime === null || now - token.lastUsedTime >= TOUCH_INTERVAL_MS) {
      await this.store.touch(token.tokenId, now);
      token.lastUsedTime = now;
    }
    return token;
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
