import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, runCli } from '../testing/cli-process.js';

const FIXTURES = fileURLToPath(new URL('../../../core/src/pipelines/fixtures/', import.meta.url));
const BASIC = join(FIXTURES, 'basic-pipelines.ts');
const CRASHY = join(FIXTURES, 'crash-pipelines.ts');

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('cairn pipelines (SQLite project)', () => {
  let t: TestPlatform;
  const env = () => ({ CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts'), CAIRN_PIPELINES_HEARTBEAT_TIMEOUT_SECONDS: '1' });
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: env() });
  const background = (...args: string[]) => {
    const child = spawn(process.execPath, [CAIRN_BIN, ...args], { cwd: t.dir, env: { ...process.env, NO_COLOR: '1', ...env() } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => output, exited };
  };
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('runs a pipeline file with plain progress lines, then lists, shows, explains and traces it', async () => {
    writeFileSync(join(t.dir, 'run.yaml'), 'params:\n  n: 3\n');
    const res = await cli('pipelines', 'run', BASIC, '--pipeline', 'basic', '--config', 'run.yaml', '--param', 'scale=2');
    expect(res.stderr).toMatch(/^Pipeline run [0-9a-f]{32}\n$/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d\d:\d\d:\d\d load RUNNING$/m);
    expect(res.stdout).toMatch(/^\d\d:\d\d:\d\d run COMPLETED$/m);
    const runId = /Pipeline run (\w+)/.exec(res.stderr)![1]!;
    expect((await cli('pipelines', 'list')).stdout).toMatch(/^basic\s+3\s+n, scale\s+\S+ \S+\s+COMPLETED\s+\S*basic-pipelines\.ts$/m);
    expect((await cli('pipelines', 'runs')).stdout).toContain(`${runId}  basic`);
    const show = JSON.parse((await cli('pipelines', 'show', runId, '--json')).stdout);
    expect(show.run.params).toEqual({ n: 3, scale: 2 });
    expect((await cli('pipelines', 'show', runId)).stdout).toMatch(/^summarize\s+COMPLETED\s+1\s+\S+ ms\s+miss/m);
    expect((await cli('pipelines', 'logs', runId, 'load')).stdout).toBe('loading 3 rows\nloaded via ctx.log\n');
    expect((await cli('pipelines', 'lineage', runId)).stdout).toMatch(/summarize COMPLETED\n {2}← rows: table [0-9a-f]{12} from load\.rows\n/);
    // The step's tracking run, as `cairn runs show` prints it: the table it read, the outputs it wrote.
    const summarize = show.steps[1] as { trackingRunId: string };
    const tracked = (await cli('runs', 'show', summarize.trackingRunId)).stdout;
    expect(tracked).toMatch(/^load\.rows\s+[0-9a-f]{64}\s+rows\s+cairn-pipeline-artifact\s+-$/m);
    expect(tracked).toMatch(/^mean\s+number\s+([0-9a-f]{12})\s+cairn-artifacts:\/pipelines\/objects\/([0-9a-f]{2})\/\1[0-9a-f]{52}$/m);

    const again = await cli('pipelines', 'run', BASIC, '--pipeline', 'basic', '--param', 'n=3', '--param', 'scale=3', '--json');
    const second = JSON.parse(again.stdout);
    expect(second.steps.map((s: { status: string }) => s.status)).toEqual(['CACHED', 'CACHED', 'COMPLETED']);
    const explain = await cli('pipelines', 'explain', second.run.runId, 'report');
    expect(explain.stdout).toContain("param 'scale' changed: 2 → 3");
  });

  it('reports a cycle and unknown params before running anything (exit 1)', async () => {
    const cyclic = await cli('pipelines', 'run', join(FIXTURES, 'invalid-pipelines.ts'));
    expect(cyclic.code).toBe(1);
    expect(cyclic.stderr).toContain("error: Pipeline 'cyclic' is not valid; nothing was run:\n  - cycle: a → b → c → a");
    const unknown = await cli('pipelines', 'run', BASIC, '--pipeline', 'basic', '--param', 'lr=1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown param 'lr': pipeline 'basic' declares n, scale");
    const many = await cli('pipelines', 'run', BASIC);
    expect(many.stderr).toMatch(/exports several pipelines \(basic, .*\): choose one with --pipeline NAME/);
    expect((await cli('worker')).stderr).toContain("pipelines.executor is 'local'");
  });

  it('Ctrl-C cancels the run: the running step stops, the run ends CANCELLED', async () => {
    const dir = join(t.dir, 'ctrl-c');
    await import('node:fs').then((fs) => fs.mkdirSync(dir));
    const run = background('pipelines', 'run', CRASHY, '--pipeline', 'crashy', '--param', `dir=${dir}`);
    await until(() => existsSync(join(dir, 'gate.count')));
    run.child.kill('SIGINT');
    // A cancel the user asked for is said as one, with the shell's exit code for Ctrl-C, not as an error.
    expect(await run.exited).toBe(130);
    const runId = /Pipeline run (\w+)/.exec(run.output())![1]!;
    expect(run.output()).toContain(`Cancelled pipeline run ${runId} at your request (Ctrl-C). Resume it with \`cairn pipelines resume ${runId}\``);
    expect(run.output()).not.toMatch(/^error:/m);
    const show = JSON.parse((await cli('pipelines', 'show', runId, '--json')).stdout);
    expect(show.steps.map((s: { status: string }) => s.status)).toEqual(['COMPLETED', 'CANCELLED', 'CANCELLED']);
  });

  it('cancels a run from another process, and resumes it', async () => {
    const dir = join(t.dir, 'cancel');
    await import('node:fs').then((fs) => fs.mkdirSync(dir));
    const run = background('pipelines', 'run', CRASHY, '--pipeline', 'crashy', '--param', `dir=${dir}`);
    await until(() => existsSync(join(dir, 'gate.count')));
    const runId = /Pipeline run (\w+)/.exec(run.output())![1]!;
    const cancel = await cli('pipelines', 'cancel', runId);
    expect(cancel.stdout).toBe(`Pipeline run ${runId} is CANCELLED.\n`);
    expect(await run.exited).toBe(1);
    writeFileSync(join(dir, 'release'), '');
    const resumed = await cli('pipelines', 'resume', runId, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).steps.map((s: { status: string }) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  });

  it('follows the logs of a running run (logs --follow) and stops when it ends', async () => {
    const dir = join(t.dir, 'follow');
    mkdirSync(dir);
    const run = background('pipelines', 'run', join(FIXTURES, 'log-pipelines.ts'), '--param', `dir=${dir}`);
    await until(() => /Pipeline run \w+/.test(run.output()));
    const runId = /Pipeline run (\w+)/.exec(run.output())![1]!;
    const follow = background('pipelines', 'logs', runId, '--follow');
    await until(() => /\[talk\] line 3\n/.test(follow.output()));
    // Still following: the run has not ended.
    expect(await Promise.race([follow.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('following'), 700))])).toBe('following');
    writeFileSync(join(dir, 'release'), '');
    expect(await run.exited).toBe(0);
    expect(await follow.exited).toBe(0);
    const lines = follow.output().trimEnd().split('\n');
    // Every line once, in order, up to the last one the step printed.
    expect(lines).toEqual([...Array.from({ length: lines.length - 1 }, (_, i) => `[talk] line ${i + 1}`), '[talk] done']);
    expect(lines.length).toBeGreaterThan(4);
    expect(`${lines.join('\n')}\n`).toBe((await cli('pipelines', 'logs', runId)).stdout);
  });

  it('manages cron schedules', async () => {
    const add = await cli('pipelines', 'schedule', 'add', 'nightly', '0 3 * * *', '--file', BASIC, '--pipeline', 'basic', '--param', 'n=2');
    expect(add.stdout).toMatch(/^Schedule 'nightly' runs basic at '0 3 \* \* \*' \(UTC\); next \d{4}-\d\d-\d\d /);
    expect((await cli('pipelines', 'schedule', 'add', 'bad', '61 * * * *', '--file', BASIC, '--pipeline', 'basic')).stderr).toContain("Cron expression '61 * * * *' is not valid");
    expect((await cli('pipelines', 'schedule', 'pause', 'nightly')).stdout).toBe("Schedule 'nightly' paused.\n");
    expect((await cli('pipelines', 'schedule', 'list')).stdout).toMatch(/^nightly\s+basic\s+0 3 \* \* \*\s+UTC\s+no\s+-\s+-$/m);
    expect((await cli('pipelines', 'schedule', 'remove', 'nightly')).code).toBe(0);
    // A file inside the project is stored relative to it, as runs store theirs.
    mkdirSync(join(t.dir, 'pipelines'), { recursive: true });
    writeFileSync(join(t.dir, 'pipelines', 'basic.mts'), `export { basic } from ${JSON.stringify(BASIC)};\n`);
    expect((await cli('pipelines', 'schedule', 'add', 'inside', '0 3 * * *', '--file', 'pipelines/basic.mts')).stderr).toBe('');
    const listed = JSON.parse((await cli('pipelines', 'schedule', 'list', '--json')).stdout) as { schedules: Array<{ name: string; source: { file: string } }> };
    expect(listed.schedules.find((x) => x.name === 'inside')!.source).toEqual({ file: 'pipelines/basic.mts', exportName: 'basic' });
  });
});
