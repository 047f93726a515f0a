import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { waitFor } from '../pipelines.contract.js';
import { startPlatformProcess, type PlatformProcess } from '../testing/platform-process.js';

const PIPELINES = fileURLToPath(new URL('../fixtures/crash-pipelines.ts', import.meta.url));
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

describe('crash safety: kill -9 of the runner', () => {
  let t: TestPlatform;
  let runner: PlatformProcess | null = null;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { pipelines: { heartbeat_timeout_seconds: 1 } });
  });
  afterAll(async () => {
    await runner?.kill9();
    await t?.cleanup();
  });

  it('marks the run FAILED when its heartbeat lapses, and resume re-runs only what did not finish', async () => {
    const config = { cwd: t.dir, store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, pipelines: { heartbeat_timeout_seconds: 1 } };
    runner = startPlatformProcess(config, ['run', PIPELINES, 'crashy', JSON.stringify({ dir: t.dir })]);
    const runId = (await runner.waitFor(/run started (\w+)/))[1]!;
    await waitFor(async () => lines(join(t.dir, 'gate.count')) === 1, 20_000);
    expect((await t.platform.pipelines.queries.getRun(runId)).steps.map((s) => s.status)).toEqual(['COMPLETED', 'RUNNING', 'PENDING']);

    await runner.kill9();
    // Nothing is RUNNING forever: once the heartbeat is older than the timeout, reads see it FAILED.
    await waitFor(async () => (await t.platform.pipelines.queries.getRunInfo(runId)).status !== 'RUNNING', 5000);
    const failed = await t.platform.pipelines.queries.getRun(runId);
    expect(failed.run.status).toBe('FAILED');
    expect(failed.run.statusReason).toMatch(/^no heartbeat for more than 1 s: the process running the pipeline stopped/);
    expect(failed.steps.map((s) => s.status)).toEqual(['COMPLETED', 'FAILED', 'FAILED']);
    expect((await t.platform.runs.get(failed.run.trackingRunId!)).info.status).toBe('FAILED');
    // The killed step's tracking run too: its id was recorded when its attempt started.
    expect((await t.platform.runs.get(failed.steps[1]!.trackingRunId!)).info.status).toBe('FAILED');

    writeFileSync(join(t.dir, 'release'), '');
    const resumed = await (await t.platform.pipelines.resume(runId)).done;
    expect(resumed.run).toMatchObject({ status: 'COMPLETED', resumeCount: 1 });
    expect(resumed.steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(resumed.attempts.map((a) => [a.stepId, a.attempt, a.status])).toEqual([['first', 1, 'COMPLETED'], ['gate', 1, 'FAILED'], ['gate', 2, 'COMPLETED'], ['last', 1, 'COMPLETED']]);
    expect((await t.platform.runs.get(resumed.steps[1]!.trackingRunId!)).info.status).toBe('FINISHED');
    expect(lines(join(t.dir, 'first.count'))).toBe(1);
    expect(lines(join(t.dir, 'gate.count'))).toBe(2);
    await expect(t.platform.pipelines.resume(runId)).rejects.toThrow(/completed; there is nothing to resume/);
  });

  it('refuses to resume a run that is still running, saying what helps', async () => {
    const { cancellable } = await import('../fixtures/basic-pipelines.js');
    const handle = await t.platform.pipelines.start(cancellable);
    await expect(t.platform.pipelines.resume(handle.runId)).rejects.toThrow(
      new RegExp(`^Pipeline run '${handle.runId}' is still running in \\S+:${process.pid} \\(last heartbeat \\d+ s ago\\)\\. If that process is working, let it finish, or stop it \\(Ctrl-C there, or \`cairn pipelines cancel ${handle.runId}\`\\) and resume then\\. If it died on another machine, the run is marked FAILED 1 s after its last heartbeat`),
    );
    handle.cancel();
    expect((await handle.done).run.status).toBe('CANCELLED');
  });
});
