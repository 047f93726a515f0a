import type { FastifyInstance } from 'fastify';
import { CairnError } from '@cairn/core';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The Host names a server accepts: `allowed_hosts` if set, else the loopback names plus the bind
 * host. An entry without a port matches any port; `*` matches every host (for servers behind a
 * proxy that checks Host itself).
 */
export function allowedHosts(configured: readonly string[], bindHost: string): string[] {
  if (configured.length) return configured.map(normalizeHost);
  const bind = bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
  return [...new Set([...LOOPBACK, normalizeHost(bind)])];
}

/** Lower-cases and drops a trailing dot, so `LOCALHOST.` and `localhost` compare equal. */
function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.(?=(:\d+)?$)/, '');
}

/** Splits `name:port`, `[v6]:port`, `name` into the name and the port (or null). */
function splitHost(host: string): { name: string; port: string | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  if (!m) return { name: host, port: null };
  return { name: m[1] ?? '', port: m[2] ?? null };
}

export function isHostAllowed(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  if (!hostHeader) return false;
  const host = normalizeHost(hostHeader);
  const { name } = splitHost(host);
  return allowed.some((entry) => entry === host || (splitHost(entry).port === null && entry === name));
}

/**
 * Refuses requests whose Host header is not allowed, before anything else runs. A web page on another
 * site can make a browser resolve its own name to 127.0.0.1 (DNS rebinding); checking Host stops
 * such requests from reaching a server that listens on loopback, with or without auth.
 */
export function installHostCheck(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (isHostAllowed(request.headers.host, allowed)) return;
    const shown = JSON.stringify((request.headers.host ?? '').slice(0, 100));
    throw new CairnError('PERMISSION_DENIED', `Host ${shown} is not allowed. If you reach this server by that name, add it to server.allowed_hosts in cairn.yaml (or CAIRN_SERVER_ALLOWED_HOSTS).`);
  });
}
