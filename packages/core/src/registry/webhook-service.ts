import { randomBytes, randomUUID } from 'node:crypto';
import { invalid, notFound } from '../errors.js';
import type { Webhook, WebhookDelivery } from './entities.js';
import type { RegistryContext } from './registry-context.js';
import { toWebhook } from './sql/row-mappers.js';
import { WebhookStore } from './sql/webhook-store.js';
import { checkDescription, checkModelName } from './validation.js';
import { WebhookDispatcher, type DispatcherSettings } from './webhooks/dispatcher.js';
import { WebhookSecretBox } from './webhooks/secret-box.js';
import { checkWebhookTarget, checkWebhookUrl } from './webhooks/target-check.js';

export interface WebhookSettings extends DispatcherSettings {
  /** Seals signing secrets at rest; without one (no key), webhooks cannot be created. */
  secrets?: WebhookSecretBox;
}

export interface CreateWebhookInput {
  url: string;
  /** Event patterns, e.g. `['version.created', 'alias.moved', '*.tag.set', 'promotion.*']`; default `['*']`. */
  events?: string[];
  /** Only this model's events. */
  model?: string | null;
  description?: string | null;
}

const EVENT_PATTERN = /^(\*|[a-z_]+(\.[a-z_*]+)*|\*(\.[a-z_*]+)+)$/;

/**
 * Webhooks: a URL that receives registry events as signed JSON POSTs. Targets are checked when
 * subscribed and again at every connection: private, loopback and link-local addresses are refused
 * unless `registry.webhooks_allow_private` is set. Signing secrets are stored encrypted
 * (AES-256-GCM) and shown only once, when the webhook is created.
 */
export class WebhookService {
  readonly dispatcher: WebhookDispatcher;
  private readonly store: WebhookStore;
  private readonly secrets: WebhookSecretBox;

  constructor(private readonly ctx: RegistryContext, private readonly settings: WebhookSettings) {
    this.store = new WebhookStore(ctx.db);
    this.secrets = settings.secrets ?? new WebhookSecretBox(null);
    this.dispatcher = new WebhookDispatcher(this.store, settings, this.secrets, ctx.now);
  }

  /**
   * Subscribes a URL. The signing secret is returned once; receivers check `X-Cairn-Signature` with it.
   *
   * @example
   * ```ts
   * const { webhook, secret } = await registry.webhooks.create({ url: 'https://ci.example.com/cairn', events: ['promotion.*'] });
   * ```
   */
  async create(input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const url = checkWebhookUrl(input?.url);
    const events = input.events ?? ['*'];
    if (!Array.isArray(events) || events.length === 0 || events.length > 50) throw invalid(`'events' must be a list of 1 to 50 event patterns such as 'version.created' or 'promotion.*'.`, { field: 'events' });
    for (const e of events) {
      if (typeof e !== 'string' || e.length > 64 || !EVENT_PATTERN.test(e)) throw invalid(`Invalid event pattern ${JSON.stringify(e)}: use names such as 'version.created', 'alias.moved', '*.tag.set', 'promotion.*' or '*'.`, { field: 'events' });
    }
    const model = input.model ? checkModelName(input.model, 'model') : null;
    const description = checkDescription(input.description);
    await checkWebhookTarget(url, this.settings.allowPrivate);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID().replaceAll('-', '');
    const row = { webhook_id: id, url: url.href, events: JSON.stringify(events), model_name: model, description, secret: this.secrets.seal(secret, id), active: 1, created_time: this.ctx.now() };
    await this.store.insert(row);
    return { webhook: toWebhook(row), secret };
  }

  /**
   * Encrypts secrets stored in plain text (webhooks created before secrets were sealed). Runs when a
   * platform opens; safe to run in several processes at once. Returns how many it sealed.
   */
  async sealPlainSecrets(): Promise<number> {
    const plain = await this.store.plainSecrets();
    if (!plain.length || !this.secrets.keyId) return 0;
    let sealed = 0;
    for (const row of plain) {
      if (await this.store.replaceSecret(row.webhook_id, row.secret, this.secrets.seal(row.secret, row.webhook_id))) sealed++;
    }
    return sealed;
  }

  async list(): Promise<Webhook[]> {
    return this.store.list();
  }

  async get(id: string): Promise<Webhook> {
    const row = typeof id === 'string' && /^[0-9a-f]{32}$/.test(id) ? await this.store.row(id) : undefined;
    if (!row) throw notFound(`Webhook '${String(id).slice(0, 64)}'`, 'List webhooks with `GET /api/v1/webhooks` (admins).');
    return toWebhook(row);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.delete(id);
  }

  /** Recent deliveries of a webhook, newest first, each with every attempt. */
  async deliveries(id: string, limit = 50): Promise<WebhookDelivery[]> {
    await this.get(id);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw invalid(`'maxResults' must be a whole number from 1 to 1000.`);
    return this.store.deliveries(id, limit);
  }
}
