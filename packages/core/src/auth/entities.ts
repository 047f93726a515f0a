import type { Role } from './roles.js';

/** An API token as callers see it. The secret is shown once at creation and never stored. */
export interface ApiToken {
  tokenId: string;
  name: string;
  role: Role;
  /** Epoch milliseconds. */
  createdTime: number;
  /** Null when the token never expires. */
  expiresTime: number | null;
  revokedTime: number | null;
  /** Updated at most once a minute, so it is approximate. */
  lastUsedTime: number | null;
}
