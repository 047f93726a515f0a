import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CairnError } from '../../errors.js';

const PREFIX = 'cairn-enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What opening a stored secret gave: the secret, or why not and whether another process might. */
export type OpenedSecret =
  | { secret: string }
  | { secret: null; reason: string; /** Sealed with a key this process lacks: leave it to one that has it. */ elsewhere: boolean };

/**
 * Webhook signing secrets at rest: AES-256-GCM with a 256-bit key from config (or a key file; see
 * `loadWebhookSecretKey`), bound to the webhook's id so a sealed secret copied to another row does
 * not open. Stored as `cairn-enc:v1:<key id>:<base64url(iv | tag | ciphertext)>`; the key id (the
 * first 8 hex digits of the key's sha256) tells a process whether it holds the key at all. Rows
 * written before encryption hold the plain secret, which {@link open} still accepts until the
 * registry re-seals them.
 */
export class WebhookSecretBox {
  private loaded: { key: Buffer | null; keyId: string | null } | undefined;

  /**
   * `key` may be a loader, called once on first use, so processes that never touch webhooks never
   * read (or create) a key file. `missingKey` says how to configure one, for the error when there is none.
   */
  constructor(private readonly key: Buffer | null | (() => Buffer | null), private readonly missingKey = 'Set registry.webhook_secret_key.') {
    if (typeof key !== 'function') this.state();
  }

  private state(): { key: Buffer | null; keyId: string | null } {
    if (!this.loaded) {
      const key = typeof this.key === 'function' ? this.key() : this.key;
      if (key && key.length !== 32) throw new Error('A webhook secret key is 32 bytes');
      this.loaded = { key, keyId: key ? createHash('sha256').update(key).digest('hex').slice(0, 8) : null };
    }
    return this.loaded;
  }

  /** The first 8 hex digits of the key's sha256; null when this process has no key. */
  get keyId(): string | null {
    return this.state().keyId;
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** Encrypts a new secret; FAILED_PRECONDITION when this process has no key. */
  seal(secret: string, webhookId: string): string {
    const { key, keyId } = this.state();
    if (!key) throw new CairnError('FAILED_PRECONDITION', `Webhook secrets are stored encrypted, and this Cairn process has no key for them. ${this.missingKey}`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(webhookId));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(stored: string, webhookId: string): OpenedSecret {
    if (!WebhookSecretBox.isSealed(stored)) return { secret: stored };
    const [kid, payload] = stored.slice(PREFIX.length).split(':');
    const { key, keyId } = this.state();
    if (!key) return { secret: null, reason: `no webhook secret key in this process (${this.missingKey})`, elsewhere: true };
    if (kid !== keyId) return { secret: null, reason: `the secret was sealed with key ${kid}, this process has key ${keyId}`, elsewhere: true };
    try {
      const raw = Buffer.from(payload ?? '', 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(aad(webhookId));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return { secret: Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8') };
    } catch {
      return { secret: null, reason: 'the stored webhook secret does not decrypt (altered or corrupt); delete the webhook and create it again', elsewhere: false };
    }
  }
}

const aad = (webhookId: string) => Buffer.from(`cairn-webhook:${webhookId}`, 'utf8');
