import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, isNonPublicAddress, literalHost } from './target-check.js';

export const SIGNATURE_HEADER = 'x-cairn-signature';

/**
 * The signature header of a delivery: `t=<epoch ms>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing
 * the time with the body lets receivers refuse replays of old deliveries.
 */
export function signPayload(secret: string, body: string, time: number): string {
  return `t=${time},v1=${createHmac('sha256', secret).update(`${time}.${body}`).digest('hex')}`;
}

/**
 * Checks a signature header as a receiver should: the HMAC matches (compared in constant time) and
 * the timestamp is within `toleranceMs` of now.
 *
 * @example
 * ```ts
 * if (!verifySignature(process.env.CAIRN_WEBHOOK_SECRET!, rawBody, req.headers['x-cairn-signature'])) res.statusCode = 401;
 * ```
 */
export function verifySignature(secret: string, body: string, header: string | undefined, toleranceMs = 5 * 60_000, now = Date.now()): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const time = Number(m[1]);
  if (Math.abs(now - time) > toleranceMs) return false;
  const expected = Buffer.from(signPayload(secret, body, time).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export interface DeliveryRequest {
  url: string;
  secret: string;
  body: string;
  event: string;
  deliveryId: string;
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** POSTs one signed delivery. Redirects are not followed; any 2xx is success. */
export function deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
  const started = performance.now();
  const done = (ok: boolean, statusCode: number | null, error: string | null): DeliveryOutcome => ({ ok, statusCode, error, durationMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return resolve(done(false, null, 'invalid URL'));
    }
    const literal = literalHost(url);
    if (literal && !req.allowPrivate && isNonPublicAddress(literal)) return resolve(done(false, null, `refused: ${literal} is not a public address`));
    const time = Date.now();
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(url, {
      method: 'POST',
      // A fresh connection each time: a pooled socket would skip the checked lookup below.
      agent: false,
      lookup: guardedLookup(req.allowPrivate),
      timeout: req.timeoutMs,
      signal: req.signal,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(req.body),
        'user-agent': 'Cairn-Webhooks/1',
        'x-cairn-event': req.event,
        'x-cairn-delivery': req.deliveryId,
        [SIGNATURE_HEADER]: signPayload(req.secret, req.body, time),
      },
    }, (res) => {
      // Only the status matters; the body is drained (up to a point) so the socket can close cleanly.
      let seen = 0;
      res.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > 64 * 1024) res.destroy();
      });
      res.on('close', () => {
        const status = res.statusCode ?? 0;
        resolve(done(status >= 200 && status < 300, status, status >= 200 && status < 300 ? null : `HTTP ${status}`));
      });
    });
    r.on('timeout', () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    r.on('error', (e: Error & { code?: string }) => resolve(done(false, null, (e.message || e.code || 'request failed').slice(0, 500))));
    r.end(req.body);
  });
}
