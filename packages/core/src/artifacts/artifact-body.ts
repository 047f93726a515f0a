import { CairnError } from '../errors.js';
import type { ArtifactBody } from './artifact-store.js';

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Turns any {@link ArtifactBody} into a stream of byte chunks, so each backend writes one loop.
 * Chunks of a stream in string mode are encoded as UTF-8; anything else is refused.
 *
 * @example
 * ```ts
 * for await (const chunk of bodyChunks(body)) hash.update(chunk);
 * ```
 */
export async function* bodyChunks(body: ArtifactBody): AsyncGenerator<Uint8Array> {
  if (typeof body === 'string') {
    yield Buffer.from(body, 'utf8');
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (!isAsyncIterable(body)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'Artifact content must be a Buffer, Uint8Array, string, readable stream or async iterable of bytes.',
    );
  }
  for await (const chunk of body) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `Artifact content streams must yield bytes or strings, got ${typeof chunk}. Do not use object-mode streams.`,
      );
    }
  }
}
