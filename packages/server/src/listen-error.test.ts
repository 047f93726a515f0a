import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError, loadConfig } from '@cairn/core';
import { startServer } from './serve.js';

describe('startServer on a port another process holds', () => {
  let dir: string;
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-listen-'));
    holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((done) => holder.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which port is taken, that another process holds it, and how to pick another', async () => {
    const config = loadConfig({ cwd: dir, env: {}, overrides: { server: { port } } });
    const e = await startServer(config, { logger: false, handleSignals: false }).then(() => null, (err: unknown) => err);
    expect(isCairnError(e, 'UNAVAILABLE')).toBe(true);
    const message = (e as Error).message;
    expect(message).toContain(`Port ${port} on 127.0.0.1 is already in use by another process`);
    expect(message).toContain('--port');
    expect(message).toContain('CAIRN_SERVER_PORT');
    expect((e as Error & { cause?: { code?: string } }).cause?.code).toBe('EADDRINUSE');
  });
});
