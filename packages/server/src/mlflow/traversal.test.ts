import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { API, ARTIFACTS, describeMlflow, type MlflowHarness } from './conformance-harness.js';

// Hostile paths on every artifact route. A canary file sits next to the artifact root (at
// `<dir>/x`, where `../x` from the root would land); it must never be read, written or deleted.
const CORPUS = ['../x', '..%2fx', '%252e%252e%252fx', '..\\x', 'a;/../x', 'a#/../x', '/etc/passwd', '//host/x'];
// Runs keep artifacts three levels below the root, so run-relative paths need four `..` to escape.
const DEEP = ['../../../../x', '..%2f..%2f..%2f..%2fx', 'a/../../../../../x'];

interface Canary { file: string; secret: string }

function plantCanary(h: MlflowHarness): Canary {
  const secret = `CANARY-${randomBytes(8).toString('hex')}`;
  const file = join(h.dir, 'x');
  writeFileSync(file, secret);
  return { file, secret };
}

/** Every file outside the artifact root (the database excepted) with its content. */
function outsideRoot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path);
      if (rel === 'artifacts' || rel.startsWith('cairn.db')) continue;
      if (entry.isDirectory()) walk(path);
      else out[rel] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function expectCanarySafe(h: MlflowHarness, canary: Canary, before: Record<string, string>, bodies: string[]): void {
  expect(existsSync(canary.file)).toBe(true);
  expect(readFileSync(canary.file, 'utf8')).toBe(canary.secret);
  expect(outsideRoot(h.dir)).toEqual(before);
  for (const body of bodies) {
    expect(body).not.toContain(canary.secret);
    expect(body).not.toMatch(/root:.*:0:0:/);
  }
}

/** The path to write or delete: absolute entries aim at the canary, never at a real system file. */
const writable = (entry: string, canary: Canary) => (entry.startsWith('/') && !entry.startsWith('//') ? canary.file : entry);

function rawHttp(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describeMlflow('MLflow artifact routes refuse path traversal', (test) => {
  test('percent-encoded hostile paths get 400 INVALID_PARAMETER_VALUE on every route', async (h) => {
    const canary = plantCanary(h);
    const before = outsideRoot(h.dir);
    const run = await h.run();
    const bodies: string[] = [];
    for (const entry of [...CORPUS, ...DEEP]) {
      const target = encodeURIComponent(writable(entry, canary));
      const read = encodeURIComponent(entry);
      const replies = [
        await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${target}`, payload: 'PWNED' }),
        await h.app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${target}` }),
        await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${read}` }),
        await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${read}` }),
        await h.app.inject({ method: 'GET', url: `${API}/artifacts/list?run_id=${run.info.run_id}&path=${read}` }),
      ];
      for (const [i, reply] of replies.entries()) {
        bodies.push(reply.body);
        expect(reply.statusCode, `${entry} (request ${i})`).toBe(400);
        expect(reply.json(), `${entry} (request ${i})`).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.any(String) });
      }
    }
    expectCanarySafe(h, canary, before, bodies);
  });

  test('hostile paths sent unencoded never leave the root (in-process requests)', async (h) => {
    const canary = plantCanary(h);
    const before = outsideRoot(h.dir);
    const bodies: string[] = [];
    // A '#' starts the URL fragment, which never reaches a server; those entries are covered encoded.
    for (const entry of [...CORPUS, ...DEEP].filter((e) => !e.includes('#'))) {
      for (const [method, url] of [
        ['PUT', `${ARTIFACTS}/${writable(entry, canary)}`],
        ['DELETE', `${ARTIFACTS}/${writable(entry, canary)}`],
        ['GET', `${ARTIFACTS}/${entry}`],
        ['GET', `${ARTIFACTS}?path=${entry}`],
      ] as const) {
        const reply = await h.app.inject({ method, url, payload: method === 'PUT' ? 'PWNED' : undefined });
        bodies.push(reply.body);
        // URL normalization may turn `a;/../x` into a harmless `x` inside the root; nothing may escape it.
        expect([200, 400, 404], `${method} ${url}`).toContain(reply.statusCode);
      }
    }
    expectCanarySafe(h, canary, before, bodies);
  });

  test('hostile raw paths over a real socket get 400 and leave the canary alone', async (h) => {
    const canary = plantCanary(h);
    const before = outsideRoot(h.dir);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const bodies: string[] = [];
    for (const entry of [...CORPUS, ...DEEP]) {
      for (const [method, path] of [
        ['PUT', `${ARTIFACTS}/${writable(entry, canary)}`],
        ['DELETE', `${ARTIFACTS}/${writable(entry, canary)}`],
        ['GET', `${ARTIFACTS}/${entry}`],
      ] as const) {
        const reply = await rawHttp(port, method, path, method === 'PUT' ? 'PWNED' : undefined);
        bodies.push(reply.body);
        // The server cuts the path at '#' (a fragment), so `a#/../x` names the harmless key `a`.
        if (entry.includes('#')) continue;
        expect([400, 404], `${method} ${path}: ${reply.body}`).toContain(reply.status);
        expect(JSON.parse(reply.body).error_code, `${method} ${path}`).toMatch(/^(INVALID_PARAMETER_VALUE|ENDPOINT_NOT_FOUND)$/);
      }
    }
    expectCanarySafe(h, canary, before, bodies);
  });
});
