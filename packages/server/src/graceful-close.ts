import type { FastifyInstance } from 'fastify';

/**
 * Closes a listening Fastify app gracefully: it stops accepting, answers 503 to new requests on
 * kept-alive connections, and resolves once in-flight requests are done. Node closes the
 * connections idle when closing starts; one whose request finishes later would otherwise stay open
 * until its keep-alive timeout (72 s) and hold the process's exit, so those are closed as they fall idle.
 */
export async function closeGracefully(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
