import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.js';

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`cairn experiments on ${backend}`, () => {
    let t: TestPlatform;
    const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: { CAIRN_STORE_URI: t.storeUri } });

    beforeAll(async () => {
      t = await makeTestPlatform(backend);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('creates experiments with tags and lists them as a table and as JSON', async () => {
      const created = await cli('experiments', 'create', 'churn', '--tag', 'team=risk', '--tag', 'owner=ana');
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toMatch(/Created experiment 'churn' \(id \d+\)/);

      const list = await cli('experiments', 'list');
      expect(list.code).toBe(0);
      expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+CREATED\s+TAGS$/);
      expect(list.stdout).toMatch(/churn\s+\S+ \S+\s+owner=ana, team=risk/);

      const json = JSON.parse((await cli('experiments', 'list', '--json', '--filter', "tags.team = 'risk'")).stdout);
      expect(json.experiments).toEqual([expect.objectContaining({ name: 'churn', tags: { team: 'risk', owner: 'ana' } })]);
    });

    it('refuses a duplicate name with exit 1 and no stack trace', async () => {
      const dup = await cli('experiments', 'create', 'churn');
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/^error: An experiment named 'churn' already exists/);
      expect(dup.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    });

    it('shows an experiment by name or id, with its recent runs', async () => {
      const exp = await t.platform.experiments.getByName('churn');
      await t.platform.runs.create({ experimentId: exp.experimentId, runName: 'first-run' });
      const byName = await cli('experiments', 'show', 'churn');
      expect(byName.code).toBe(0);
      expect(byName.stdout).toMatch(/^id\s+\d+$/m);
      expect(byName.stdout).toMatch(/Recent runs[\s\S]*first-run\s+RUNNING/);
      const byId = JSON.parse((await cli('experiments', 'show', exp.experimentId, '--json')).stdout);
      expect(byId.experiment.name).toBe('churn');
      expect(byId.recentRuns).toEqual([expect.objectContaining({ runName: 'first-run' })]);
    });

    it('explains an unknown experiment (exit 1) and a bad filter with its position', async () => {
      const missing = await cli('experiments', 'show', 'nope');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("error: Experiment 'nope' does not exist.");
      expect(missing.stderr).toContain('cairn experiments list');

      const bad = await cli('experiments', 'list', '--filter', "name = 'a' AND");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error: Invalid filter at position \d+/);
      expect(bad.stderr).toContain('^');
    });

    it('renames, deletes and restores', async () => {
      await cli('experiments', 'create', 'old');
      expect((await cli('experiments', 'rename', 'old', 'older')).stdout).toContain("to 'older'");
      const del = await cli('experiments', 'delete', 'older');
      expect(del.code).toBe(0);
      expect(del.stdout).toContain('cairn experiments restore');
      expect((await cli('experiments', 'list')).stdout).not.toContain('older');
      expect((await cli('experiments', 'list', '--deleted')).stdout).toMatch(/older\s+deleted/);
      expect((await cli('experiments', 'restore', 'older')).code).toBe(0);
      expect((await cli('experiments', 'list')).stdout).toContain('older');
    });

    it('treats malformed command lines as usage errors (exit 2)', async () => {
      const badTag = await cli('experiments', 'create', 'x', '--tag', 'novalue');
      expect(badTag.code).toBe(2);
      expect(badTag.stderr).toContain('Expected KEY=VALUE');
      const both = await cli('experiments', 'list', '--all', '--deleted');
      expect(both.code).toBe(2);
      const missingArg = await cli('experiments', 'create');
      expect(missingArg.code).toBe(2);
      expect(missingArg.stderr).toContain("missing required argument 'name'");
    });
  });
}
