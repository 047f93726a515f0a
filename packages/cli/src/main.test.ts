import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from './testing/cli-process.js';

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
