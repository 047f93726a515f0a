import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AuditEvent } from '../entities.js';
import { toEvent } from './row-mappers.js';
import type { RegistryDb, RegistryTrx } from './rows.js';

export interface NewEvent {
  time: number;
  actor: string;
  action: string;
  modelId: string;
  modelName: string;
  version?: number | null;
  alias?: string | null;
  key?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export interface EventQuery {
  modelId?: string;
  modelName?: string;
  version?: number;
  alias?: string;
  /** Exact action or a prefix ending in `*` (`alias.*`). */
  action?: string;
  since?: number;
  until?: number;
  /** Events with an id below this (keyset paging, newest first). */
  beforeId?: number;
  limit: number;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** Whether a webhook's event patterns (`version.created`, `*.tag.set`, `promotion.*`, `*`) match an action. */
export function matchesEventPattern(patterns: string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[a-z_.]*')}$`).test(action));
}

/**
 * Appends an audit event inside the caller's transaction and, in the same transaction, queues a
 * delivery for every active webhook that subscribes to it: the change, its record and its
 * notifications commit together or not at all.
 */
export async function appendEvent(trx: RegistryTrx, e: NewEvent): Promise<number> {
  const row = await trx
    .insertInto('registry_events')
    .values({
      time: e.time,
      actor: e.actor,
      action: e.action,
      model_id: e.modelId,
      model_name: e.modelName,
      version: e.version ?? null,
      alias: e.alias ?? null,
      key: e.key ?? null,
      before: json(e.before),
      after: json(e.after),
      reason: e.reason ?? null,
    })
    .returning('event_id')
    .executeTakeFirstOrThrow();
  const eventId = Number(row.event_id);
  const hooks = await trx.selectFrom('registry_webhooks').select(['webhook_id', 'events', 'model_name']).where('active', '=', 1).execute();
  const due = hooks.filter((h) => (h.model_name === null || h.model_name === e.modelName) && matchesEventPattern(JSON.parse(h.events) as string[], e.action));
  if (due.length) {
    await trx
      .insertInto('webhook_deliveries')
      .values(due.map((h) => ({
        delivery_id: randomUUID(),
        webhook_id: h.webhook_id,
        event_id: eventId,
        action: e.action,
        status: 'pending',
        attempts: 0,
        next_attempt_time: e.time,
        lease_until: null,
        created_time: e.time,
      })))
      .execute();
  }
  return eventId;
}

export async function listEvents(db: RegistryDb, q: EventQuery): Promise<AuditEvent[]> {
  let query = db.selectFrom('registry_events').selectAll();
  if (q.modelId !== undefined) query = query.where('model_id', '=', q.modelId);
  if (q.modelName !== undefined) query = query.where('model_name', '=', q.modelName);
  if (q.version !== undefined) query = query.where('version', '=', q.version);
  if (q.alias !== undefined) query = query.where('alias', '=', q.alias);
  if (q.action !== undefined) {
    query = q.action.endsWith('*')
      ? query.where(sql<boolean>`substr(action, 1, ${q.action.length - 1}) = ${q.action.slice(0, -1)}`)
      : query.where('action', '=', q.action);
  }
  if (q.since !== undefined) query = query.where('time', '>=', q.since);
  if (q.until !== undefined) query = query.where('time', '<=', q.until);
  if (q.beforeId !== undefined) query = query.where('event_id', '<', q.beforeId);
  const rows = await query.orderBy('event_id', 'desc').limit(q.limit).execute();
  return rows.map(toEvent);
}

/** The last alias event for (model, alias) at or before `time`: what the alias pointed to then. */
export async function aliasEventAt(db: RegistryDb, modelId: string, alias: string, time: number): Promise<AuditEvent | null> {
  const row = await db
    .selectFrom('registry_events')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('alias', '=', alias)
    .where('action', 'in', ['alias.moved', 'alias.deleted'])
    .where('time', '<=', time)
    .orderBy('time', 'desc')
    .orderBy('event_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toEvent(row) : null;
}

/** The model id a name had most recently (the model may since have been renamed or deleted). */
export async function modelIdFromEvents(db: RegistryDb, name: string): Promise<string | null> {
  const row = await db.selectFrom('registry_events').select('model_id').where('model_name', '=', name).orderBy('event_id', 'desc').limit(1).executeTakeFirst();
  return row?.model_id ?? null;
}
