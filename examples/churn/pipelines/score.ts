// The scoring pipeline: snapshot → champion → score.
//   cairn pipelines run pipelines/score.ts [--param asOf=2025-01-01T00:00:00Z]
import { param, pipeline, step } from '@cairn/core';
import { AS_OF, MODEL_NAME, withPlatform } from '../src/lib/project.js';
import { score } from './steps/score.js';
import { snapshot } from './steps/snapshot.js';

/** Which version holds the alias now. Never cached: a promotion must reach the next scoring run. */
export const champion = step({ name: 'champion', cache: false, outputs: { champion: 'json' } },
  async ({ model, alias }: { model: string; alias: string }, ctx) => withPlatform(async (p) => {
    const v = await p.registry.resolve(`models:/${model}@${alias}`);
    ctx.log(`@${alias} of '${model}' is version ${v.version} (${v.digest})`);
    return { champion: { model, version: v.version, digest: v.digest } };
  }));

export default pipeline({
  name: 'churn-score',
  description: 'Scores the active customers with the @champion model from online features',
  params: {
    asOf: param.string(AS_OF, 'score as of this time: online features older than their TTL count as missing'),
    customers: param.string('data/customers.parquet', 'where customer ids come from'),
  },
}, (p) => {
  const s = snapshot({ extra: '', online: true });
  const c = champion({ model: MODEL_NAME, alias: 'champion' });
  score({ champion: c.champion, snapshot: s.snapshot, customers: p.customers, featureService: 'churn_features', asOf: p.asOf });
});
