import type { FastifyInstance, RouteOptions } from 'fastify';
import { isRole, type Role } from '@cairn/core';

/** Who may call a route when auth is enabled: anyone (`public`) or a token with at least this role. */
export type RoutePolicy = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route; see docs/auth.md. */
    policy?: RoutePolicy;
  }
}

/** One row of the server's route table. */
export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy;
}

export function isRoutePolicy(value: unknown): value is RoutePolicy {
  return value === 'public' || isRole(value);
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/**
 * Makes every route declare a policy: a route registered without `config.policy` (or with an
 * unknown one) fails startup, so no route can be left open by forgetting. Also records the route
 * table that {@link listRoutes} returns. Call on the root instance before registering routes.
 */
export function requireRoutePolicies(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const policy = route.config?.policy;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!isRoutePolicy(policy)) {
      throw new Error(
        `Route ${methods.join(',')} ${route.url} declares no access policy. Add config: { policy: 'public' | 'reader' | 'editor' | 'admin' } to it.`,
      );
    }
    for (const method of methods) table.push({ method, url: route.url, policy });
  });
}

/**
 * The route table of an app built by `buildApp`, with each route's policy, in registration order.
 * Includes the HEAD routes Fastify adds for every GET.
 *
 * @example
 * ```ts
 * for (const { method, url, policy } of listRoutes(app)) console.log(method, url, policy);
 * ```
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const table = tables.get(app);
  if (!table) throw new Error('listRoutes needs the root instance returned by buildApp.');
  return [...table];
}
