// The training step in Python (scikit-learn) as a command step: snapshot → training_set → train → report.
//   cairn pipelines run pipelines/train-sklearn.ts
// Needs a python3 that can `import sklearn` (Debian: apt-get install python3-sklearn); set
// CAIRN_PYTHON to pick the interpreter.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { commandStep, file, param, pipeline, step } from '@cairn/core';
import { PROJECT_DIR, pipelineTrackingRun, withPlatform } from '../src/lib/project.js';
import { snapshot } from './steps/snapshot.js';

/** The first interpreter that has scikit-learn: $CAIRN_PYTHON, python3, then Debian's /usr/bin/python3. */
export function findPython(): string | null {
  const candidates = process.env.CAIRN_PYTHON ? [process.env.CAIRN_PYTHON] : ['python3', '/usr/bin/python3'];
  return candidates.find((py) => spawnSync(py, ['-c', 'import sklearn'], { stdio: 'ignore', timeout: 30_000 }).status === 0) ?? null;
}

/** The point-in-time training set as CSV, for programs outside Node (same query as the TypeScript train step). */
export const trainingSet = step({ name: 'training_set', outputs: { csv: 'file', digest: 'string' } },
  async ({ labels, featureService }: { snapshot: unknown; labels: string; featureService: string }, ctx) => withPlatform(async (p) => {
    const set = await p.features.getHistoricalFeatures({
      entities: { file: resolve(PROJECT_DIR, labels) }, featureService, filterByCreatedTimestamp: true, runId: await pipelineTrackingRun(p, ctx.runId),
    });
    const path = join(ctx.workdir, 'training-set.csv');
    try {
      await set.job.writeCsv(path);
    } finally {
      await set.job.close();
    }
    return { csv: file(path), digest: set.dataset.resultDigest };
  }));

export const trainSklearn = commandStep({
  name: 'train',
  command: [findPython() ?? 'python3', 'python/train_sklearn.py', '--data', '{inputs.training_set}', '--holdout-from', '{inputs.holdout_from}', '--model', '{outputs.model}', '--metrics', '{outputs.metrics}'],
  inputs: { training_set: 'file', holdout_from: 'string' },
  outputs: { model: 'model', metrics: 'json' },
});

/** Logs the Python step's metrics on the pipeline's run, where `cairn report` and the runs list show them. */
export const report = step({ name: 'report' }, async (inputs: { metrics: unknown }, ctx) => withPlatform(async (p) => {
  const metrics = inputs.metrics as Record<string, number>;
  const runId = await pipelineTrackingRun(p, ctx.runId);
  await p.runs.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })) });
  await ctx.logMetrics(metrics);
  ctx.log(`scikit-learn: holdout AUC ${metrics.auc}, accuracy ${metrics.accuracy} (majority baseline ${metrics.baseline_accuracy})`);
  return { auc: metrics.auc };
}));

export default pipeline({
  name: 'churn-train-sklearn',
  description: 'The churn training step in Python with scikit-learn, as a command step',
  params: {
    labels: param.string('data/labels.parquet'),
    holdoutFrom: param.string('2024-10-01T00:00:00Z'),
  },
}, (p) => {
  const s = snapshot({ extra: p.labels, online: false });
  const t = trainingSet({ snapshot: s.snapshot, labels: p.labels, featureService: 'churn_features' });
  const m = trainSklearn({ training_set: t.csv, holdout_from: p.holdoutFrom });
  report({ metrics: m.metrics });
});
