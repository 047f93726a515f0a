import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CAIRN_BIN, runCli } from './testing/cli-process.js';

describe('cairn (top level)', () => {
  const cli = (...args: string[]) => runCli(args, { cwd: tmpdir() });

  it('teaches with --help: global options and examples on every level', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const s of ['--config <file>', '--uri <uri>', '--token <secret>', 'experiments', 'runs', 'server', 'tokens', 'Examples:']) expect(top.stdout).toContain(s);
    const sub = await cli('runs', 'list', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('Filter syntax');
    expect(sub.stdout).toContain('$ cairn runs list');
  });

  it('exits quietly when the reader closes the pipe early (cairn --help | head -1)', async () => {
    const child = spawn(process.execPath, [CAIRN_BIN, '--help'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the CLI has started: its first write meets a closed pipe, as behind `head -1`.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prints its version', async () => {
    expect((await cli('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on unknown commands and options, with a hint', async () => {
    const res = await cli('experimnts', 'list');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("error: unknown command 'experimnts'");
    expect(res.stderr).toContain('(Did you mean experiments?)');
    const opt = await cli('experiments', 'list', '--jsn');
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain("unknown option '--jsn'");
  });

  it('reports a broken cairn.yaml as a user error', async () => {
    const res = await runCli(['--config', 'missing.yaml', 'experiments', 'list'], { cwd: tmpdir() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: Config file .*missing\.yaml does not exist\./);
  });
});
