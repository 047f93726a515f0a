import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { file, model, step, table } from '@cairn/core';
import { predictChurn, selectFeatures, signatureOf, trainChurnModel } from '../../src/model/churn-model.js';
import { evaluationMarkdown } from '../../src/model/evaluation-report.js';
import { evaluate } from '../../src/model/metrics.js';
import { codeVersion, PROJECT_DIR, pipelineTrackingRun, withPlatform } from '../../src/lib/project.js';
import type { Snapshot } from './snapshot.js';

export interface TrainInputs {
  snapshot: Snapshot;
  labels: string;
  featureService: string;
  holdoutFrom: string;
  features: string;
  l2: number;
}

const time = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(v as string | number).getTime());

/**
 * Builds the point-in-time training set (each label joined with the features known at its time,
 * late corrections included only once they were written), splits it by time, fits the model on
 * the earlier months and evaluates it on the later ones. The training set is recorded as an input
 * of the pipeline's run, so the registered model's lineage reaches the exact rows it learned from.
 */
export const train = step({
  name: 'train', version: codeVersion('src/model', 'pipelines/steps/train.ts'),
  outputs: { model: 'model', metrics: 'json', evaluation: 'file', dataset: 'json', trainingSet: 'table' },
}, async (i: TrainInputs, ctx) => withPlatform(async (p) => {
  const features = selectFeatures(i.features);
  const set = await p.features.getHistoricalFeatures({
    entities: { file: resolve(PROJECT_DIR, i.labels) }, featureService: i.featureService, filterByCreatedTimestamp: true,
    runId: await pipelineTrackingRun(p, ctx.runId),
  });
  const setPath = join(ctx.workdir, 'training-set.parquet');
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await set.job.toRows();
    await set.job.writeParquet(setPath);
  } finally {
    await set.job.close();
  }
  const split = time(i.holdoutFrom);
  const fit = rows.filter((r) => time(r.event_timestamp) < split);
  const holdout = rows.filter((r) => time(r.event_timestamp) >= split);
  const label = (r: Record<string, unknown>) => (r.churned ? 1 : 0);
  ctx.log(`training set ${set.dataset.name}: ${rows.length} rows (${fit.length} before ${i.holdoutFrom}, ${holdout.length} held out), digest ${set.dataset.resultDigest}`);

  const churnModel = trainChurnModel(fit, fit.map(label), features, { maxIterations: 50, l2: i.l2 });
  const trainRate = fit.filter((r) => r.churned).length / fit.length;
  const result = evaluate(holdout.map(label), predictChurn(churnModel, holdout), trainRate, churnModel.threshold);
  const metrics = { ...result.metrics, train_rows: fit.length, train_positive_rate: Math.round(trainRate * 1e6) / 1e6 };
  await ctx.logMetrics(metrics);
  ctx.log(`holdout AUC ${metrics.auc}, accuracy ${metrics.accuracy} (majority baseline ${metrics.baseline_accuracy})`);

  const modelDir = join(ctx.workdir, 'model');
  await mkdir(modelDir, { recursive: true });
  await writeFile(join(modelDir, 'model.json'), `${JSON.stringify(churnModel, null, 2)}\n`);
  await writeFile(join(modelDir, 'signature.json'), `${JSON.stringify(signatureOf(churnModel), null, 2)}\n`);
  const report = evaluationMarkdown(result, `Churn model: holdout from ${i.holdoutFrom}`);
  await writeFile(join(ctx.workdir, 'evaluation.md'), report);
  if (ctx.trackingRunId) {
    await p.runs.logArtifact(ctx.trackingRunId, 'evaluation/evaluation.md', Buffer.from(report));
    await p.runs.logArtifact(ctx.trackingRunId, 'evaluation/evaluation.json', Buffer.from(JSON.stringify({ metrics, confusion: result.confusion, calibration: result.calibration }, null, 2)));
  }
  return {
    model: model(modelDir, { framework: 'ml-matrix', algorithm: 'logistic-regression (IRLS, L2)', features: churnModel.features }),
    metrics,
    evaluation: file(join(ctx.workdir, 'evaluation.md')),
    dataset: { name: set.dataset.name, digest: set.dataset.resultDigest, rows: rows.length, features: set.dataset.features, featureService: set.dataset.featureService },
    trainingSet: table([], setPath),
  };
}));
