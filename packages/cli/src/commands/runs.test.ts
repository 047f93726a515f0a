import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.js';

describe('cairn runs (SQLite project)', () => {
  let t: TestPlatform;
  const ids: Record<string, string> = {};
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: { CAIRN_STORE_URI: t.storeUri } });

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    const exp = await t.platform.experiments.create({ name: 'churn' });
    for (const [name, depth, auc] of [['shallow', '3', 0.71], ['deep', '9', 0.83], ['nan', '6', Number.NaN]] as const) {
      const run = await t.platform.runs.create({ experimentId: exp.experimentId, runName: name, params: { depth, model: 'xgb' }, tags: { team: 'risk' } });
      await t.platform.runs.logBatch(run.info.runId, { metrics: [{ key: 'auc', value: auc, timestamp: Date.now(), step: 1 }] });
      ids[name] = run.info.runId;
    }
    await t.platform.runs.logInputs(ids.deep!, [{ dataset: { name: 'churn-2024', digest: 'abc', sourceType: 'local', source: '{}' }, tags: { 'mlflow.data.context': 'training' } }]);
    await t.platform.runs.update(ids.deep!, { status: 'FINISHED' });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('lists runs with params and metrics columns, filtered and ordered', async () => {
    const res = await cli('runs', 'list', '--experiment', 'churn', '--filter', 'metrics.auc > 0.5', '--order-by', 'metrics.auc DESC');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+START\s+params\.depth\s+params\.model\s+metrics\.auc$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['deep', 'shallow']);
    expect(lines[1]).toMatch(new RegExp(`^${ids.deep}\\s+deep\\s+FINISHED\\s+.*\\s9\\s+xgb\\s+0\\.83$`));
  });

  it('prints JSON with NaN kept as a string, and honours --max', async () => {
    const json = JSON.parse((await cli('runs', 'list', '-e', 'churn', '--json', '--filter', "attributes.run_name = 'nan'")).stdout);
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0].data.metrics[0].value).toBe('NaN');
    const limited = await cli('runs', 'list', '-e', 'churn', '--max', '1');
    expect(limited.stdout).toContain('Showing the first 1 runs');
  });

  it('shows one run with its sections', async () => {
    const res = await cli('runs', 'show', ids.deep!);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^run id\s+[0-9a-f]{32}$/m);
    expect(res.stdout).toMatch(/^experiment\s+churn \(id \d+\)$/m);
    expect(res.stdout).toMatch(/Params\nKEY\s+VALUE\ndepth\s+9\nmodel\s+xgb/);
    expect(res.stdout).toMatch(/Metrics \(latest\)\nKEY\s+VALUE\s+STEP\s+TIME\nauc\s+0\.83\s+1/);
    expect(res.stdout).toMatch(/Inputs\n.*\nchurn-2024\s+abc\s+training\s+local/);
    const json = JSON.parse((await cli('runs', 'show', ids.deep!, '--json')).stdout);
    expect(json.run.info.runId).toBe(ids.deep);
  });

  it('compares runs side by side and marks differing values', async () => {
    const res = await cli('runs', 'compare', ids.shallow!, ids.deep!);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^params\.depth \*\s+3\s+9$/m);
    expect(res.stdout).toMatch(/^params\.model\s+xgb\s+xgb$/m);
    expect(res.stdout).toContain('* values differ between runs');
    const json = JSON.parse((await cli('runs', 'compare', ids.shallow!, ids.nan!, '--json')).stdout);
    expect(json.metrics.auc).toEqual([0.71, 'NaN']);
    expect(json.params.depth).toEqual(['3', '6']);
  });

  it('reports user errors with exit 1 and usage errors with exit 2', async () => {
    const unknownExp = await cli('runs', 'list', '-e', 'nope');
    expect(unknownExp.code).toBe(1);
    expect(unknownExp.stderr).toMatch(/^error: Experiment 'nope' does not exist\. List experiments with `cairn experiments list`/);

    const badFilter = await cli('runs', 'list', '-e', 'churn', '--filter', 'metrics.auc >> 1');
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toMatch(/^error: Invalid filter at position 14/);

    // A bare metric name: say how to write it.
    const bare = await cli('runs', 'list', '-e', 'churn', '--order-by', 'auc DESC');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("unknown attribute 'auc'");
    expect(bare.stderr).toContain('Did you mean metrics.auc (or params.auc, tags.auc)?');

    const unknownRun = await cli('runs', 'show', 'ffffffffffffffffffffffffffffffff');
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toContain('does not exist');

    const one = await cli('runs', 'compare', ids.deep!);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('at least two run ids');

    const noExp = await cli('runs', 'list');
    expect(noExp.code).toBe(2);
    expect(noExp.stderr).toContain("required option '-e, --experiment <name>' not specified");

    const badMax = await cli('runs', 'list', '-e', 'churn', '--max', '0');
    expect(badMax.code).toBe(2);
  });
});
