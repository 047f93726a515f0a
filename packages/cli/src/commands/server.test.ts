import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cairn } from '../sdk/cairn.js';
import { CAIRN_BIN, childEnv, runCli, startCliServer, type CliServer } from '../testing/cli-process.js';

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

// util-linux's `script` runs a command on a pseudo-terminal, as a person's shell does.
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('cairn server, as a person starts it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-cli-server-ux-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says which port is taken and how to choose another, with exit 3, unavailable (not "a bug in Cairn")', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const port = (holder.address() as { port: number }).port;
    try {
      const res = await runCli(['server', '--port', String(port)], { cwd: dir });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(new RegExp(`^error: Port ${port} on 127\\.0\\.0\\.1 is already in use by another process`));
      expect(res.stderr).toContain('--port');
      expect(res.stderr).not.toContain('bug in Cairn');
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });

  it('logs JSON lines when its output is not a terminal', async () => {
    const server = await startCliServer({ cwd: dir });
    try {
      await fetch(`${server.url}/health`);
      const deadline = Date.now() + 20_000;
      while (!server.output().includes('"request completed"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const line = server.output().split('\n').find((l) => l.includes('"request completed"'))!;
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'request completed', res: { statusCode: 200 } });
    } finally {
      await server.stop();
    }
  });

  it.skipIf(!hasScript)('logs one readable line per event on a terminal, no JSON', async () => {
    // `script` gives the server a terminal; the server reports its URL, the test calls /health, then stops it.
    const command = [process.execPath, CAIRN_BIN, 'server', '--port', '0'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const wait = async (cond: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!cond()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server output:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await wait(() => /listening on (http:\/\/\S+)/.test(output));
      const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
      await fetch(`${url}/health`);
      await wait(() => / 200 in \d/.test(output));
      expect(output).toMatch(/\[\d\d:\d\d:\d\d\] INFO: req-1 GET \/health/);
      expect(output).toMatch(/req-1 200 in \d+\.\d ms/);
      expect(output).not.toContain('{"level"');
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
    }
  });
});
