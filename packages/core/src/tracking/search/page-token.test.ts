import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('round-trip offsets as url-safe text', () => {
    for (const offset of [0, 1, 100, 49_999, Number.MAX_SAFE_INTEGER]) {
      const token = encodePageToken(offset);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodePageToken(token)).toBe(offset);
    }
  });

  it('reads no token as the first page', () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it.each([
    ['garbage', 'not base64url at all!'],
    ['not JSON', Buffer.from('offset=3').toString('base64url')],
    ['no offset', Buffer.from('{"page":3}').toString('base64url')],
    ['negative', Buffer.from('{"offset":-1}').toString('base64url')],
    ['fractional', Buffer.from('{"offset":1.5}').toString('base64url')],
    ['a string', Buffer.from('{"offset":"3"}').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['too large', Buffer.from('{"offset":1e300}').toString('base64url')],
  ])('rejects a token that is %s', (_, token) => {
    try {
      decodePageToken(token);
      expect.fail('expected INVALID_ARGUMENT');
    } catch (e) {
      expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/^Invalid page token/);
    }
  });
});
