import type { Webhook, WebhookDelivery } from '../entities.js';
import { toEvent, toWebhook } from './row-mappers.js';
import type { RegistryDb, WebhookAttemptRow, WebhookRow } from './rows.js';
import type { AuditEvent } from '../entities.js';

/** Webhooks, their delivery outbox and the log of every attempt (SQLite and PostgreSQL alike). */
export class WebhookStore {
  constructor(private readonly db: RegistryDb) {}

  async insert(row: WebhookRow): Promise<void> {
    await this.db.insertInto('registry_webhooks').values(row).execute();
  }

  async list(): Promise<Webhook[]> {
    return (await this.db.selectFrom('registry_webhooks').selectAll().orderBy('created_time').execute()).map(toWebhook);
  }

  async row(id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('registry_webhooks').selectAll().where('webhook_id', '=', id).executeTakeFirst();
  }

  /** Webhooks whose secret is still stored in plain text. */
  async plainSecrets(): Promise<Array<{ webhook_id: string; secret: string }>> {
    return this.db.selectFrom('registry_webhooks').select(['webhook_id', 'secret']).where('secret', 'not like', 'cairn-enc:%').execute();
  }

  /** Swaps a secret's stored form, only if it is still `from` (another process may have done it). */
  async replaceSecret(id: string, from: string, to: string): Promise<boolean> {
    const r = await this.db.updateTable('registry_webhooks').set({ secret: to }).where('webhook_id', '=', id).where('secret', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registry_webhooks').where('webhook_id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Ids of pending deliveries that are due and not leased by another process, of webhooks whose
   * secret this process can open: sealed with the key `keyId` names, or still plain. Deliveries of
   * webhooks sealed with another key are left to processes that hold it.
   */
  async due(now: number, limit: number, keyId: string | null): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('registry_webhooks as w', 'w.webhook_id', 'd.webhook_id')
      .select('d.delivery_id')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_time', '<=', now)
      .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', now)]))
      .where((eb) => eb.or([eb('w.secret', 'not like', 'cairn-enc:%'), ...(keyId ? [eb('w.secret', 'like', `cairn-enc:v1:${keyId}:%`)] : [])]))
      .orderBy('d.next_attempt_time')
      .limit(limit)
      .execute();
    return rows.map((r) => r.delivery_id);
  }

  /** Takes a delivery for one attempt; false when another process (or pass) got it first. */
  async claim(id: string, now: number, leaseUntil: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_until: leaseUntil })
      .where('delivery_id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The delivery with its webhook and event, for sending. */
  async work(id: string): Promise<{ attempts: number; hook: WebhookRow; event: AuditEvent } | null> {
    const d = await this.db.selectFrom('webhook_deliveries').selectAll().where('delivery_id', '=', id).executeTakeFirst();
    if (!d) return null;
    const [hook, event] = await Promise.all([
      this.row(d.webhook_id),
      this.db.selectFrom('registry_events').selectAll().where('event_id', '=', Number(d.event_id)).executeTakeFirst(),
    ]);
    return hook && event ? { attempts: d.attempts, hook, event: toEvent(event) } : null;
  }

  /** Logs an attempt and moves the delivery on: succeeded, failed for good, or due again later. */
  async recordAttempt(id: string, attempt: WebhookAttemptRow, next: { status: 'pending' | 'succeeded' | 'failed'; nextAttemptTime: number | null }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('webhook_attempts').values(attempt).onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: next.status, attempts: attempt.attempt, next_attempt_time: next.nextAttemptTime, lease_until: null })
        .where('delivery_id', '=', id)
        .execute();
    });
  }

  async deliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('created_time', 'desc').orderBy('event_id', 'desc').limit(limit).execute();
    if (!rows.length) return [];
    const attempts = await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', rows.map((r) => r.delivery_id)).orderBy('attempt').execute();
    return rows.map((r) => ({
      id: r.delivery_id,
      webhookId: r.webhook_id,
      eventId: Number(r.event_id),
      action: r.action,
      status: r.status as WebhookDelivery['status'],
      attempts: attempts.filter((a) => a.delivery_id === r.delivery_id).map((a) => ({ attempt: a.attempt, time: a.time, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
      nextAttemptTime: r.status === 'pending' ? r.next_attempt_time : null,
      createdTime: r.created_time,
    }));
  }
}
