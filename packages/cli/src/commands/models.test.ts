import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.js';

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`cairn models on ${backend}`, () => {
    let t: TestPlatform;
    let runId = '';
    const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: { CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') } });

    beforeAll(async () => {
      t = await makeTestPlatform(backend);
      const p = t.platform;
      const exp = await p.experiments.create({ name: 'churn-training' });
      const run = await p.runs.create({ experimentId: exp.experimentId, source: { gitCommit: '0123abcd', entryPoint: 'train.ts' } });
      runId = run.info.runId;
      await p.runs.logArtifact(runId, 'model/model.onnx', 'onnx bytes');
      await p.runs.logBatch(runId, { metrics: [{ key: 'auc', value: 0.9, timestamp: 1, step: 0 }] });
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('registers, gates and promotes: a failing gate exits 1 and prints each condition with its value', async () => {
      const reg = await cli('models', 'register', 'churn', `runs:/${runId}/model`, '--tag', 'data=q3');
      expect(reg.stderr).toBe('');
      expect(reg.stdout).toMatch(/^Registered churn version 1 \(onnx, 1 files, sha256:[0-9a-f]{64}\)/);

      const bad = await cli('models', 'gate', 'set', 'churn', '--alias', 'champion', '--condition', 'metrics.auc >= >= 0.9');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/conditions\[0\]: Invalid gate condition at position 16/);

      expect((await cli('models', 'gate', 'set', 'churn', '--alias', 'champion', '--protected', '--condition', 'metrics.auc >= 0.95', '--condition', 'metrics.auc >= champion.metrics.auc + 0.005')).code).toBe(0);
      const refused = await cli('models', 'promote', 'churn', '1', '--alias', 'champion');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/FAIL {2}metrics\.auc >= 0\.95 {4}\(metrics\.auc = 0\.9\)/);
      expect(refused.stdout).toMatch(/pass {2}metrics\.auc >= champion\.metrics\.auc \+ 0\.005 .*no version holds @champion/);
      expect(refused.stderr).toMatch(/^error: The gate of @champion refused version 1 of 'churn' \(1 check failed\); the alias did not move\./);

      const file = join(t.dir, 'gates.yaml');
      writeFileSync(file, 'gates:\n  - model: churn\n    alias: champion\n    protected: true\n    conditions:\n      - metrics.auc >= 0.85\n');
      expect((await cli('models', 'gate', 'set', '--file', file)).stdout).toMatch(/Gate of @champion on 'churn' set: 1 condition, protected\./);
      const passed = await cli('models', 'promote', 'churn', '1', '--alias', 'champion', '--reason', 'first release');
      expect(passed.code).toBe(0);
      expect(passed.stdout).toMatch(/@champion of 'churn' now points at version 1\./);
      const forced = await cli('models', 'alias', 'churn', 'champion', '1');
      expect(forced.code).toBe(1);
      expect(forced.stderr).toMatch(/protected/);
    });

    it('shows, lists, downloads, and answers history, time travel and lineage', async () => {
      const show = await cli('models', 'show', 'churn@champion');
      expect(show.stdout).toMatch(/^version\s+1$/m);
      const digest = /^digest\s+(\S+)$/m.exec(show.stdout)?.[1];
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((await cli('models', 'resolve', 'churn@champion')).stdout).toBe(`churn/1 ${digest}\n`);
      expect(JSON.parse((await cli('models', 'resolve', 'churn/latest', '--json')).stdout).version).toMatchObject({ name: 'churn', version: 1, digest });
      const unknown = await cli('models', 'resolve', 'churn@nobody');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error: .*nobody/);
      expect(show.stdout).toMatch(/^aliases\s+@champion$/m);
      expect((await cli('models', 'list')).stdout).toMatch(/^churn\s+1\s+@champion=1/m);
      expect((await cli('models', 'versions', 'churn')).stdout).toMatch(/^1\s+READY\s+@champion\s+onnx/m);

      const out = join(t.dir, 'downloaded');
      expect((await cli('models', 'download', 'churn@champion', '--dir', out)).code).toBe(0);
      expect(readFileSync(join(out, 'model.onnx'), 'utf8')).toBe('onnx bytes');

      const at = await cli('models', 'history', 'churn', '--alias', 'champion', '--at', new Date(Date.now() + 60_000).toISOString());
      expect(at.stdout).toMatch(/@champion of 'churn' held version 1 at .* \(set by .* first release\)/);
      expect((await cli('models', 'history', 'churn', '--alias', 'champion', '--at', '0')).stdout).toMatch(/pointed nowhere/);
      const history = await cli('models', 'history', 'churn', '--action', 'promotion.*');
      expect(history.stdout.split('\n').filter((l) => /promotion\.(passed|failed)/.test(l))).toHaveLength(2);

      const lineage = await cli('models', 'lineage', 'churn@champion');
      expect(lineage.stdout).toMatch(new RegExp(`run ${runId} .* in experiment churn-training`));
      expect(lineage.stdout).toMatch(/code git 0123abcd, train\.ts/);
    });

    it('uploads a local folder as a version, and refuses unknown models with exit 1', async () => {
      const dir = join(t.dir, 'local-model');
      mkdirSync(join(dir, 'weights'), { recursive: true });
      writeFileSync(join(dir, 'model.json'), '{"w":[1]}');
      writeFileSync(join(dir, 'weights', 'a.bin'), 'bin');
      const reg = await cli('models', 'register', 'local', dir, '--run', runId, '--json');
      expect(JSON.parse(reg.stdout).version).toMatchObject({ name: 'local', version: 1, status: 'READY', format: 'cairn-json', fileCount: 2, runId });
      // Gates shown; plain aliases set and deleted; a protected one moved only by an admin with a reason.
      expect((await cli('models', 'gate', 'set', 'local', '--alias', 'prod', '--protected', '--condition', 'metrics.auc >= 0.5')).code).toBe(0);
      const gates = await cli('models', 'gate', 'show', 'local');
      expect(gates.stdout).toMatch(/^alias\s+@prod \(protected\)$/m);
      expect(gates.stdout).toMatch(/^conditions\s+metrics\.auc >= 0\.5$/m);
      expect((await cli('models', 'gate', 'show', 'local', '--alias', 'staging')).stdout).toMatch(/@staging of 'local' has no gate/);
      expect((await cli('models', 'alias', 'local', 'staging', '1')).stdout).toMatch(/@staging of 'local' now points at version 1/);
      expect((await cli('models', 'alias', 'local', 'staging', '--delete')).stdout).toMatch(/Deleted @staging of 'local'/);
      const noReason = await cli('models', 'alias', 'local', 'prod', '1', '--force');
      expect(noReason.code).toBe(1);
      expect(noReason.stderr).toMatch(/must give a --reason/);
      expect((await cli('models', 'alias', 'local', 'prod', '1', '--force', '--reason', 'hotfix')).code).toBe(0);
      const held = await cli('models', 'history', 'local', '--alias', 'prod', '--at', new Date(Date.now() + 60_000).toISOString());
      expect(held.stdout).toMatch(/@prod of 'local' held version 1 at .*: hotfix\)/);

      const missing = await cli('models', 'show', 'nope@champion');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^error: Registered model 'nope' does not exist/);
      expect(existsSync(join(t.dir, 'artifacts', 'registry'))).toBe(true);
    });
  });
}
