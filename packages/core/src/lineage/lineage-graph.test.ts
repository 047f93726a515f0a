import { expect, it } from 'vitest';
import { describeEachPlatform } from '../testing/describe-platforms.js';
import type { LineageGraph } from './entities.js';
import { seedLineage, type LineageFixture } from './testing/lineage-fixture.js';

const edgesOf = (g: LineageGraph) => g.edges.map((e) => `${e.from} -> ${e.to} (${e.relation})`).sort();
const idsOf = (g: LineageGraph) => g.nodes.map((n) => n.id).sort();

describeEachPlatform('lineage graph', (t) => {
  let f: LineageFixture;

  it('follows @champion upstream to the raw file its training set was built from', async () => {
    f = await seedLineage(t().platform, t().dir);
    const g = await t().platform.lineage.around('alias', 'ranker@champion', { direction: 'upstream' });
    expect(g).toMatchObject({ focus: 'alias:ranker@champion', truncated: false });
    const run = `run:${f.trackingRunId}`;
    const set = `trainingSet:${f.datasetId}`;
    expect(edgesOf(g)).toEqual([
      `${run} -> modelVersion:ranker/1 (registered as)`,
      `${set} -> ${run} (trained)`,
      'data:file:data/trips.parquet -> source:trips (read by)',
      'featureService:ranking -> ' + `${set} (built)`,
      'featureView:driver_stats -> featureService:ranking (served by)',
      'featureView:driver_stats -> onDemandFeatureView:adjusted (input of)',
      'modelVersion:ranker/1 -> alias:ranker@champion (alias)',
      'onDemandFeatureView:adjusted -> featureService:ranking (served by)',
      `pipelineRun:${f.pipelineRunId} -> ${run} (tracked by)`,
      'source:trips -> featureView:driver_stats (feeds)',
    ].sort());
    const node = (id: string) => g.nodes.find((n) => n.id === id)!;
    expect(node('alias:ranker@champion')).toMatchObject({ kind: 'alias', label: 'ranker@champion', detail: 'version 1', depth: 0 });
    expect(node('data:file:data/trips.parquet')).toMatchObject({ kind: 'data', label: 'data/trips.parquet', depth: 7, more: false });
    expect(node(run)).toMatchObject({ kind: 'run', detail: 'pipelines/basic', status: 'FINISHED' });
    expect(node('featureView:driver_stats').detail).toBe('2 features, TTL 2h');
    // Followed upstream only: the pipeline run's steps (its other outputs) are not drawn.
    expect(node(`pipelineRun:${f.pipelineRunId}`)).toMatchObject({ label: `basic ${f.pipelineRunId.slice(0, 8)}`, status: 'COMPLETED', more: false });
    expect(g.nodes.some((n) => n.kind === 'step')).toBe(false);
  });

  it('follows the raw file downstream to the alias, and a step both ways', async () => {
    const down = await t().platform.lineage.around('data', 'file:data/trips.parquet', { direction: 'downstream' });
    expect(idsOf(down)).toContain('alias:ranker@champion');
    expect(idsOf(down)).not.toContain(`pipelineRun:${f.pipelineRunId}`);
    const step = await t().platform.lineage.around('step', f.steps.summarize!, { depth: 1 });
    const tracked = step.nodes.find((n) => n.kind === 'run')!;
    // Every edge between the nodes drawn: the pipeline run's edges to the neighbouring steps too.
    expect(edgesOf(step)).toEqual([
      `pipelineRun:${f.pipelineRunId} -> step:${f.steps.load} (ran)`,
      `pipelineRun:${f.pipelineRunId} -> step:${f.steps.report} (ran)`,
      `pipelineRun:${f.pipelineRunId} -> step:${f.steps.summarize} (ran)`,
      `step:${f.steps.load} -> step:${f.steps.summarize} (rows)`,
      `step:${f.steps.summarize} -> ${tracked.id} (tracked by)`,
      `step:${f.steps.summarize} -> step:${f.steps.report} (count, mean)`,
    ].sort());
    expect(step.nodes.find((n) => n.id === `step:${f.steps.summarize}`)).toMatchObject({ label: 'summarize', detail: 'basic', status: 'COMPLETED', parent: f.pipelineRunId });
    // From the pipeline run: every step, and the edges between them.
    const run = await t().platform.lineage.around('pipelineRun', f.pipelineRunId, { depth: 1 });
    expect(run.nodes.filter((n) => n.kind === 'step').map((n) => n.label).sort()).toEqual(['load', 'report', 'summarize']);
    expect(edgesOf(run).filter((e) => e.startsWith('step:'))).toEqual([`step:${f.steps.load} -> step:${f.steps.summarize} (rows)`, `step:${f.steps.summarize} -> step:${f.steps.report} (count, mean)`].sort());
  });

  it('limits depth and size, and refuses what does not exist', async () => {
    const { platform } = t();
    const shallow = await platform.lineage.around('alias', 'ranker@champion', { depth: 1 });
    expect(shallow.nodes.map((n) => [n.id, n.more])).toEqual([['alias:ranker@champion', false], ['modelVersion:ranker/1', true]]);
    const cut = await platform.lineage.around('featureService', 'ranking', { maxNodes: 3 });
    expect(cut.truncated).toBe(true);
    expect(cut.nodes).toHaveLength(3);
    await expect(platform.lineage.around('alias', 'ranker@nobody')).rejects.toMatchObject({ code: 'NOT_FOUND', message: "Alias 'ranker@nobody' does not exist." });
    await expect(platform.lineage.around('run', '../etc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(platform.lineage.around('planet' as never, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(platform.lineage.around('alias', 'ranker@champion', { depth: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('draws a dataset a run logged as an input', async () => {
    const { platform } = t();
    const exp = await platform.experiments.create({ name: 'lineage-datasets' });
    const run = await platform.runs.create({ experimentId: exp.experimentId, runName: 'fit' });
    await platform.runs.logInputs(run.info.runId, [{ dataset: { name: 'events', digest: 'abc123', sourceType: 'local', source: '{"uri":"events.csv"}' }, tags: { 'mlflow.data.context': 'training' } }]);
    const g = await platform.lineage.around('dataset', 'events@abc123');
    expect(edgesOf(g)).toEqual([`dataset:events@abc123 -> run:${run.info.runId} (training)`]);
    expect(g.nodes.find((n) => n.kind === 'run')).toMatchObject({ label: 'fit', detail: 'lineage-datasets' });
  });
});
