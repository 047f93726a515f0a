import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../src/testing/cli-process.js';

// `kill -9` of the server in the middle of an upload leaves the partial file in .cairn-tmp; the next
// process that opens the store removes it, because its writer is dead.

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('uploads cut off by kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-upload-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leave no temp file once the store is opened again', async () => {
    writeFileSync(join(dir, 'cairn.yaml'), 'server:\n  request_log: false\n');
    const temp = join(dir, '.cairn', 'artifacts', '.cairn-tmp');
    const server = await startCliServer({ cwd: dir });
    const post = async (path: string, body: unknown) => (await (await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { run: { info: { runId: string } } };
    const runId = (await post('/api/v1/runs', { experimentId: '0' })).run.info.runId;

    // An upload that never finishes: the server writes what arrives into its temp file.
    const upload = request(`${server.url}/api/v1/runs/${runId}/artifacts/content?path=model.bin`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } });
    upload.on('error', () => undefined);
    upload.write(Buffer.alloc(64 * 1024, 7));
    await until(() => existsSync(temp) && readdirSync(temp).length === 1, 'the upload to start writing');
    server.process.kill('SIGKILL');
    await new Promise((resolve) => server.process.once('exit', resolve));
    upload.destroy();
    expect(readdirSync(temp)).toHaveLength(1);

    // Any command that opens the store sweeps it; the next server would too.
    const list = await runCli(['experiments', 'list'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(readdirSync(temp)).toEqual([]);
  });
});
