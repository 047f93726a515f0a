// The training step in Python (scikit-learn) as a command step of a Cairn pipeline. Runs only where a
// python3 can `import sklearn` (CI: apt-get install python3-sklearn); otherwise skipped, saying why.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../pipelines/train-sklearn.js';
import { generateData } from '../src/generate/generate-data.js';
import { cairn, copyProject } from './temp-project.js';

const python = findPython();
if (!python) console.log('skipping the scikit-learn pipeline: no python3 here can `import sklearn` (apt-get install python3-sklearn, or set CAIRN_PYTHON)');

describe.skipIf(!python)(`pipelines/train-sklearn.ts (${python ?? 'no scikit-learn'})`, () => {
  let project: ReturnType<typeof copyProject>;
  beforeAll(async () => {
    project = copyProject();
    await generateData(join(project.dir, 'data'));
    expect((await cairn(project.dir, ['features', 'apply'])).code).toBe(0);
  });
  afterAll(() => project?.cleanup());

  it('trains in Python from the point-in-time training set and agrees with the TypeScript model', async () => {
    const py = await cairn(project.dir, ['pipelines', 'run', 'pipelines/train-sklearn.ts']);
    expect(py.code, py.stderr).toBe(0);
    expect(py.stdout).toMatch(/^train\s+COMPLETED/m);
    const ts = await cairn(project.dir, ['pipelines', 'run', 'pipelines/train.ts', '--param', 'promote=false']);
    expect(ts.code, ts.stderr).toBe(0);
    const metrics = async (pipeline: string) => {
      const runs = JSON.parse((await cairn(project.dir, ['pipelines', 'runs', '--pipeline', pipeline, '--json'])).stdout) as { runs: Array<{ runId: string }> };
      const logs = (await cairn(project.dir, ['pipelines', 'logs', runs.runs[0]!.runId])).stdout;
      const m = /holdout AUC ([\d.]+), accuracy ([\d.]+)/.exec(logs);
      expect(m, logs).not.toBeNull();
      return { auc: Number(m![1]), accuracy: Number(m![2]) };
    };
    const [sk, mine] = [await metrics('churn-train-sklearn'), await metrics('churn-train')];
    // Same data, same split, same L2-regularized logistic regression: two libraries, one answer.
    expect(Math.abs(sk.auc - mine.auc)).toBeLessThan(0.01);
    expect(Math.abs(sk.accuracy - mine.accuracy)).toBeLessThan(0.01);
    expect(sk.auc).toBeGreaterThan(0.8);
  });
});
