// A real scikit-learn model through the Python worker (--allow-unsafe). Needs a python3 that can
// `import sklearn` (CAIRN_PYTHON, or /usr/bin/python3 with Debian's python3-sklearn); skipped, saying
// why, where there is none, except under CI=true, where .ci/run installs it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelServer } from '@cairn/core';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { registerFiles } from '@cairn/core/testing/serving';

const PYTHON = [process.env.CAIRN_PYTHON, '/usr/bin/python3', 'python3'].find((p) => {
  if (!p) return false;
  try {
    execFileSync(p, ['-c', 'import sklearn, joblib'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const skip = !PYTHON && process.env.CI !== 'true';
if (skip) console.log('skipping the scikit-learn serving test: no python3 here can `import sklearn` (apt-get install python3-sklearn, or set CAIRN_PYTHON)');

describe.skipIf(skip)(`serving a scikit-learn pickle (${PYTHON ?? 'no scikit-learn'})`, () => {
  let t: TestPlatform;
  let server: ModelServer;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    const file = join(t.dir, 'model.joblib');
    execFileSync(PYTHON!, ['-c', `
import joblib, sys
from sklearn.linear_model import LinearRegression
m = LinearRegression().fit([[0, 0], [1, 0], [0, 1], [1, 1]], [1, 3, 4, 6])
joblib.dump(m, sys.argv[1])`, file]);
    await registerFiles(t.platform, 'sk', { 'model.joblib': readFileSync(file) }, {
      format: 'sklearn-pickle', signature: { inputs: [{ name: 'a', type: 'double' }, { name: 'b', type: 'double' }], outputs: [{ type: 'double' }] },
    });
    server = await ModelServer.open(t.platform, { uri: 'sk/1', runtime: { allowUnsafe: true, python: PYTHON!, pythonTimeoutMs: 20_000, onnxThreads: 1 }, aliasPollMs: 60_000, logger: null });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
  });

  it('predicts with the fitted model (y = 1 + 2a + 3b)', async () => {
    const r = await server.predict({ columns: ['b', 'a'], rows: [[0, 0], [1, 2]] });
    expect(r.predictions[0]).toBeCloseTo(1, 9);
    expect(r.predictions[1]).toBeCloseTo(8, 9);
  });
});
