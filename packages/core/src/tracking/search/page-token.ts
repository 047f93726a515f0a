import { invalid } from '../../errors.js';

// Page tokens are opaque to clients: base64url of `{"offset":n}`. Offsets keep the token stateless; the
// total order from the tie-breakers makes consecutive pages consistent while no rows change.

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

/** The offset a page token stands for; no token (or an empty one) is the first page. */
export function decodePageToken(token?: string): number {
  if (token === undefined || token === '') return 0;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('Invalid page token: pass back the nextPageToken of the previous page unchanged.');
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalid('Invalid page token: pass back the nextPageToken of the previous page unchanged.');
  }
  return offset;
}
