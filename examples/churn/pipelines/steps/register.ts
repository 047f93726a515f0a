import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isCairnError, step, type ModelArtifact, type Signature } from '@cairn/core';
import { folderDigest, pipelineTrackingRun, withPlatform } from '../../src/lib/project.js';

export interface RegisterInputs {
  model: ModelArtifact;
  metrics: Record<string, number>;
  dataset: { name: string; digest: string; rows: number };
  modelName: string;
}

/**
 * Registers the trained model as a new version of `modelName`, with its signature, on the
 * pipeline's run (which holds the metrics the promotion gate reads and the training set as an
 * input). The same model files register once: a version with the same content is reused, so
 * re-running or reproducing a pipeline never piles up identical versions.
 */
export const register = step({ name: 'register', outputs: { version: 'json' } }, async (i: RegisterInputs, ctx) => withPlatform(async (p) => {
  const contentSha = folderDigest(i.model.path);
  const found = await p.registry.versions.search({ filter: `name = '${i.modelName}' and tags.content_sha256 = '${contentSha}'`, maxResults: 1 }).catch((e: unknown) => {
    if (isCairnError(e, 'NOT_FOUND')) return { items: [] };
    throw e;
  });
  const existing = found.items[0];
  // The pipeline's run records its metrics, training set and the version it produced (new or reused):
  // `cairn report RUN` finds the version through that tag.
  const runId = await pipelineTrackingRun(p, ctx.runId);
  const record = (version: number) => p.runs.logBatch(runId, {
    metrics: Object.entries(i.metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
    tags: [{ key: 'training_dataset', value: `${i.dataset.name} ${i.dataset.digest}` }, { key: 'cairn.registered_version', value: `models:/${i.modelName}/${version}` }],
  });
  if (existing) {
    ctx.log(`version ${existing.version} of '${i.modelName}' already holds these files; reusing it`);
    await record(existing.version);
    return { version: { model: i.modelName, version: existing.version, contentSha256: contentSha } };
  }

  await p.registry.createModel({ name: i.modelName, description: 'Probability that a customer cancels in the next 30 days' }).catch((e: unknown) => {
    if (!isCairnError(e, 'ALREADY_EXISTS')) throw e;
  });
  const signature = JSON.parse(await readFile(join(i.model.path, 'signature.json'), 'utf8')) as Signature;
  const pending = await p.registry.versions.create({
    name: i.modelName, source: null, runId, signature, format: 'cairn-json',
    description: `Trained on ${i.dataset.name} (${i.dataset.rows} rows); holdout AUC ${i.metrics.auc}`,
    tags: { content_sha256: contentSha, training_dataset_digest: i.dataset.digest, pipeline_run: ctx.runId },
  });
  for (const name of (await readdir(i.model.path)).sort()) {
    await p.registry.versions.uploadFile(i.modelName, pending.version, name, await readFile(join(i.model.path, name)));
  }
  const v = await p.registry.versions.finalize(i.modelName, pending.version);
  await record(v.version);
  ctx.log(`registered version ${v.version} of '${i.modelName}' (${v.digest})`);
  return { version: { model: i.modelName, version: v.version, contentSha256: contentSha } };
}));
