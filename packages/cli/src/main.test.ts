import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, openToAll, runCli, unprivileged, needUnprivileged } from './testing/cli-process.js';

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

  it('describes the whole platform at the top, and exits 0 for help that was asked for', async () => {
    const top = await cli('--help');
    // Commander wraps the description to the terminal's width.
    const text = top.stdout.replace(/\s+/g, ' ');
    for (const part of ['experiment tracking', 'model registry', 'feature store', 'pipeline orchestrator', 'model serving with monitoring', 'web UI', 'Exit codes']) expect(text).toContain(part);
    for (const example of ['cairn models promote', 'cairn features', 'cairn pipelines run']) expect(top.stdout).toContain(example);
    const helpOfHelp = await cli('help', '--help');
    expect(helpOfHelp.code).toBe(0);
    expect(helpOfHelp.stdout).toContain('Usage: cairn');
    const helpOfRuns = await cli('help', 'runs');
    expect(helpOfRuns.code).toBe(0);
    expect(helpOfRuns.stdout).toContain('Usage: cairn runs');
    // Help shown because the command line was incomplete is a usage error.
    expect((await cli()).code).toBe(2);
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

describe('cairn with a store it cannot use', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-store-mistakes-'));
    openToAll(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a store URI whose folder does not exist, and creates nothing (a typo is not a new store)', async () => {
    const res = await runCli(['--uri', `sqlite:${dir}/typo/dir/c.db`, 'experiments', 'list'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error: Cannot create the store ${dir}/typo/dir/c.db: the folder ${dir}/typo/dir does not exist.`);
    expect(res.stderr).toContain(`mkdir -p ${dir}/typo/dir`);
    expect(res.stderr).not.toContain('bug in Cairn');
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('names a store folder that is not writable, and what to change (not "unable to open database file")', async ({ skip }) => {
    needUnprivileged(skip);
    const folder = join(dir, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    const res = await runCli(['--uri', 'sqlite:read-only/c.db', 'experiments', 'list'], { cwd: dir, user: unprivileged() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^error: Cannot open the store ${folder}/c\\.db: the folder ${folder} is not writable by this user`));
    expect(res.stderr).toContain('CAIRN_STORE_URI');
    expect(res.stderr).not.toContain('bug in Cairn');
  });

  it("says when the project's .cairn/ folder cannot be made", async ({ skip }) => {
    needUnprivileged(skip);
    const project = join(dir, 'read-only-project');
    mkdirSync(project);
    chmodSync(project, 0o555);
    const res = await runCli(['experiments', 'list'], { cwd: project, user: unprivileged() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error: Cannot create the store folder ${project}/.cairn: ${project} is not writable by this user`);
  });
});
