import type { AuditEvent } from '../entities.js';
import type { WebhookStore } from '../sql/webhook-store.js';
import { deliver } from './deliver.js';
import type { WebhookSecretBox } from './secret-box.js';

export interface DispatcherSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  /** Delay before the second attempt; each later one doubles it. */
  backoffMs: number;
  /** How often to look for due deliveries left by restarts or other processes. */
  pollMs: number;
}

/** The JSON body of a delivery. */
export function payloadOf(event: AuditEvent, deliveryId: string): string {
  return JSON.stringify({
    id: deliveryId,
    event: event.action,
    eventId: event.id,
    time: event.time,
    actor: event.actor,
    model: event.model,
    version: event.version,
    alias: event.alias,
    key: event.key,
    before: event.before,
    after: event.after,
    reason: event.reason,
  });
}

/**
 * Sends queued webhook deliveries. Deliveries live in the database (written with the event), so
 * any process can send them: each attempt first leases its row, and a lease that lapses (a crashed
 * process) lets another process retry. Failed attempts are retried with exponential backoff up to
 * `maxAttempts`; every attempt is logged.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly store: WebhookStore, private readonly settings: DispatcherSettings, private readonly secrets: WebhookSecretBox, private readonly now: () => number = Date.now) {}

  /** Starts the periodic sweep (unref'd: it never keeps a process alive). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.settings.pollMs);
    this.timer.unref();
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch(() => {
        // A failed pass (database closing, say) is retried by the next sweep.
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the pass under way, if any (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.abort.abort();
    await this.running;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const now = this.now();
      const ids = await this.store.due(now, 20, this.secrets.keyId);
      if (!ids.length || this.stopped) return;
      await Promise.all(ids.map((id) => this.attempt(id)));
    }
  }

  private async attempt(id: string): Promise<void> {
    const now = this.now();
    if (!(await this.store.claim(id, now, now + this.settings.timeoutMs + 30_000))) return;
    const work = await this.store.work(id);
    if (!work) return;
    const attempt = work.attempts + 1;
    const key = this.secrets.open(work.hook.secret, work.hook.webhook_id);
    // Sealed with a key this process lacks: its lease lapses and a process holding the key sends it.
    if (key.secret === null && key.elsewhere) return;
    const refused = (error: string) => ({ ok: false, statusCode: null, error, durationMs: 0 });
    const outcome = key.secret === null ? refused(key.reason)
      : work.hook.active !== 1 ? refused('webhook is inactive')
        : await deliver({
          url: work.hook.url,
          secret: key.secret,
          body: payloadOf(work.event, id),
          event: work.event.action,
          deliveryId: id,
          timeoutMs: this.settings.timeoutMs,
          allowPrivate: this.settings.allowPrivate,
          signal: this.abort.signal,
        });
    if (this.stopped && !outcome.ok) return; // Aborted by shutdown: the lease lapses and a later pass retries.
    // An inactive webhook or a secret that will never decrypt is not retried.
    const last = outcome.ok || attempt >= this.settings.maxAttempts || work.hook.active !== 1 || key.secret === null;
    const delay = this.settings.backoffMs * 2 ** (attempt - 1);
    await this.store.recordAttempt(
      id,
      { delivery_id: id, attempt, time: now, status_code: outcome.statusCode, error: outcome.error, duration_ms: outcome.durationMs },
      { status: outcome.ok ? 'succeeded' : last ? 'failed' : 'pending', nextAttemptTime: last ? null : this.now() + delay },
    );
    if (!last) {
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        this.kick();
      }, delay);
      t.unref();
      this.retryTimers.add(t);
    }
  }
}
