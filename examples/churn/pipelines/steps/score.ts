import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { onlineRows, step, table } from '@cairn/core';
import { predictChurn, type ChurnModel } from '../../src/model/churn-model.js';
import { codeVersion, PROJECT_DIR, withPlatform } from '../../src/lib/project.js';
import type { Snapshot } from './snapshot.js';

export interface ScoreInputs {
  champion: { model: string; version: number; digest: string | null };
  snapshot: Snapshot;
  customers: string;
  featureService: string;
  asOf: string;
}

async function customerIds(file: string): Promise<number[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(`select distinct customer_id from read_parquet('${file.replaceAll("'", "''")}') order by 1`);
    return reader.getRowObjectsJS().map((r) => Number(r.customer_id));
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Scores the customers who are active in the online store as of `asOf` with the @champion model:
 * reads their features from the online store (the same feature service the model trained on),
 * writes one prediction per customer, and logs them as an artifact of this step's run, tagged
 * with the model version used.
 */
export const score = step({
  name: 'score', version: codeVersion('src/model', 'pipelines/steps/score.ts'),
  outputs: { predictions: 'table', summary: 'json' },
}, async (i: ScoreInputs, ctx) => withPlatform(async (p) => {
  const { model: name, version } = i.champion;
  const { stream } = await p.registry.versions.openFile(name, version, 'model.json');
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const churnModel = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChurnModel;

  const ids = await customerIds(resolve(PROJECT_DIR, i.customers));
  const status = onlineRows(await p.features.getOnlineFeatures({ entities: ids.map((id) => ({ customer_id: id })), features: ['customer_profile:status'], at: i.asOf }));
  const active = ids.filter((_, j) => status[j]!.status === 'active');
  const features = onlineRows(await p.features.getOnlineFeatures({ entities: active.map((id) => ({ customer_id: id })), featureService: i.featureService, at: i.asOf }));
  const probabilities = predictChurn(churnModel, features);
  const predictions = active.map((id, j) => {
    const probability = round(probabilities[j]!);
    return { customer_id: id, churn_probability: probability, risk: probability >= 0.5 ? 'high' : probability >= 0.2 ? 'medium' : 'low', model: name, model_version: version };
  });
  const summary = {
    model: name, version, scored: predictions.length, asOf: i.asOf,
    high_risk: predictions.filter((r) => r.risk === 'high').length,
    mean_churn_probability: round(probabilities.reduce((a, b) => a + b, 0) / Math.max(1, probabilities.length)),
  };
  ctx.log(`scored ${summary.scored} active customers with ${name} v${version}: ${summary.high_risk} at high risk`);
  if (ctx.trackingRunId) {
    const csv = ['customer_id,churn_probability,risk,model,model_version', ...predictions.map((r) => `${r.customer_id},${r.churn_probability},${r.risk},${r.model},${r.model_version}`)].join('\n');
    await writeFile(join(ctx.workdir, 'predictions.csv'), `${csv}\n`);
    await p.runs.logArtifact(ctx.trackingRunId, 'predictions/predictions.csv', Buffer.from(`${csv}\n`));
    await p.runs.logBatch(ctx.trackingRunId, {
      tags: [{ key: 'model', value: `models:/${name}/${version}` }, { key: 'model_digest', value: i.champion.digest ?? '' }],
      metrics: [{ key: 'scored', value: summary.scored, timestamp: Date.now(), step: 0 }, { key: 'high_risk', value: summary.high_risk, timestamp: Date.now(), step: 0 }, { key: 'mean_churn_probability', value: summary.mean_churn_probability, timestamp: Date.now(), step: 0 }],
    });
  }
  return { predictions: table(predictions), summary };
}));
