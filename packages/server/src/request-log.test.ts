import { describe, expect, it } from 'vitest';
import { redactUrl } from './request-log.js';

const SECRET = 'cairn_Q2FpcnNlY3JldGZvcnRoZXRlc3Rvbmx5MTIzNDU2Nzg5';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/experiments', '/api/v1/experiments'],
    ['/api/v1/experiments?maxResults=5&pageToken=abc&key=loss', '/api/v1/experiments?maxResults=5&pageToken=abc&key=loss'],
    [`/api/v1/experiments?access_token=${SECRET}`, '/api/v1/experiments?access_token=[redacted]'],
    ['/x?token=t&api_key=k&apiKey=k&password=p&Authorization=Bearer%20x&acc%65ss_token=y', '/x?token=[redacted]&api_key=[redacted]&apiKey=[redacted]&password=[redacted]&Authorization=[redacted]&acc%65ss_token=[redacted]'],
    [`/x?q=${SECRET}&n=1`, '/x?q=cairn_[redacted]&n=1'],
    [`/api/v1/runs/${SECRET}/artifacts`, '/api/v1/runs/cairn_[redacted]/artifacts'],
    ['/x?%zz=1&token', '/x?%zz=1&token'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
