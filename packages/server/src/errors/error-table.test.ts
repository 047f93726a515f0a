import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CairnError, ERROR_CODES } from '@cairn/core';
import { HTTP_STATUS_BY_CODE, codeForStatus } from './error-table.js';
import { toCairnError } from './error-handler.js';

const doc = readFileSync(new URL('../../../../docs/http-api.md', import.meta.url), 'utf8');

describe('error table', () => {
  it('documents every code with its status in docs/http-api.md', () => {
    for (const code of ERROR_CODES) {
      expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${HTTP_STATUS_BY_CODE[code]} \\|`));
    }
  });

  it('maps framework statuses back to codes with the same status', () => {
    for (const code of ERROR_CODES) {
      if (code === 'ALREADY_EXISTS' || code === 'FAILED_PRECONDITION') continue; // share 409 / 400 with CONFLICT / INVALID_ARGUMENT
      expect(HTTP_STATUS_BY_CODE[codeForStatus(HTTP_STATUS_BY_CODE[code])], code).toBe(HTTP_STATUS_BY_CODE[code]);
    }
  });

  it('keeps CairnErrors, hides unexpected errors behind INTERNAL, and keeps client errors 4xx', () => {
    const known = new CairnError('NOT_FOUND', 'gone');
    expect(toCairnError(known)).toBe(known);
    const internal = toCairnError(new Error('SELECT * FROM secret_table failed at /srv/app.js:1'));
    expect(internal.code).toBe('INTERNAL');
    expect(internal.message).not.toContain('secret_table');
    expect(toCairnError(Object.assign(new Error('too big'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).code).toBe('RESOURCE_EXHAUSTED');
    expect(toCairnError(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 })).code).toBe('INVALID_ARGUMENT');
    expect(toCairnError(Object.assign(new Error('closing'), { statusCode: 503 })).code).toBe('UNAVAILABLE');
  });
});
