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
  ['::', 128], ['::1', 128], ['fe80::', 10], ['fc00::', 7], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is private, loopback, link-local or otherwise not a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as the IPv4 address.
  const embedded = embeddedIpv4(lower);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(lower, 'ipv6');
}

function embeddedIpv4(v6: string): string | null {
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (dotted) return dotted[1]!;
  const groups = expand(v6);
  if (!groups) return null;
  const toV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return toV4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return toV4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return toV4(groups[1]!, groups[2]!);
  return null;
}

function expand(v6: string): number[] | null {
  const [head, tail] = v6.split('::') as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  if (tail === undefined && h.length !== 8) return null;
  const groups = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
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
