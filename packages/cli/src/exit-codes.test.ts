import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../core/src/testing/fault-proxy.js';
import { runCli } from './testing/cli-process.js';

describe('cairn exit codes', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    // A PostgreSQL address that refuses connections (the proxy's own port; the shared server is never touched).
    proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 });
    proxy.refuse();
  });
  afterAll(async () => proxy?.close());

  it('exits 3 with a message saying what to do when the database is unreachable', async () => {
    const res = await runCli(['experiments', 'list'], { cwd: tmpdir(), env: { CAIRN_STORE_URI: `postgres://cairn:secret@${proxy.address}/test` } });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^error: The metadata database \(PostgreSQL at 127\.0\.0\.1:\d+\/test\) is unavailable: .*ECONNREFUSED/);
    expect(res.stderr).toContain('Retry in a moment');
    expect(res.stderr).not.toContain('secret');
    expect(res.stderr).not.toContain('looks like a bug');
  });
});
