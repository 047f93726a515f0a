import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { commandStep } from '../command-step.js';
import { pipeline } from '../define.js';
import { exitsNonZero, isolated, isolatedSpin, noSuchProgram, withPython } from '../fixtures/command-pipelines.js';
import { slowStart } from '../fixtures/slow-load-pipelines.js';
import { step } from '../define.js';

// Alive and not a zombie (an orphan in a container may wait a while to be reaped).
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('command steps and process isolation', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('runs a Python program: inputs arrive as files, params as arguments, outputs are the files it writes', async () => {
    const { run, steps } = await t.platform.pipelines.run(withPython, { overrides: { lr: '0.25' } });
    expect(run.statusReason).toBeNull();
    expect(steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    const lineage = await t.platform.pipelines.queries.lineage(run.runId);
    expect(lineage[1]!.outputs.map((o) => [o.name, o.artifact.kind])).toEqual([['metrics', 'json'], ['model', 'model']]);
    const evaluated = (await t.platform.pipelines.queries.lineage(run.runId))[2]!.outputs;
    const value = async (name: string) => JSON.parse(readFileSync(join(t.dir, 'artifacts', evaluated.find((o) => o.name === name)!.artifact.uri, 'value.json'), 'utf8'));
    expect(await value('files')).toEqual(['weights.txt']);
    expect(await value('framework')).toBe('stand-in');
    expect(await value('auc')).toBe(0.75);
    const logs = await t.platform.pipelines.queries.logs(run.runId, { step: 'train' });
    expect(logs.map((l) => [l.stream, l.text])).toEqual([['stdout', expect.stringMatching(/^training on \d+ bytes with lr=0.25$/)], ['stderr', 'a warning on stderr']]);
    // The script is part of the step's code: the same inputs hit the cache.
    expect((await t.platform.pipelines.run(withPython, { overrides: { lr: '0.25' } })).steps[1]!.status).toBe('CACHED');
  });

  it('fails a command that exits non-zero, with the end of its stderr', async () => {
    const { run, steps } = await t.platform.pipelines.run(exitsNonZero);
    expect(run.status).toBe('FAILED');
    expect(steps[0]!.error!.message).toBe("command step 'boom' exited with code 3; the end of its stderr:\nsomething broke");
  });

  it('fails a command whose program does not exist, without retrying', async () => {
    const { steps } = await t.platform.pipelines.run(noSuchProgram);
    expect(steps[0]).toMatchObject({ status: 'FAILED', attempt: 1 });
    expect(steps[0]!.error!.message).toBe("command step 'ghost': program 'cairn-no-such-program-xyz' was not found (ENOENT): install it or fix command[0] (it is looked up on PATH).");
  });

  it('kills a command that exceeds its timeout, with what it started', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'cairn-pid-')), 'pid');
    const sleeper = commandStep({ name: 'sleeper', command: ['sh', '-c', 'sleep 30 & echo $! > "$PID_FILE"; wait'], env: { PID_FILE: pidFile }, timeout: 500, cache: false });
    const t0 = Date.now();
    const { steps } = await t.platform.pipelines.run(pipeline({ name: 'command-timeout' }, () => void sleeper({})));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(steps[0]!.error!.message).toBe("command step 'sleeper' was stopped: step 'sleeper' timed out after 500 ms");
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it('runs an isolated step in a child process: logs and metrics come back', async () => {
    const { run, steps } = await t.platform.pipelines.run(isolated);
    expect(run.status).toBe('COMPLETED');
    const outputs = (await t.platform.pipelines.queries.lineage(run.runId))[0]!.outputs;
    const pid = JSON.parse(readFileSync(join(t.dir, 'artifacts', outputs.find((o) => o.name === 'pid')!.artifact.uri, 'value.json'), 'utf8'));
    expect(pid).not.toBe(process.pid);
    const logs = await t.platform.pipelines.queries.logs(run.runId);
    expect(logs.map((l) => l.text)).toEqual([`child pid ${pid}`]);
    expect((await t.platform.runs.get(steps[0]!.trackingRunId!)).data.metrics.find((m) => m.key === 'n')?.value).toBe(21);
  });

  it('kills an isolated step that blocks its event loop when it times out', async () => {
    const t0 = Date.now();
    const { steps } = await t.platform.pipelines.run(isolatedSpin);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(steps[0]).toMatchObject({ status: 'FAILED' });
    expect(steps[0]!.error!.message).toBe("step 'spin' was stopped: step 'spin' timed out after 700 ms");
    expect(existsSync(join(t.dir, '.cairn', 'cache', 'pipelines', 'work'))).toBe(true);
  });

  it("starts an isolated step's timeout when its code starts, not while its child loads the pipeline file", async () => {
    // The child takes 3 s to load the file; the step's code takes none; its timeout is 2 s.
    const { run, steps } = await t.platform.pipelines.run(slowStart);
    expect(steps[0]!.error).toBeNull();
    expect(run.status).toBe('COMPLETED');
  });

  it('gives a command step a number from another step as text, as it gives a literal', async () => {
    const count = step({ name: 'count', cache: false }, async () => ({ n: 41, label: 'forty-one' }));
    const show = commandStep({
      name: 'show', cache: false, inputs: { n: 'number', label: 'string', lit: 'number' }, outputs: { out: 'string' },
      command: ['sh', '-c', 'printf "%s|%s|%s|%s" "$1" "$2" "$3" "$CAIRN_INPUT_N" > "$4"', 'sh', '{inputs.n}', '{inputs.label}', '{inputs.lit}', '{outputs.out}'],
    });
    const { run } = await t.platform.pipelines.run(pipeline({ name: 'scalar-inputs' }, () => {
      const c = count({});
      show({ n: c.n, label: c.label, lit: 7 });
    }));
    expect(run.status).toBe('COMPLETED');
    const out = (await t.platform.pipelines.queries.lineage(run.runId))[1]!.outputs[0]!.artifact;
    expect(JSON.parse(readFileSync(join(t.dir, 'artifacts', out.uri, 'value.json'), 'utf8'))).toBe('41|forty-one|7|41');
  });
});
