import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform } from '@cairn/core';
import { freshPostgresUri } from '../../core/src/testing/postgres.js';
import { startServer, type RunningServer } from '../src/serve.js';
import { AVAILABLE, BACKENDS } from './helpers.js';

interface Reply { status: number; body: string; headers: Record<string, string | string[] | undefined>; reusedSocket: boolean }

function send(agent: Agent, base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A real server on a loopback port: keep-alive, graceful shutdown and upload limits as clients see them.
for (const backend of BACKENDS) {
  describe.skipIf(!AVAILABLE[backend])(`startServer on a loopback port [${backend}]`, () => {
    let server: RunningServer | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    async function start(maxUploadBytes?: number) {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-serve-'));
      const pg = backend === 'postgres' ? freshPostgresUri() : null;
      const config = loadConfig({
        cwd: dir,
        env: {},
        overrides: { store: { uri: pg ? pg.uri : `sqlite:${join(dir, 'cairn.db')}` }, server: { port: 0, request_log: false } },
      });
      server = await startServer(config, { logger: false, handleSignals: false, maxUploadBytes });
      cleanup = async () => {
        await pg?.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      return { server, config };
    }

    afterEach(async () => {
      await server?.close();
      await cleanup?.();
      server = undefined;
    });

    it('keeps connections alive for 72 s', async () => {
      const { server } = await start();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const first = await send(agent, server.url, 'GET', '/health');
      const second = await send(agent, server.url, 'GET', '/health');
      expect(JSON.parse(first.body)).toEqual({ status: 'ok', version: expect.any(String), heartbeatTimeoutSeconds: 600 });
      expect(first.headers.connection).toBe('keep-alive');
      expect(first.headers['keep-alive']).toBe('timeout=72');
      expect(second.reusedSocket).toBe(true);
      agent.destroy();
    });

    it('answers 413 to an upload over the limit, even mid-stream without Content-Length', async () => {
      const { server } = await start(1000);
      const agent = new Agent({ keepAlive: true });
      const exp = JSON.parse((await send(agent, server.url, 'POST', '/api/v1/experiments', JSON.stringify({ name: 'big' }))).body).experiment;
      const run = JSON.parse((await send(agent, server.url, 'POST', '/api/v1/runs', JSON.stringify({ experimentId: exp.experimentId }))).body).run;
      const res = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/api/v1/runs/${run.info.runId}/artifacts/content?path=big.bin`, { method: 'PUT', agent, headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(Buffer.alloc(800));
        setTimeout(() => req.end(Buffer.alloc(800)), 50);
      });
      expect(res).toBe(413);
      agent.destroy();
    });

    it('finishes in-flight writes on close: every acknowledged write is in the database', async () => {
      const { server, config } = await start();
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const exp = JSON.parse((await send(agent, server.url, 'POST', '/api/v1/experiments', JSON.stringify({ name: 'burst' }))).body).experiment;
      const run = JSON.parse((await send(agent, server.url, 'POST', '/api/v1/runs', JSON.stringify({ experimentId: exp.experimentId }))).body).run;
      const acked: number[] = [];
      let refused = 0;
      let closeCalled = false;
      let ackedWhileClosing = 0;
      const writes = Array.from({ length: 300 }, (_, step) =>
        send(agent, server.url, 'POST', `/api/v1/runs/${run.info.runId}/batch`, JSON.stringify({ metrics: [{ key: 'm', value: step, timestamp: 1, step }] })).then(
          (r) => {
            if (r.status !== 200) {
              // Refused writes say why, in the API's error shape.
              if (r.status === 503) expect(JSON.parse(r.body).error_code).toBe('UNAVAILABLE');
              return refused++;
            }
            acked.push(step);
            if (closeCalled) ackedWhileClosing++;
          },
          () => refused++,
        ),
      );
      // Close while the burst is in flight: some writes done, some running, some not yet sent.
      while (acked.length < 20) await new Promise((r) => setTimeout(r, 1));
      closeCalled = true;
      const closing = server.close();
      await Promise.all(writes);
      await closing;
      agent.destroy();
      expect(acked.length).toBeGreaterThanOrEqual(20);
      // Requests already being handled when close() was called still completed.
      expect(ackedWhileClosing).toBeGreaterThan(0);
      expect(acked.length + refused).toBe(300);

      const platform = await openPlatform(config);
      try {
        const history = await platform.runs.getMetricHistory(run.info.runId, 'm');
        const stored = new Set(history.items.map((m) => m.step));
        for (const step of acked) expect(stored.has(step), `acknowledged step ${step}`).toBe(true);
      } finally {
        await platform.close();
      }
    });
  });
}
