// The training pipeline: snapshot → train → register → promote.
//   cairn pipelines run pipelines/train.ts [--param l2=1] [--param features=all] [--param promote=false]
import { param, pipeline } from '@cairn/core';
import { MODEL_NAME } from '../src/lib/project.js';
import { promote } from './steps/promote.js';
import { register } from './steps/register.js';
import { snapshot } from './steps/snapshot.js';
import { train } from './steps/train.js';

export default pipeline({
  name: 'churn-train',
  description: 'Point-in-time training set, time-split training and evaluation, registration, gated promotion to @champion',
  params: {
    labels: param.string('data/labels.parquet', 'entity rows: customer_id, event_timestamp, churned'),
    holdoutFrom: param.string('2024-10-01T00:00:00Z', 'labels from this time on are the holdout'),
    features: param.string('all', "'all' or a comma-separated list of features"),
    l2: param.number(1, 'L2 penalty of the logistic regression'),
    promote: param.boolean(true, 'ask the gate to move @champion to the new version'),
  },
}, (p) => {
  const s = snapshot({ extra: p.labels, online: false });
  const t = train({ snapshot: s.snapshot, labels: p.labels, featureService: 'churn_features', holdoutFrom: p.holdoutFrom, features: p.features, l2: p.l2 });
  const r = register({ model: t.model, metrics: t.metrics, dataset: t.dataset, modelName: MODEL_NAME });
  promote({ version: r.version, alias: 'champion', gates: 'gates.yaml', promote: p.promote });
});
