import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { renderMarkdown } from './markdown.js';
import { buildRunReport } from './run-report.js';

describe('run reports', () => {
  let t: TestPlatform;
  const runs: string[] = [];

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    const p = t.platform;
    const exp = await p.experiments.create({ name: 'churn' });
    await p.registry.createModel({ name: 'churn' });
    for (const [i, auc] of [0.9, 0.7].entries()) {
      const run = await p.runs.create({ experimentId: exp.experimentId, runName: `r${i}`, params: { depth: String(i + 3) } });
      await p.runs.logBatch(run.info.runId, { metrics: [{ key: 'auc', value: auc, timestamp: 1, step: 0 }] });
      runs.push(run.info.runId);
      const v = await p.registry.versions.create({ name: 'churn', source: null, runId: run.info.runId });
      await p.registry.versions.uploadFile('churn', v.version, 'model.json', Buffer.from(`{"v":${i}}`));
      await p.registry.versions.finalize('churn', v.version);
      if (i === 0) await p.registry.gates.promote('churn', 1, 'champion');
    }
    await p.registry.gates.set({ model: 'churn', alias: 'champion', conditions: ['metrics.auc >= champion.metrics.auc'] });
  });
  afterAll(async () => t?.cleanup());

  it('compares a candidate with the alias holder and shows what its gate would say', async () => {
    const report = await buildRunReport(t.platform, runs[1]!);
    expect(report.pipelineRun).toBeNull();
    expect(report.models).toHaveLength(1);
    const m = report.models[0]!;
    expect(m).toMatchObject({ holdsAlias: false, baseline: { version: 1, role: 'holder', metrics: { auc: 0.9 } }, gate: { passed: false, recorded: false } });
    const md = renderMarkdown(report);
    expect(md).toContain('### Model churn v2');
    expect(md).toContain('Against v1 (holder of @champion):');
    expect(md).toContain('| auc | 0.7 | 0.9 | −0.2 |');
    expect(md).toContain('**Gate of @champion: ❌ refused** (dry run: not yet asked)');
    expect(md).toContain('- **params**: depth=4');
    expect(md).toContain('- **model** churn v2 sha256:');
  });

  it('shows the recorded promotion of the version that holds the alias', async () => {
    const report = await buildRunReport(t.platform, runs[0]!);
    const m = report.models[0]!;
    expect(m).toMatchObject({ holdsAlias: true, baseline: null, gate: { passed: true, recorded: true } });
    expect(renderMarkdown(report)).toContain('### Model churn v1 — holds @champion');
  });

  it('says when a run is unknown', async () => {
    await expect(buildRunReport(t.platform, 'ffffffffffffffffffffffffffffffff')).rejects.toThrow(/does not exist|not found/i);
  });
});
