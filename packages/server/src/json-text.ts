import type { FastifyReply } from 'fastify';

/**
 * A response body already written as JSON text. Large lists (metric history) are built as text to
 * skip an object per element and JSON.stringify's generic walk; Fastify sends a string with a JSON
 * content type as it is.
 */
export class JsonText {
  constructor(readonly text: string) {}

  send(reply: FastifyReply): FastifyReply {
    return reply.type('application/json; charset=utf-8').send(this.text);
  }
}
