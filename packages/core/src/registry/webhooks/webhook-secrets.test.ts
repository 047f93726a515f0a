import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../config/config.js';
import { isCairnError } from '../../errors.js';
import { openPlatform } from '../../platform.js';
import { captureEnvironment } from '../../reproducibility/environment.js';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { registryDb } from '../sql/rows.js';
import { expectCode, seedModelRun, sleep } from '../testing/registry-fixtures.js';
import { verifySignature } from './deliver.js';
import { WebhookSecretBox } from './secret-box.js';
import { loadWebhookSecretKey, parseWebhookSecretKey } from './secret-key.js';

const KEY = randomBytes(32);

describe('WebhookSecretBox', () => {
  it('seals with AES-256-GCM bound to the webhook id, and tells a missing key from a tampered secret', () => {
    const box = new WebhookSecretBox(KEY);
    const sealed = box.seal('whsec_abc', 'hook1');
    expect(sealed).toMatch(new RegExp(`^cairn-enc:v1:${box.keyId}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('whsec_abc');
    expect(box.seal('whsec_abc', 'hook1')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, 'hook1')).toEqual({ secret: 'whsec_abc' });
    expect(box.open('whsec_plain', 'hook1')).toEqual({ secret: 'whsec_plain' }); // rows from before encryption
    expect(box.open(sealed, 'hook2')).toMatchObject({ secret: null, elsewhere: false });
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(box.open(flipped, 'hook1')).toMatchObject({ secret: null, elsewhere: false });
    expect(new WebhookSecretBox(randomBytes(32)).open(sealed, 'hook1')).toMatchObject({ secret: null, elsewhere: true });
    expect(new WebhookSecretBox(null).open(sealed, 'hook1')).toMatchObject({ secret: null, elsewhere: true });
    try {
      new WebhookSecretBox(null, 'Set the key.').seal('s', 'h');
      expect.fail('sealed without a key');
    } catch (e) {
      expect(isCairnError(e, 'FAILED_PRECONDITION') && e.message).toMatch(/Set the key\./);
    }
  });

  it('reads keys as 64 hex digits or base64, and creates a key file once with mode 0600', () => {
    expect(parseWebhookSecretKey(KEY.toString('hex'))).toEqual(KEY);
    expect(parseWebhookSecretKey(KEY.toString('base64'))).toEqual(KEY);
    expect(parseWebhookSecretKey(KEY.toString('base64url'))).toEqual(KEY);
    for (const bad of ['short', 'x'.repeat(64), randomBytes(16).toString('hex'), randomBytes(31).toString('base64')]) expect(() => parseWebhookSecretKey(bad)).toThrow(/webhook_secret_key/);
    const dir = mkdtempSync(join(tmpdir(), 'cairn-key-'));
    try {
      const path = join(dir, 'sub', 'webhook-secret.key');
      const first = loadWebhookSecretKey('', { kind: 'file', path })!;
      expect(first).toHaveLength(32);
      if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(loadWebhookSecretKey('', { kind: 'file', path })).toEqual(first);
      expect(loadWebhookSecretKey(KEY.toString('hex'), { kind: 'file', path })).toEqual(KEY);
      expect(loadWebhookSecretKey('', { kind: 'none' })).toBeNull();
      if (process.platform !== 'win32') {
        const open = join(dir, 'open.key');
        writeFileSync(open, `${KEY.toString('base64')}\n`, { mode: 0o644 });
        expect(() => loadWebhookSecretKey('', { kind: 'file', path: open })).toThrow(/chmod 600/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the key out of recorded configuration', async () => {
    const config = loadConfig({ cwd: tmpdir(), env: { CAIRN_REGISTRY_WEBHOOK_SECRET_KEY: KEY.toString('hex') } });
    expect(config.registry.webhook_secret_key).toBe(KEY.toString('hex'));
    expect(redactConfig(config).registry.webhook_secret_key).toBe('***');
    expect(config.registry.webhook_secret_key).toBe(KEY.toString('hex'));
    expect((await captureEnvironment(config)).config).not.toContain(KEY.toString('hex'));
  });
});

/** A loopback receiver that records what it gets and answers 204. */
async function receiver(): Promise<{ url: string; received: Array<{ headers: IncomingMessage['headers']; body: string }>; close(): void }> {
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => server.close() };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

for (const backend of BACKENDS) {
  describe(`webhook secrets at rest on ${backend}`, () => {
    const settings = { webhooks_allow_private: true, webhook_backoff_seconds: 0.05 };
    let t: TestPlatform | undefined;
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
      if (skip) return;
      // SQLite falls back to a key file next to the database; PostgreSQL needs a configured key.
      t = await makeTestPlatform(backend, { registry: backend === 'postgres' ? { ...settings, webhook_secret_key: KEY.toString('base64') } : settings });
    });
    afterAll(async () => t?.cleanup());

    it('stores secrets encrypted, never returns them after creation, and signs deliveries with them', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const p = t.platform;
      const r = await receiver();
      try {
        const { webhook, secret } = await p.registry.webhooks.create({ url: r.url, events: ['model.created'] });
        const row = await registryDb(p.database.db).selectFrom('registry_webhooks').select('secret').where('webhook_id', '=', webhook.id).executeTakeFirstOrThrow();
        expect(row.secret).toMatch(/^cairn-enc:v1:/);
        expect(row.secret).not.toContain(secret.slice(6));
        for (const shown of [webhook, await p.registry.webhooks.get(webhook.id), await p.registry.webhooks.list()]) {
          expect(JSON.stringify(shown)).not.toContain(secret);
          expect(JSON.stringify(shown)).not.toContain('cairn-enc');
        }
        if (backend === 'sqlite') {
          const keyFile = join(t.dir, 'webhook-secret.key');
          expect(existsSync(keyFile)).toBe(true);
          if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        }
        await p.registry.createModel({ name: `sealed-${randomUUID().slice(0, 8)}` });
        await until(() => r.received.length === 1);
        expect(verifySignature(secret, r.received[0]!.body, r.received[0]!.headers['x-cairn-signature'] as string)).toBe(true);
      } finally {
        r.close();
      }
    });

    it('seals secrets stored in plain text by an older Cairn when a platform opens, and still signs with them', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const r = await receiver();
      const db = registryDb(t.platform.database.db);
      const id = randomUUID().replaceAll('-', '');
      const legacy = `whsec_${randomBytes(32).toString('base64url')}`;
      await db.insertInto('registry_webhooks').values({ webhook_id: id, url: r.url, events: '["model.tag.set"]', model_name: null, description: null, secret: legacy, active: 1, created_time: Date.now() }).execute();
      const registry = backend === 'postgres' ? { ...settings, webhook_secret_key: KEY.toString('hex') } : settings;
      const again = await openPlatform(loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, registry } }));
      try {
        const row = await db.selectFrom('registry_webhooks').select('secret').where('webhook_id', '=', id).executeTakeFirstOrThrow();
        expect(row.secret).toMatch(/^cairn-enc:v1:/);
        expect(row.secret).not.toContain(legacy.slice(6));
        const run = await seedModelRun(again);
        await again.registry.createModel({ name: 'legacy-hooked' });
        await again.registry.versions.create({ name: 'legacy-hooked', source: `runs:/${run.runId}/model` });
        await again.registry.setModelTag('legacy-hooked', 'k', 'v');
        await until(() => r.received.some((x) => JSON.parse(x.body).event === 'model.tag.set'));
        const got = r.received.find((x) => JSON.parse(x.body).event === 'model.tag.set')!;
        expect(verifySignature(legacy, got.body, got.headers['x-cairn-signature'] as string)).toBe(true);
      } finally {
        r.close();
        await again.close();
      }
    });

    if (backend === 'postgres') {
      it('without a configured key, refuses to create webhooks and leaves sealed deliveries to a process that has the key', async (ctx) => {
        if (skip || !t) return ctx.skip();
        const keyless = await openPlatform(loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, registry: settings } }));
        try {
          const e = await expectCode(keyless.registry.webhooks.create({ url: 'http://127.0.0.1:9/x' }), 'FAILED_PRECONDITION');
          expect(e.message).toMatch(/CAIRN_REGISTRY_WEBHOOK_SECRET_KEY/);
          // An event written by the keyless process is delivered by the one holding the key, not claimed and stalled.
          const r = await receiver();
          try {
            const { webhook, secret } = await t.platform.registry.webhooks.create({ url: r.url, events: ['model.created'], model: 'from-keyless' });
            await t.platform.registry.webhooks.dispatcher.stop();
            await keyless.registry.createModel({ name: 'from-keyless' });
            await keyless.registry.webhooks.dispatcher.idle();
            await sleep(200);
            const [pending] = await keyless.registry.webhooks.deliveries(webhook.id);
            expect(pending).toMatchObject({ status: 'pending', attempts: [] });
            const holder = await openPlatform(loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, registry: { ...settings, webhook_secret_key: KEY.toString('hex') } } }));
            try {
              holder.registry.webhooks.dispatcher.kick();
              await until(() => r.received.length === 1);
              expect(verifySignature(secret, r.received[0]!.body, r.received[0]!.headers['x-cairn-signature'] as string)).toBe(true);
            } finally {
              await holder.close();
            }
          } finally {
            r.close();
          }
        } finally {
          await keyless.close();
        }
      });
    }
  });
}
