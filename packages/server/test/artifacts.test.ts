import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { TRAVERSAL_CORPUS } from '../../core/src/paths/traversal-corpus.js';
import { call, describeEachBackend, seedRun } from './helpers.js';

const MAX_UPLOAD = 200_000;
// The brief's cases, sent both percent-encoded (the server sees exactly this string) and raw in the URL.
const HOSTILE = ['../x', '..%2fx', '%252e%252e%252fx', '..\\x', 'a;/../x', 'a#/../x', '/etc/passwd', '//host/x', ...TRAVERSAL_CORPUS];

describeEachBackend('artifact routes', (ctx) => {
  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(ctx().app, method, url, body, headers);
  let runId: string;
  const base = () => `/api/v1/runs/${runId}/artifacts`;
  const q = (p: string) => `?path=${encodeURIComponent(p)}`;
  // A lone surrogate cannot be percent-encoded (it is not Unicode); send its UTF-8 replacement bytes' worth.
  const qAny = (p: string) => {
    try {
      return q(p);
    } catch {
      return `?path=${encodeURIComponent(p.replace(/[\ud800-\udfff]/g, '\ufffd'))}%ED%A0%80`;
    }
  };

  beforeAll(async () => {
    runId = (await seedRun(ctx().app)).runId;
  });

  it('uploads, lists, downloads byte-exact and deletes', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const put = await api('PUT', `${base()}/content${q('model/weights 🧠.bin')}`, bytes, { 'content-type': 'application/octet-stream' });
    expect(put.status).toBe(200);
    expect(put.body.file).toMatchObject({ path: 'model/weights 🧠.bin', size: 512, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // JSON uploads are files too: they must not be parsed.
    const json = await api('PUT', `${base()}/content${q('model/meta.json')}`, '{"a": 1', { 'content-type': 'application/json' });
    expect(json.status).toBe(200);

    expect((await api('GET', base())).body.files).toEqual([{ path: 'model', isDir: true, size: null }]);
    expect((await api('GET', `${base()}${q('model')}`)).body.files.map((f: { path: string }) => f.path)).toEqual(['model/meta.json', 'model/weights 🧠.bin']);

    const res = await ctx().app.inject({ method: 'GET', url: `${base()}/content${q('model/weights 🧠.bin')}` });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(bytes)).toBe(true);
    expect(res.headers['content-length']).toBe('512');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe('attachment');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await ctx().app.inject({ method: 'GET', url: `${base()}/content${q('model/meta.json')}` })).body).toBe('{"a": 1');

    expect((await api('DELETE', `${base()}/content${q('model/weights 🧠.bin')}`)).status).toBe(200);
    const gone = await api('GET', `${base()}/content${q('model/weights 🧠.bin')}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('NOT_FOUND');
    expect((await api('GET', `${base()}/content${q('model')}`)).status).toBe(404);
  });

  it('accepts an upload larger than the JSON body limit but refuses one above the upload limit', async () => {
    const big = Buffer.alloc(100_000, 7);
    expect((await api('PUT', `${base()}/content${q('big.bin')}`, big, { 'content-type': 'application/octet-stream' })).status).toBe(200);
    const tooBig = await api('PUT', `${base()}/content${q('huge.bin')}`, Buffer.alloc(MAX_UPLOAD + 1), { 'content-type': 'application/octet-stream' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error_code).toBe('RESOURCE_EXHAUSTED');
    // Without a Content-Length the store counts bytes as they stream in.
    const chunked = await ctx().app.inject({
      method: 'PUT',
      url: `${base()}/content${q('huge.bin')}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Readable.from([Buffer.alloc(MAX_UPLOAD), Buffer.alloc(10)]),
    });
    expect(chunked.statusCode).toBe(413);
    expect((await api('GET', `${base()}/content${q('huge.bin')}`)).status).toBe(404);
  });

  it('answers 404 for an unknown run on every artifact route', async () => {
    const other = '/api/v1/runs/ffffffffffffffffffffffffffffffff/artifacts';
    expect((await api('GET', other)).status).toBe(404);
    expect((await api('GET', `${other}/content?path=a`)).status).toBe(404);
    expect((await api('PUT', `${other}/content?path=a`, 'x', { 'content-type': 'text/plain' })).status).toBe(404);
    expect((await api('DELETE', `${other}/content?path=a`)).status).toBe(404);
  });

  it('refuses path traversal on every route, and never touches a file outside the root', async () => {
    const canary = join(ctx().dir, 'canary.txt');
    writeFileSync(canary, 'canary');
    const before = readdirSync(ctx().dir).filter((f) => !f.startsWith('cairn.db')).sort();
    for (const p of HOSTILE) {
      for (const [method, url] of [['GET', base()], ['GET', `${base()}/content`], ['PUT', `${base()}/content`], ['DELETE', `${base()}/content`]] as const) {
        const body = method === 'PUT' ? 'pwned' : undefined;
        const encoded = await api(method, `${url}${qAny(p)}`, body, body ? { 'content-type': 'text/plain' } : {});
        expect(encoded.status, `${method} ${url} ${JSON.stringify(p)}`).toBe(400);
        expect(encoded.body.error_code).toBe('INVALID_ARGUMENT');
        // Sent raw, the URL parser may cut the value first ('#' ends it); whatever the server sees stays inside the run.
        const raw = await api(method, `${url}?path=${p}`, body, body ? { 'content-type': 'text/plain' } : {});
        expect(raw.status, `raw ${method} ${url} ${JSON.stringify(p)}`).toBeLessThan(500);
        if (raw.status >= 400) expect(['INVALID_ARGUMENT', 'NOT_FOUND']).toContain(raw.body.error_code);
      }
    }
    expect(readFileSync(canary, 'utf8')).toBe('canary');
    expect(readdirSync(ctx().dir).filter((f) => !f.startsWith('cairn.db')).sort()).toEqual(before);
    expect(readFileSync('/etc/passwd', 'utf8')).toContain('root');
  });
}, { config: { server: { body_limit_bytes: 65_536 } }, app: { maxUploadBytes: MAX_UPLOAD } });
