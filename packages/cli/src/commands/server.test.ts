import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cairn } from '../sdk/cairn.js';
import { runCli, startCliServer, type CliServer } from '../testing/cli-process.js';

describe('cairn server, used through --uri and the SDK', () => {
  let dir: string;
  let server: CliServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-cli-server-'));
    writeFileSync(join(dir, 'cairn.yaml'), 'server:\n  request_log: false\n');
    server = await startCliServer({ cwd: dir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL it listens on and serves the project store in .cairn/', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain('store sqlite:.cairn/cairn.db');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('serves CLI commands and SDK runs over HTTP', async () => {
    // Run from another folder, so only --uri can lead the CLI to the data.
    const elsewhere = tmpdir();
    const created = await runCli(['--uri', server.url, 'experiments', 'create', 'remote'], { cwd: elsewhere });
    expect(created).toMatchObject({ code: 0, stderr: '' });

    const cairn = await Cairn.connect({ uri: server.url });
    const runId = await cairn.run({ experiment: 'remote', name: 'over-http', params: { lr: 0.1 } }, (run) => {
      run.logMetric('loss', Number.NaN, { step: 1 });
      return run.id;
    });
    await cairn.close();

    const list = await runCli(['runs', 'list', '-e', 'remote', '--json'], { cwd: elsewhere, env: { CAIRN_TRACKING_URI: server.url } });
    const runs = JSON.parse(list.stdout).runs;
    expect(runs).toEqual([expect.objectContaining({ info: expect.objectContaining({ runId, runName: 'over-http', status: 'FINISHED' }) })]);
    expect(runs[0].data.metrics[0].value).toBe('NaN');

    const missing = await runCli(['--uri', server.url, 'runs', 'show', 'ffffffffffffffffffffffffffffffff'], { cwd: elsewhere });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Run 'f+' does not exist/);
  });

  it('says when no server answers', async () => {
    const res = await runCli(['--uri', 'http://127.0.0.1:9', 'experiments', 'list'], { cwd: tmpdir() });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^error: Cannot reach the Cairn server at http:\/\/127\.0\.0\.1:9/);
  });
});
