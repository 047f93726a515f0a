import type { FastifyRequest } from 'fastify';

// The JSON text of MLflow requests, kept beside the parsed body so an error message can quote a value
// exactly as the client sent it (see python-repr.ts). Held only as long as the request object lives.
const texts = new WeakMap<FastifyRequest, string>();

export function rememberBodyText(request: FastifyRequest, text: string): void {
  texts.set(request, text);
}

export function bodyTextOf(request: FastifyRequest): string | undefined {
  return texts.get(request);
}
