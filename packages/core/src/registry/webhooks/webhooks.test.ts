import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { expectCode, seedModelRun, sleep } from '../testing/registry-fixtures.js';
import { deliver, verifySignature } from './deliver.js';
import { isNonPublicAddress } from './target-check.js';

interface Received { headers: IncomingMessage['headers']; body: string }

/** A real HTTP receiver on loopback that answers each request with the next status in `statuses`. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('webhook targets', () => {
  it('classifies private, loopback, link-local and mapped addresses as non-public', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'not-an-ip']) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isNonPublicAddress(a), a).toBe(false);
  });

  it('judges every reserved IPv6 form that embeds an IPv4 address by that address', () => {
    // Each form, holding loopback, a private, a link-local (cloud metadata) and a public address.
    const forms: Record<string, (v4: string, hex: string) => string> = {
      'IPv4-compatible': (v4) => `::${v4}`,
      'IPv4-compatible, hex': (_, hex) => `::${hex}`,
      'IPv4-mapped': (v4) => `::ffff:${v4}`,
      'IPv4-mapped, long': (_, hex) => `0:0:0:0:0:ffff:${hex}`,
      'IPv4-translated': (v4) => `::ffff:0:${v4}`,
      'IPv4-translated, hex': (_, hex) => `::ffff:0:${hex}`,
      'NAT64 well-known': (v4) => `64:ff9b::${v4}`,
      'NAT64 well-known, hex': (_, hex) => `64:ff9b:0:0:0:0:${hex}`,
      '6to4': (_, hex) => `2002:${hex}::1`,
      'Teredo client': (_, hex) => `2001:0:4136:e378:8000:63bf:${hex.split(':').map((g) => (0xffff ^ Number.parseInt(g, 16)).toString(16)).join(':')}`,
      'Teredo server': (_, hex) => `2001:0:${hex}:8000:63bf:bef7:b7f7`,
    };
    const v4s: Array<[string, string, boolean]> = [
      ['127.0.0.1', '7f00:1', true], ['10.1.2.3', 'a01:203', true], ['169.254.169.254', 'a9fe:a9fe', true], ['192.168.0.1', 'c0a8:1', true], ['8.8.8.8', '808:808', false],
    ];
    for (const [name, form] of Object.entries(forms)) {
      for (const [v4, hex, blocked] of v4s) {
        // (The other half of a Teredo address is public here, so the one under test decides.)
        const address = form(v4, hex);
        expect(isNonPublicAddress(address), `${name} ${address}`).toBe(blocked);
        expect(isNonPublicAddress(new URL(`http://[${address}]/`).hostname.slice(1, -1)), `${name} ${address} as a URL normalizes it`).toBe(blocked);
      }
    }
    // The local-use NAT64 prefix embeds IPv4 where the operator's prefix length says: all of it is refused.
    for (const a of ['64:ff9b:1::7f00:1', '64:ff9b:1::808:808', '64:ff9b:1:ffff::1']) expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of ['fec0::1', '3fff::1', '2001:db8::1', 'fe80::1%eth0', 'ff02::1', 'nonsense::', '1:2:3:4:5:6:7:8:9', '::1.2.3.999']) expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of ['2606:4700::6810:84e5', '2a00:1450:4001:82b::200e']) expect(isNonPublicAddress(a), a).toBe(false);
  });

  it('refuses to connect to a non-public address at delivery time, whatever the URL looks like', async () => {
    const r = await receiver([200]);
    try {
      const port = new URL(r.url).port;
      // An allowed delivery first: its connection must not be pooled and reused by a refused one.
      expect((await deliver({ url: `http://localhost:${port}/`, secret: 's', body: '{}', event: 'x', deliveryId: 'd', timeoutMs: 2000, allowPrivate: true })).ok).toBe(true);
      r.received.length = 0;
      for (const url of [r.url, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://0x7f000001:${port}/`, `http://2130706433:${port}/`]) {
        const out = await deliver({ url, secret: 's', body: '{}', event: 'x', deliveryId: 'd', timeoutMs: 2000, allowPrivate: false });
        expect(out.ok, url).toBe(false);
        expect(out.error, url).toMatch(/not a public address|private, loopback or link-local/);
      }
      expect(r.received).toHaveLength(0);
    } finally {
      r.server.close();
    }
  });
});

for (const backend of BACKENDS) {
  describe(`webhooks on ${backend}`, () => {
    let t: TestPlatform | undefined;
    let strict: TestPlatform | undefined;
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
      if (skip) return;
      // PostgreSQL stores need a configured key for webhook secrets (SQLite makes a key file).
      const key = backend === 'postgres' ? { webhook_secret_key: randomBytes(32).toString('hex') } : {};
      t = await makeTestPlatform(backend, { registry: { webhooks_allow_private: true, webhook_backoff_seconds: 0.05, webhook_max_attempts: 3, webhook_timeout_seconds: 2, ...key } });
      strict = await makeTestPlatform(backend);
    });
    afterAll(async () => {
      await t?.cleanup();
      await strict?.cleanup();
    });

    it('refuses private, loopback and link-local targets unless allowed in config', async (ctx) => {
      if (skip || !strict) return ctx.skip();
      for (const url of [
        'http://127.0.0.1:9/x', 'http://localhost/x', 'http://[::1]/x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/x', 'http://[::ffff:7f00:1]/x',
        'http://[::127.0.0.1]/', 'http://[::ffff:0:7f00:1]/', 'http://[64:ff9b:1::7f00:1]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::]/',
      ]) {
        await expectCode(strict.platform.registry.webhooks.create({ url }), 'PERMISSION_DENIED');
      }
      for (const url of ['ftp://example.com/x', 'http://user:pw@example.com/x', 'not a url', 'file:///etc/passwd']) {
        await expectCode(strict.platform.registry.webhooks.create({ url }), 'INVALID_ARGUMENT');
      }
      await expectCode(strict.platform.registry.webhooks.create({ url: 'http://example.com/x', events: ['bad event'] }), 'INVALID_ARGUMENT');
    });

    it('delivers signed events, retries failures with backoff and logs every attempt', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const p = t.platform;
      const r = await receiver([500, 503, 204]);
      try {
        const { webhook, secret } = await p.registry.webhooks.create({ url: r.url, events: ['version.created', 'alias.moved', '*.tag.set'], model: 'hooked' });
        await p.registry.createModel({ name: 'hooked' });
        await p.registry.createModel({ name: 'ignored' });
        const run = await seedModelRun(p);
        await p.registry.versions.create({ name: 'hooked', source: `runs:/${run.runId}/model` });
        await until(async () => (await p.registry.webhooks.deliveries(webhook.id))[0]?.status === 'succeeded');
        const deliveries = await p.registry.webhooks.deliveries(webhook.id);
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toMatchObject({ action: 'version.created', status: 'succeeded' });
        expect(deliveries[0]!.attempts.map((a) => a.statusCode)).toEqual([500, 503, 204]);
        // Backoff of 50 ms, doubling: the retries come at least 50 ms and then 100 ms apart.
        const sent = r.received.slice(0, 3).map((x) => Number(/t=(\d+)/.exec(String(x.headers['x-cairn-signature']))![1]));
        expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(45);
        expect(sent[2]! - sent[1]!).toBeGreaterThanOrEqual(95);
        for (const got of r.received) {
          expect(verifySignature(secret, got.body, got.headers['x-cairn-signature'] as string)).toBe(true);
          expect(verifySignature('wrong', got.body, got.headers['x-cairn-signature'] as string)).toBe(false);
          expect(JSON.parse(got.body)).toMatchObject({ event: 'version.created', model: 'hooked', version: 1, after: { status: 'READY' } });
          expect(got.headers['x-cairn-event']).toBe('version.created');
        }

        await p.registry.aliases.set('hooked', 'champion', 1);
        await p.registry.setModelTag('hooked', 'team', 'risk');
        await p.registry.setModelTag('ignored', 'team', 'risk');
        await until(async () => (await p.registry.webhooks.deliveries(webhook.id)).filter((d) => d.status === 'succeeded').length === 3);
        expect(r.received.slice(3).map((x) => JSON.parse(x.body).event).sort()).toEqual(['alias.moved', 'model.tag.set']);
      } finally {
        r.server.close();
      }
    });

    it('marks a delivery failed after the last attempt', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const p = t.platform;
      const r = await receiver([500]);
      try {
        const { webhook } = await p.registry.webhooks.create({ url: r.url, events: ['promotion.*'] });
        await p.registry.createModel({ name: 'doomed' });
        const run = await seedModelRun(p);
        await p.registry.versions.create({ name: 'doomed', source: `runs:/${run.runId}/model` });
        await p.registry.gates.promote('doomed', 1, 'champion');
        await until(async () => (await p.registry.webhooks.deliveries(webhook.id))[0]?.status === 'failed');
        const [d] = await p.registry.webhooks.deliveries(webhook.id);
        expect(d).toMatchObject({ action: 'promotion.passed', nextAttemptTime: null });
        expect(d!.attempts).toHaveLength(3);
        await p.registry.webhooks.delete(webhook.id);
        await expectCode(p.registry.webhooks.get(webhook.id), 'NOT_FOUND');
      } finally {
        r.server.close();
      }
    });
  });
}
