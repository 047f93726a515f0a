// What a training script's user sees from the SDK: one line per ended run that says how to look at
// it (unless quiet), and, when the artifact folder is not writable, an error that names the folder
// and what to change, with no "check the server log" when no server runs.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownProcessArgs } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, openToAll, runCli, unprivileged, needUnprivileged } from '../src/testing/cli-process.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/sdk-run.ts', import.meta.url));
// tsx's loader by absolute URL (the child runs in a temp folder) and the "@cairn/source" export condition.
const TS_NODE_ARGS = ownProcessArgs();

interface Result { code: number | null; stdout: string; stderr: string }

function script(dir: string, args: string[], options: { env?: Record<string, string>; user?: { uid?: number; gid?: number } } = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [...TS_NODE_ARGS, SCRIPT, ...args], { cwd: dir, env: childEnv({ HOME: dir, ...options.env }), timeout: 120_000, ...options.user }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('the SDK in a training script', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cairn-sdk-messages-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints one line when a run ends: its name, status, experiment and the command that shows it', async () => {
    const dir = join(root, 'notice');
    mkdirSync(dir);
    const res = await script(dir, ['baseline']);
    expect(res.code, res.stderr).toBe(0);
    const runId = res.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.stderr).toBe(`Cairn: run 'baseline' FINISHED in experiment 'notice'. View it: npx cairn runs show ${runId}\n`);
    // The command it names works, from the same folder.
    const shown = await runCli(['runs', 'show', runId], { cwd: dir });
    expect(shown.stdout).toMatch(/status\s+FINISHED/);
  });

  it('is quiet with CAIRN_QUIET=1 or connect({ quiet: true })', async () => {
    const dir = join(root, 'quiet');
    mkdirSync(dir);
    const byEnv = await script(dir, ['a'], { env: { CAIRN_QUIET: '1' } });
    expect(byEnv).toMatchObject({ code: 0, stderr: '' });
    const byOption = await script(dir, ['b', '--quiet']);
    expect(byOption).toMatchObject({ code: 0, stderr: '' });
  });

  it('names the artifact folder that is not writable, and what to change (embedded: no server log to check)', async ({ skip }) => {
    needUnprivileged(skip);
    const dir = join(root, 'read-only-artifacts');
    mkdirSync(join(dir, '.cairn', 'artifacts'), { recursive: true });
    openToAll(root);
    openToAll(dir);
    openToAll(join(dir, '.cairn'));
    chmodSync(join(dir, '.cairn', 'artifacts'), 0o555);
    const res = await script(dir, ['with-artifact', '--artifact'], { user: unprivileged() });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`permission denied on ${join(dir, '.cairn', 'artifacts')}`);
    expect(res.stderr).toContain('set artifact.uri in cairn.yaml (or CAIRN_ARTIFACT_URI) to a writable folder');
    expect(res.stderr).not.toContain('server log');
    // The run that could not store its artifact ended FAILED, and said so.
    expect(res.stderr).toMatch(/Cairn: run 'with-artifact' FAILED in experiment 'notice'/);
  });
});
