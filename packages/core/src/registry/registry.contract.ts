import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../platform.js';
import type { TestPlatform } from '../testing/platforms.js';
import { expectCode, seedModelRun } from './testing/registry-fixtures.js';

/** The registry contract for models, versions and aliases: every metadata backend passes it unchanged. */
export function runRegistryContract(name: string, make: () => Promise<TestPlatform>, available: () => Promise<boolean>) {
  describe(`registry contract: ${name}`, () => {
    let t: TestPlatform | undefined;
    let p: Platform;
    let skip = false;
    beforeAll(async () => {
      skip = !(await available());
      if (skip) return;
      t = await make();
      p = t.platform;
    });
    afterAll(async () => t?.cleanup());

    it('creates, gets, renames, describes, tags and deletes registered models', async (ctx) => {
      if (skip) return ctx.skip();
      const m = await p.registry.createModel({ name: 'churn', description: 'who leaves', tags: { team: 'risk' } });
      expect(m).toMatchObject({ name: 'churn', description: 'who leaves', tags: { team: 'risk' }, aliases: [], latestVersions: [] });
      await expectCode(p.registry.createModel({ name: 'churn' }), 'ALREADY_EXISTS');
      for (const bad of ['', ' churn', 'a/b', 'a@b', 'models:/x', 'a%2Fb', 'x'.repeat(257), 'tab\there', 'nul\u0000']) {
        await expectCode(p.registry.createModel({ name: bad }), 'INVALID_ARGUMENT');
      }
      await p.registry.renameModel('churn', 'churn-v2');
      await expectCode(p.registry.getModel('churn'), 'NOT_FOUND');
      await p.registry.updateModel('churn-v2', { description: 'updated' });
      await p.registry.setModelTag('churn-v2', 'owner', 'ana');
      await p.registry.deleteModelTag('churn-v2', 'team');
      await expectCode(p.registry.deleteModelTag('churn-v2', 'team'), 'NOT_FOUND');
      expect(await p.registry.getModel('churn-v2')).toMatchObject({ description: 'updated', tags: { owner: 'ana' } });
      await p.registry.createModel({ name: 'other' });
      await expectCode(p.registry.renameModel('other', 'churn-v2'), 'ALREADY_EXISTS');
      await p.registry.deleteModel('other');
      await expectCode(p.registry.getModel('other'), 'NOT_FOUND');
      await expectCode(p.registry.getModel('a/b'), 'NOT_FOUND');
    });

    it('searches models by name and tag, ordered and paged', async (ctx) => {
      if (skip) return ctx.skip();
      for (let i = 0; i < 7; i++) await p.registry.createModel({ name: `search-${i}`, tags: { team: i % 2 ? 'odd' : 'even', 'k with space': String(i) } });
      const even = await p.registry.searchModels({ filter: "name LIKE 'search-%' and tags.team = 'even'" });
      expect(even.items.map((m) => m.name)).toEqual(['search-0', 'search-2', 'search-4', 'search-6']);
      const desc = await p.registry.searchModels({ filter: "name ILIKE 'SEARCH-%'", orderBy: ['name DESC'], maxResults: 3 });
      expect(desc.items.map((m) => m.name)).toEqual(['search-6', 'search-5', 'search-4']);
      const next = await p.registry.searchModels({ filter: "name ILIKE 'SEARCH-%'", orderBy: ['name DESC'], maxResults: 3, pageToken: desc.nextPageToken! });
      expect(next.items.map((m) => m.name)).toEqual(['search-3', 'search-2', 'search-1']);
      expect((await p.registry.searchModels({ filter: 'tags.`k with space` IN (\'1\', \'3\') or name = \'search-0\'' })).items.map((m) => m.name)).toEqual(['search-0', 'search-1', 'search-3']);
      expect((await p.registry.searchModels({ filter: "name LIKE 'Search-%'" })).items).toEqual([]);
      const bad = await expectCode(p.registry.searchModels({ filter: "name = 'x' and" }), 'INVALID_ARGUMENT');
      expect(bad.message).toMatch(/position 15/);
      await expectCode(p.registry.searchModels({ filter: "colour = 'red'" }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.searchModels({ orderBy: ['colour'] }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.searchModels({ maxResults: 1001 }), 'INVALID_ARGUMENT');
    });

    it('registers versions from a run, an artifact URI and another version, with format, digest and signature', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'fraud' });
      const v1 = await p.registry.versions.create({ name: 'fraud', source: `runs:/${run.runId}/model`, description: 'first', tags: { data: 'q3' } });
      expect(v1).toMatchObject({ name: 'fraud', version: 1, status: 'READY', runId: run.runId, format: 'onnx', unsafe: false, fileCount: 3, description: 'first', tags: { data: 'q3' }, stage: 'None' });
      expect(v1.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(v1.signature).toEqual({ inputs: [{ name: 'age', type: 'long' }, { name: 'plan', type: 'string' }], outputs: [{ name: 'churn', type: 'double' }] });
      expect((await p.registry.versions.files('fraud', 1)).map((f) => f.path)).toEqual(['MLmodel', 'extra/vocab.txt', 'model.onnx']);

      const v2 = await p.registry.versions.create({ name: 'fraud', source: `mlflow-artifacts:/${run.artifactUri}/model`, runId: run.runId, format: 'sklearn-pickle' });
      expect(v2).toMatchObject({ version: 2, digest: v1.digest, format: 'sklearn-pickle', unsafe: true });
      const v3 = await p.registry.versions.create({ name: 'fraud', source: `cairn-artifacts:/${run.artifactUri}/model/model.onnx` });
      expect(v3).toMatchObject({ version: 3, runId: run.runId, fileCount: 1 });
      const v4 = await p.registry.versions.create({ name: 'fraud', source: 'models:/fraud/1' });
      expect(v4).toMatchObject({ version: 4, runId: run.runId, digest: v1.digest });
      await p.registry.aliases.set('fraud', 'single', 3);
      expect(await p.registry.versions.create({ name: 'fraud', source: 'models:/fraud@single' })).toMatchObject({ version: 5, fileCount: 1, digest: v3.digest });
      await expectCode(p.registry.versions.create({ name: 'fraud', source: `runs:/${run.runId}/nothing-here` }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.versions.create({ name: 'nope', source: `runs:/${run.runId}/model` }), 'NOT_FOUND');
      // A run that is not on this server: an external version, a pointer Cairn records and never follows.
      expect(await p.registry.versions.create({ name: 'fraud', source: 'runs:/ffffffffffffffffffffffffffffffff/model' })).toMatchObject({
        version: 6, status: 'READY', externalUri: 'runs:/ffffffffffffffffffffffffffffffff/model', runId: 'ffffffffffffffffffffffffffffffff', fileCount: null,
      });
      await expectCode(p.registry.versions.create({ name: 'fraud', source: '/etc/passwd' }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.versions.create({ name: 'fraud', source: 'file:///etc/passwd' }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.versions.create({ name: 'fraud', source: `runs:/${run.runId}/model`, signature: { inputs: [{ type: 'complex' }] } as never }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.versions.create({ name: 'fraud', source: 'models:/fraud@nothing' }), 'NOT_FOUND');
      // A failed check consumed no number: the next version is 7.
      expect((await p.registry.versions.create({ name: 'fraud', source: `runs:/${run.runId}/model` })).version).toBe(7);
    });

    it('uploads a model folder, verifies served bytes, and reads versions by number', async (ctx) => {
      if (skip) return ctx.skip();
      await p.registry.createModel({ name: 'uploaded' });
      const pending = await p.registry.versions.create({ name: 'uploaded', inputExample: { age: 3 } });
      expect(pending).toMatchObject({ version: 1, status: 'PENDING_REGISTRATION', source: 'upload', inputExample: { age: 3 } });
      await expectCode(p.registry.versions.finalize('uploaded', 1), 'FAILED_PRECONDITION');
      await p.registry.versions.uploadFile('uploaded', 1, 'model.json', Buffer.from('{"w":[1,2]}'));
      await p.registry.versions.uploadFile('uploaded', '1', 'weights/w.bin', Buffer.from([1, 2, 3]));
      await expectCode(p.registry.versions.uploadFile('uploaded', 1, '../escape', Buffer.from('x')), 'INVALID_ARGUMENT');
      const ready = await p.registry.versions.finalize('uploaded', 1);
      expect(ready).toMatchObject({ status: 'READY', format: 'cairn-json', unsafe: false, size: 14, fileCount: 2 });
      await expectCode(p.registry.versions.uploadFile('uploaded', 1, 'late.txt', Buffer.from('x')), 'FAILED_PRECONDITION');
      const { stream } = await p.registry.versions.openFile('uploaded', 1, 'model.json');
      expect(Buffer.concat(await stream.toArray()).toString()).toBe('{"w":[1,2]}');
      await expectCode(p.registry.versions.openFile('uploaded', 1, 'not-registered.txt'), 'NOT_FOUND');
      // Bytes changed behind the registry's back are refused when served.
      await p.artifacts.put(`${ready.storagePath}/model.json`, '{"w":[6,6]}');
      const tampered = await p.registry.versions.openFile('uploaded', 1, 'model.json');
      await expect(tampered.stream.toArray()).rejects.toThrow(/no longer match/);
      for (const v of ['0', '-1', 'x', '1.5', '99']) await expectCode(p.registry.versions.get('uploaded', v), 'NOT_FOUND');
    });

    it('updates, tags, stages and deletes versions; latest versions per stage', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'staged' });
      for (let i = 0; i < 3; i++) await p.registry.versions.create({ name: 'staged', source: `runs:/${run.runId}/model` });
      await p.registry.versions.update('staged', 2, { description: 'better' });
      await p.registry.versions.setTag('staged', 2, 'validated', 'yes');
      await p.registry.versions.deleteTag('staged', 2, 'validated');
      await expectCode(p.registry.versions.deleteTag('staged', 2, 'validated'), 'NOT_FOUND');
      await p.registry.versions.transitionStage('staged', 1, 'production', false);
      await p.registry.versions.transitionStage('staged', 2, 'Production', true);
      expect((await p.registry.versions.get('staged', 1)).stage).toBe('Archived');
      expect((await p.registry.latestVersions('staged', ['Production'])).map((v) => v.version)).toEqual([2]);
      expect((await p.registry.latestVersions('staged')).map((v) => [v.stage, v.version])).toEqual([['Archived', 1], ['Production', 2], ['None', 3]]);
      await expectCode(p.registry.versions.transitionStage('staged', 2, 'Prod', false), 'INVALID_ARGUMENT');
      expect((await p.registry.resolve('models:/staged/Production')).version).toBe(2);
      expect((await p.registry.resolve('staged/latest')).version).toBe(3);
      await p.registry.versions.delete('staged', 3);
      await expectCode(p.registry.versions.get('staged', 3), 'NOT_FOUND');
      expect((await p.registry.versions.create({ name: 'staged', source: `runs:/${run.runId}/model` })).version).toBe(4);
      const found = await p.registry.versions.search({ filter: `name = 'staged' and run_id = '${run.runId}' and version_number >= 2` });
      expect(found.items.map((v) => v.version)).toEqual([4, 2]);
      expect((await p.registry.versions.search({ filter: "tags.nope = 'x'" })).items).toEqual([]);
    });

    it('sets, moves, resolves and deletes aliases; latest and v<N> are reserved', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'aliased' });
      for (let i = 0; i < 2; i++) await p.registry.versions.create({ name: 'aliased', source: `runs:/${run.runId}/model` });
      await p.registry.aliases.set('aliased', 'staging', 1);
      expect((await p.registry.resolve('models:/aliased@staging')).version).toBe(1);
      await p.registry.aliases.set('aliased', 'staging', 2);
      expect(await p.registry.resolve('aliased@staging')).toMatchObject({ version: 2, aliases: ['staging'] });
      expect((await p.registry.getModel('aliased')).aliases).toEqual([{ alias: 'staging', version: 2 }]);
      // Searches find models and versions by the aliases they hold.
      expect((await p.registry.searchModels({ filter: "alias = 'staging'" })).items.map((m) => m.name)).toEqual(['aliased']);
      expect((await p.registry.searchModels({ filter: "alias ILIKE 'STAG%' and name = 'aliased'" })).items.map((m) => m.name)).toEqual(['aliased']);
      expect((await p.registry.searchModels({ filter: "alias IN ('prod', 'nothing')" })).items).toEqual([]);
      expect((await p.registry.versions.search({ filter: "name = 'aliased' and alias = 'staging'" })).items.map((v) => v.version)).toEqual([2]);
      expect((await expectCode(p.registry.searchModels({ filter: "alias != 'staging'" }), 'INVALID_ARGUMENT')).message).toMatch(/alias.*=, LIKE, ILIKE, IN/);
      for (const reserved of ['latest', 'LATEST', 'v1', 'V12']) await expectCode(p.registry.aliases.set('aliased', reserved, 1), 'INVALID_ARGUMENT');
      await expectCode(p.registry.aliases.set('aliased', 'bad alias', 1), 'INVALID_ARGUMENT');
      await expectCode(p.registry.aliases.set('aliased', 'prod', 9), 'NOT_FOUND');
      await expectCode(p.registry.aliases.set('nope', 'prod', 1), 'NOT_FOUND');
      await expectCode(p.registry.resolve('aliased@prod'), 'NOT_FOUND');
      await expectCode(p.registry.resolve('nope@prod'), 'NOT_FOUND');
      await expectCode(p.registry.resolve('models:/aliased'), 'INVALID_ARGUMENT');
      await p.registry.aliases.delete('aliased', 'staging');
      await expectCode(p.registry.aliases.delete('aliased', 'staging'), 'NOT_FOUND');
      await p.registry.aliases.set('aliased', 'gone', 2);
      await p.registry.versions.delete('aliased', 2);
      await expectCode(p.registry.resolve('aliased@gone'), 'NOT_FOUND');
    });

    it('32 concurrent registrations of one model get versions 1..32; 16 racing creates: one wins', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'busy' });
      const versions = await Promise.all(Array.from({ length: 32 }, () => p.registry.versions.create({ name: 'busy', source: `runs:/${run.runId}/model/model.onnx` })));
      expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => p.registry.createModel({ name: 'raced' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason.code).toBe('ALREADY_EXISTS');
    });
  });
}
