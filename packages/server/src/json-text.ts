import type { FastifyReply } from 'fastify';

/**
 * A response body already written as JSON (text or UTF-8 bytes). Large lists (metric history) are
 * written directly to skip an object per element and JSON.stringify's generic walk; Fastify sends a
 * string or Buffer with a JSON content type as it is.
 */
export class JsonText {
  constructor(readonly text: string | Buffer) {}

  send(reply: FastifyReply): FastifyReply {
    return reply.type('application/json; charset=utf-8').send(this.text);
  }
}
