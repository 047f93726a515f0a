import type { Kysely } from 'kysely';
import type { ApiTokenRow, Database } from '../../db/schema.js';
import type { ApiToken } from '../entities.js';
import type { Role } from '../roles.js';

/** SQL persistence of API tokens; only hashes of secrets ever reach the table. */
export class TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ApiTokenRow): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
  }

  async get(tokenId: string): Promise<ApiToken | null> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
    return row ? toApiToken(row) : null;
  }

  async findByHash(hash: string): Promise<ApiToken | null> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return row ? toApiToken(row) : null;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('created_time').orderBy('token_id').execute();
    return rows.map(toApiToken);
  }

  /** Sets the revocation time unless the token is already revoked (the first revocation wins). */
  async revoke(tokenId: string, now: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ revoked_time: now }).where('token_id', '=', tokenId).where('revoked_time', 'is', null).execute();
  }

  async touch(tokenId: string, now: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_time: now }).where('token_id', '=', tokenId).execute();
  }
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    tokenId: row.token_id,
    name: row.name,
    role: row.role as Role,
    createdTime: row.created_time,
    expiresTime: row.expires_time,
    revokedTime: row.revoked_time,
    lastUsedTime: row.last_used_time,
  };
}
