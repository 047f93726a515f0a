import { sql } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { RegistryTrx } from './rows.js';

/** The PostgreSQL notification channel on which registry writes announce the models they changed. */
export const REGISTRY_CHANNEL = 'cairn_registry';

/**
 * Inside a write transaction: tells every listening process which models it changed. PostgreSQL
 * delivers `pg_notify` at commit (nothing if the transaction rolls back); SQLite has no
 * notifications, and no process caches resolves over it.
 */
export async function announceChanges(trx: RegistryTrx, dialect: Dialect, names: Iterable<string>): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const name of names) await sql`select pg_notify(${REGISTRY_CHANNEL}, ${name})`.execute(trx);
}
