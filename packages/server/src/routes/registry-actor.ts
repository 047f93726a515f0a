import type { Actor } from '@cairn/core';
import type { FastifyRequest } from 'fastify';

/**
 * Who is calling, for the registry's audit log and its admin-only overrides: the API token's name
 * and role, or `anonymous` with full access when the server runs without auth (anyone who can reach
 * it may do anything then; see docs/auth.md).
 */
export function actorOf(request: FastifyRequest): Actor {
  const caller = (request as FastifyRequest & { caller?: { name: string; role: Actor['role'] } | null }).caller;
  return caller ? { name: caller.name, role: caller.role } : { name: 'anonymous', role: 'admin' };
}
