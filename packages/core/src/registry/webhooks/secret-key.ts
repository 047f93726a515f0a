import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CairnError } from '../../errors.js';

/** Where the key comes from when `registry.webhook_secret_key` is not set. */
export type WebhookKeyFallback =
  /** A key file created once (mode 0600) and shared by every process using the same store. */
  | { kind: 'file'; path: string }
  /** A key for this process only (an in-memory store dies with it). */
  | { kind: 'ephemeral' }
  /** No key: webhooks cannot be created (a store shared by several machines needs one configured key). */
  | { kind: 'none' };

const HOW = 'Use 32 random bytes as 64 hex digits or base64, e.g. `openssl rand -base64 32`.';

/** The configured key (64 hex digits, or base64/base64url of 32 bytes), or INVALID_ARGUMENT. */
export function parseWebhookSecretKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : null;
  if (!key || key.length !== 32) throw new CairnError('INVALID_ARGUMENT', `Invalid configuration. Bad value for 'registry.webhook_secret_key' (CAIRN_REGISTRY_WEBHOOK_SECRET_KEY): it is not a 256-bit key. ${HOW}`);
  return key;
}

/**
 * The key that seals webhook secrets: the configured one, else the fallback's. A key file is created
 * atomically on first use (written under a temporary name, then linked into place, so concurrent
 * processes agree on one key) and must not be readable by group or others.
 */
export function loadWebhookSecretKey(configured: string, fallback: WebhookKeyFallback): Buffer | null {
  if (configured.trim()) return parseWebhookSecretKey(configured);
  if (fallback.kind === 'ephemeral') return randomBytes(32);
  if (fallback.kind === 'none') return null;
  return readOrCreateKeyFile(fallback.path);
}

function readOrCreateKeyFile(path: string): Buffer {
  try {
    return readKeyFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first: use theirs
  } finally {
    unlinkSync(temp);
  }
  return readKeyFile(path);
}

function readKeyFile(path: string): Buffer {
  const text = readFileSync(path, 'utf8');
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new CairnError('FAILED_PRECONDITION', `The webhook secret key file ${path} is readable by other users. Run \`chmod 600 ${path}\`.`);
  }
  try {
    return parseWebhookSecretKey(text);
  } catch {
    throw new CairnError('FAILED_PRECONDITION', `The webhook secret key file ${path} does not hold a 256-bit key. Restore it from a backup (without it, stored webhook secrets cannot be read), or set registry.webhook_secret_key.`);
  }
}
