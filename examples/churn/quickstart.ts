// What `cairn start` runs in this project (and `npm start` at the repository root), in order:
// generate the data if it is missing, apply and materialize the features, train (and promote
// through the gate), score, then serve. Every step after the first start comes from the cache.
import { join } from 'node:path';
import type { Quickstart } from '@cairn/cli';
import { ensureData } from './src/generate/generate-data.js';
import { AS_OF, MODEL_NAME } from './src/lib/project.js';

export default {
  prepare: async (projectDir) => {
    const { manifest, generated } = await ensureData(join(projectDir, 'data'));
    const rows = Object.values(manifest.files).reduce((n, f) => n + f.rows, 0);
    return `${generated ? 'generated' : 'reusing'} data/: ${manifest.customers} customers, ${rows} rows (seed ${manifest.seed})`;
  },
  materializeUntil: AS_OF,
  pipelines: ['pipelines/train.ts', 'pipelines/score.ts'],
  model: { name: MODEL_NAME, alias: 'champion' },
  metrics: ['auc', 'accuracy', 'baseline_accuracy', 'scored', 'high_risk'],
  hints: [
    `npx cairn features get-online --service churn_features --entity customer_id=10019 --at ${AS_OF}`,
    'npx cairn pipelines run pipelines/train.ts --param features=region,monthly_fee   # a worse model: the gate refuses it',
  ],
} satisfies Quickstart;
