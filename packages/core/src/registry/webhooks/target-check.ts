import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { CairnError, invalid } from '../../errors.js';

// Addresses a webhook may not reach unless `registry.webhooks_allow_private` is set: anything that is
// not a public unicast address, so a webhook cannot be aimed at the server itself, its LAN or a
// cloud metadata endpoint (169.254.169.254).
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fe80::', 10], ['fec0::', 10], ['fc00::', 7], ['ff00::', 8], ['2001:db8::', 32], ['3fff::', 20], ['100::', 64],
  ['2001:10::', 28], ['2001:20::', 28],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/**
 * Whether an IP address is private, loopback, link-local or otherwise not a public unicast address.
 * An IPv6 address that embeds an IPv4 address is judged by the IPv4 address (see {@link embeddedIpv4}).
 */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const bytes = ipv6Bytes(address);
  if (!bytes) return true;
  const embedded = embeddedIpv4(bytes);
  if (embedded === 'reserved') return true;
  if (embedded) return embedded.some((v4) => blocked.check(v4, 'ipv4'));
  return blocked.check(address.replace(/%.*$/, ''), 'ipv6');
}

const v4At = (b: Uint8Array, i: number, xor = 0) => [b[i]! ^ xor, b[i + 1]! ^ xor, b[i + 2]! ^ xor, b[i + 3]! ^ xor].join('.');
const zero = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
const startsWith = (b: Uint8Array, prefix: number[]) => prefix.every((x, i) => b[i] === x);

/**
 * The IPv4 addresses an IPv6 address stands for, where a reserved IPv6 form embeds one:
 * IPv4-compatible `::a.b.c.d` (::/96), IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated
 * `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (64:ff9b::/96), 6to4 `2002:AABB:CCDD::` (2002::/16)
 * and Teredo `2001:0:SSSS:SSSS:…:CCCC:CCCC` (its server and, bits inverted, its client). The
 * local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) places the IPv4 address where the operator's
 * prefix length puts it, so the whole range is 'reserved'. Null when the address embeds none.
 */
export function embeddedIpv4(b: Uint8Array): string[] | 'reserved' | null {
  if (zero(b, 0, 12)) return [v4At(b, 12)];
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return [v4At(b, 12)];
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return [v4At(b, 12)];
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && zero(b, 4, 12)) return [v4At(b, 12)];
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) return 'reserved';
  if (startsWith(b, [0x20, 0x02])) return [v4At(b, 2)];
  if (startsWith(b, [0x20, 0x01, 0x00, 0x00])) return [v4At(b, 4), v4At(b, 12, 0xff)];
  return null;
}

/** The 16 bytes of an IPv6 address (`::` shorthand, a dotted IPv4 tail and a zone id allowed), or null. */
export function ipv6Bytes(address: string): Uint8Array | null {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    text = `${text.slice(0, dotted.index)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, g] of all.entries()) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = Number.parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 255;
  }
  return bytes;
}

/** Parses a webhook URL: http(s) only, no credentials in it. */
export function checkWebhookUrl(url: unknown): URL {
  if (typeof url !== 'string' || url.length > 2048) throw invalid(`'url' must be an http(s) URL of at most 2048 characters.`, { field: 'url' });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`'url' ${JSON.stringify(url.slice(0, 100))} is not a URL.`, { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(`Webhook URLs must be http or https, not '${u.protocol}'.`, { field: 'url' });
  if (u.username || u.password) throw invalid('Webhook URLs must not hold credentials; the HMAC signature authenticates Cairn to the receiver.', { field: 'url' });
  if (!u.hostname) throw invalid('The webhook URL names no host.', { field: 'url' });
  return u;
}

function refused(host: string, address: string): CairnError {
  return new CairnError(
    'PERMISSION_DENIED',
    `Webhook target '${host}' resolves to ${address}, a private, loopback or link-local address. ` +
      'Use a public address, or set registry.webhooks_allow_private: true in cairn.yaml if the receiver is meant to be internal.',
  );
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, '');

/** Resolves the URL's host and refuses it if any address is not public (unless allowed). */
export async function checkWebhookTarget(u: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(u);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  const bad = addresses.find(isNonPublicAddress);
  if (bad) throw refused(host, bad);
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) reject(new CairnError('INVALID_ARGUMENT', `Cannot resolve the webhook host '${host}': ${err.code ?? err.message}.`, { cause: err }));
      else resolve(addresses.map((a) => a.address));
    });
  });
}

/**
 * A `lookup` for http.request that refuses non-public addresses at connection time, so a DNS answer
 * that changes after the check (rebinding) cannot redirect a delivery.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const list = Array.isArray(addresses) ? addresses : [];
      const bad = allowPrivate ? undefined : list.find((a) => isNonPublicAddress(a.address));
      if (bad) return callback(refused(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** The IP-literal host of a URL, if it is one (http.request skips `lookup` for those). */
export function literalHost(u: URL): string | null {
  const host = hostOf(u);
  return isIP(host) ? host : null;
}
