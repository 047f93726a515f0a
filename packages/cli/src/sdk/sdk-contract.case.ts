// The SDK's contract, run once per backend (in-process SQLite/PostgreSQL, HTTP on each) by cairn.test.ts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import type { Platform } from '@cairn/core';
import { isCairnError } from '@cairn/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Cairn, ConnectOptions } from './cairn.js';

export interface SdkHarness {
  /** A new connection to the backend under test. */
  connect(options?: ConnectOptions): Promise<Cairn>;
  /** The platform behind it, for out-of-band checks and sabotage. */
  platform: Platform;
  dir: string;
  cleanup(): Promise<void>;
}

/** `git …` in the current directory, or null outside a checkout (or without git). */
function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return null;
  }
}

/** HEAD and whether the tree has changes, when the tests run inside a git checkout. */
function gitState(): { head: string; dirty: boolean } | null {
  const head = git(['rev-parse', '--verify', '--quiet', 'HEAD'])?.trim();
  const status = git(['status', '--porcelain']);
  return head && status !== null ? { head, dirty: status.trim().length > 0 } : null;
}

export function sdkContract(setup: () => Promise<SdkHarness>): void {
  let h: SdkHarness;
  let cairn: Cairn;
  beforeAll(async () => {
    h = await setup();
    cairn = await h.connect();
  });
  afterAll(async () => {
    await cairn?.close();
    await h?.cleanup();
  });

  it('run() creates the experiment, records params, tags and source, and ends FINISHED', async () => {
    const gitBefore = gitState();
    const result = await cairn.run({ experiment: 'contract-basic', name: 'first', params: { lr: 0.01, deep: true, opt: 'adam' }, tags: { team: 'risk' } }, async (run) => {
      run.logMetric('loss', 0.5, { step: 1 });
      run.logMetrics({ loss: 0.25, acc: 0.9 }, { step: 2 });
      return run.id;
    });
    const run = await h.platform.runs.get(result);
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.runName).toBe('first');
    expect(run.data.params).toEqual({ lr: '0.01', deep: 'true', opt: 'adam' });
    expect(run.data.tags.team).toBe('risk');
    expect(Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]))).toEqual({ loss: 0.25, acc: 0.9 });
    expect(run.info.source.nodeVersion).toBe(process.version);
    expect(run.info.source.entryPoint).toBeTruthy();
    // Inside a git checkout (as in CI) the commit and dirty flag are recorded; other writers may
    // commit or change the tree meanwhile, so either state around the run is right.
    const gitAfter = gitState();
    if (gitBefore && gitAfter) {
      expect(run.info.source.gitCommit).toMatch(/^[0-9a-f]{40}$/);
      expect([gitBefore.head, gitAfter.head]).toContain(run.info.source.gitCommit);
      expect([gitBefore.dirty, gitAfter.dirty]).toContain(run.info.source.gitDirty);
    } else {
      expect(run.info.source.gitCommit).toBeNull();
    }
    expect(run.info.lastHeartbeat).not.toBeNull();
    const exp = await cairn.experiments.getByName('contract-basic');
    expect(exp.experimentId).toBe(run.info.experimentId);
  });

  it('run() marks the run FAILED and rethrows when the callback throws, after flushing metrics', async () => {
    let id = '';
    const boom = new Error('diverged');
    await expect(cairn.run({ experiment: 'contract-basic' }, (run) => {
      id = run.id;
      run.logMetric('loss', Number.POSITIVE_INFINITY, { step: 7 });
      throw boom;
    })).rejects.toBe(boom);
    const run = await cairn.runs.get(id);
    expect(run.info.status).toBe('FAILED');
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'loss', value: Number.POSITIVE_INFINITY, step: 7 })]);
  });

  it('round-trips NaN and ±Infinity and keeps logging order in metric history', async () => {
    const run = await cairn.startRun({ experiment: 'contract-values' });
    const values = [1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5, 1e-300];
    values.forEach((v, step) => run.logMetric('v', v, { step, timestamp: 1000 + step }));
    for (let step = 0; step < 25_000; step++) run.logMetric('many', step * 2, { step });
    await run.end();
    const history = await cairn.runs.history(run.id, 'v');
    expect(history.map((m) => m.value)).toEqual(values);
    expect(history.map((m) => m.timestamp)).toEqual(values.map((_, i) => 1000 + i));
    const many = await cairn.runs.history(run.id, 'many');
    expect(many).toHaveLength(25_000);
    expect(many.every((m, i) => m.step === i && m.value === i * 2)).toBe(true);
  });

  it('logs params, tags, inputs and artifacts from bytes and from a file', async () => {
    const file = join(h.dir, 'weights.bin');
    writeFileSync(file, Buffer.alloc(300_000, 7));
    await cairn.run({ experiment: 'contract-extras' }, async (run) => {
      await run.logParams({ layers: 4 });
      await run.setTags({ stage: 'dev' });
      await run.setTags({ stage: 'prod' });
      await run.logInput({ name: 'iris', digest: 'abc123', sourceType: 'local', source: '{"path":"iris.csv"}' }, { context: 'training' });
      const put = await run.logArtifact(Buffer.from('{"auc":0.9}'), 'reports/eval.json');
      expect(put).toMatchObject({ path: 'reports/eval.json', size: 11 });
      expect((await run.logArtifact(file)).size).toBe(300_000);
      const run2 = await cairn.runs.get(run.id);
      expect(run2.data.params.layers).toBe('4');
      expect(run2.data.tags.stage).toBe('prod');
      expect(run2.inputs).toEqual([expect.objectContaining({ dataset: expect.objectContaining({ name: 'iris', digest: 'abc123' }), tags: { 'mlflow.data.context': 'training' } })]);
      const top = await cairn.runs.artifacts(run.id);
      expect(top.map((f) => f.path).sort()).toEqual(['reports', 'weights.bin']);
      expect(await text(await cairn.runs.openArtifact(run.id, 'reports/eval.json'))).toBe('{"auc":0.9}');
    });
  });

  it('a failed flush keeps the points, rejects the next flush, and succeeds once the cause is gone', async () => {
    const run = await cairn.startRun({ experiment: 'contract-failure' });
    await h.platform.runs.delete(run.id);
    run.logMetric('loss', 1, { step: 1 });
    await expect(run.flush()).rejects.toSatisfy((e) => isCairnError(e));
    // The error is reported once; the points are still buffered and go out after the restore.
    await h.platform.runs.restore(run.id);
    run.logMetric('loss', 2, { step: 2 });
    await run.end();
    expect((await cairn.runs.history(run.id, 'loss')).map((m) => m.value)).toEqual([1, 2]);
    expect(() => run.logMetric('loss', 3)).toThrow(/has ended/);
  });

  it('rejects a bad metric at the call site', async () => {
    const run = await cairn.startRun({ experiment: 'contract-failure' });
    expect(() => run.logMetric('', 1)).toThrow(/non-empty/);
    expect(() => run.logMetric('x\u0001', 1)).toThrow(/control/);
    expect(() => run.logMetric('x', '1' as unknown as number)).toThrow(/must be a number/);
    expect(() => run.logMetric('x', 1, { step: 1.5 })).toThrow(/integer/);
    await run.end();
  });

  it('concurrent runs in a new experiment share it (ALREADY_EXISTS races are absorbed)', async () => {
    const other = await h.connect();
    const runs = await Promise.all([cairn, other, cairn, other].map((c) => c.startRun({ experiment: 'contract-race' })));
    expect(new Set(runs.map((r) => r.experimentId)).size).toBe(1);
    await Promise.all(runs.map((r) => r.end()));
    await other.close();
  });

  it('sends heartbeats while the run is open and supports child runs', async () => {
    const fast = await h.connect({ heartbeatIntervalMs: 40 });
    const parent = await fast.startRun({ experiment: 'contract-heartbeat' });
    const first = (await fast.runs.get(parent.id)).info.lastHeartbeat!;
    await new Promise((r) => setTimeout(r, 200));
    expect((await fast.runs.get(parent.id)).info.lastHeartbeat!).toBeGreaterThan(first);
    const child = await fast.startRun({ experiment: 'contract-heartbeat', parentRunId: parent.id });
    expect(child.info.parentRunId).toBe(parent.id);
    // close() ends runs still open as KILLED.
    await fast.close();
    expect((await cairn.runs.get(parent.id)).info.status).toBe('KILLED');
    expect((await cairn.runs.get(child.id)).info.status).toBe('KILLED');
  });

  it('searches experiments and runs by name, filter and order', async () => {
    for (const depth of [3, 6, 9]) {
      await cairn.run({ experiment: 'contract-search', name: `d${depth}`, params: { depth } }, (run) => run.logMetric('auc', depth / 10));
    }
    const page = await cairn.runs.search({ experiments: ['contract-search'], filter: 'metrics.auc > 0.4', orderBy: ['metrics.auc DESC'] });
    expect(page.items.map((r) => r.info.runName)).toEqual(['d9', 'd6']);
    const exps = await cairn.experiments.list({ filter: "name LIKE '%search'" });
    expect(exps.map((e) => e.name)).toEqual(['contract-search']);
    expect((await cairn.experiments.resolve(exps[0]!.experimentId)).name).toBe('contract-search');
    await expect(cairn.runs.search({ experiments: ['no-such-exp'] })).rejects.toSatisfy((e) => isCairnError(e, 'NOT_FOUND'));
    await expect(cairn.runs.search({ experiments: ['contract-search'], filter: 'metrics.auc >' })).rejects.toThrow(/position/);
  });
}
