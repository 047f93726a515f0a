import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../platform.js';
import type { TestPlatform } from '../testing/platforms.js';
import { EXTERNAL_SOURCES, expectCode, HOSTILE_SOURCES, seedModelRun, sleep } from './testing/registry-fixtures.js';

const EDITOR = { actor: { name: 'ci-bot', role: 'editor' as const } };
const ADMIN = { actor: { name: 'ops', role: 'admin' as const } };

/** The registry contract for gates, protected aliases, the audit log, time travel, lineage and bad sources. */
export function runRegistryGovernanceContract(name: string, make: () => Promise<TestPlatform>, available: () => Promise<boolean>) {
  describe(`registry governance contract: ${name}`, () => {
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

    it('refuses a gate condition that does not parse, naming the condition and the position', async (ctx) => {
      if (skip) return ctx.skip();
      await p.registry.createModel({ name: 'gated' });
      const e = await expectCode(p.registry.gates.set({ model: 'gated', alias: 'champion', conditions: ['metrics.auc >= 0.85', 'metrics.auc >= >= 1'] }), 'INVALID_ARGUMENT');
      expect(e.message).toMatch(/^conditions\[1\]: Invalid gate condition at position 16/);
      await expectCode(p.registry.gates.set({ model: 'gated', alias: 'champion', conditions: ["metrics.auc >= 'high'"] }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.gates.set({ model: 'gated', alias: 'latest', conditions: [] }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.gates.set({ model: 'gated', alias: 'champion', conditions: ['metrics.auc > 1'] }, EDITOR), 'PERMISSION_DENIED');
      await expectCode(p.registry.gates.get('gated', 'champion'), 'NOT_FOUND');
    });

    it('promotes only through the gate, reports each condition with its value, and records every evaluation', async (ctx) => {
      if (skip) return ctx.skip();
      const good = await seedModelRun(p, { auc: 0.9 }, { validation: 'passed' });
      const weak = await seedModelRun(p, { auc: 0.903 }, { validation: 'passed' });
      const better = await seedModelRun(p, { auc: 0.95 }, { validation: 'pending' });
      for (const r of [good, weak, better]) await p.registry.versions.create({ name: 'gated', source: `runs:/${r.runId}/model` });
      await p.registry.gates.set({
        model: 'gated', alias: 'champion', protected: true, requireSignatureCompatible: true,
        conditions: ['metrics.auc >= 0.85', "tags.validation = 'passed'", 'metrics.auc >= champion.metrics.auc + 0.005'],
      }, ADMIN);
      const first = await p.registry.gates.promote('gated', 1, 'champion', EDITOR);
      expect(first).toMatchObject({ passed: true, moved: true, current: null });
      expect(first.conditions[2]).toMatchObject({ passed: true, note: expect.stringMatching(/no version holds @champion/) });

      const second = await p.registry.gates.promote('gated', 2, 'champion', EDITOR);
      expect(second).toMatchObject({ passed: false, moved: false, current: 1 });
      expect(second.conditions.map((c) => c.passed)).toEqual([true, true, false]);
      expect(second.conditions[2]!.values).toEqual({ 'metrics.auc': 0.903, 'champion.metrics.auc': 0.9 });
      const third = await p.registry.gates.promote('gated', 3, 'champion', EDITOR);
      expect(third.conditions[1]).toMatchObject({ passed: false, values: { 'tags.validation': 'pending' } });
      expect((await p.registry.resolve('gated@champion')).version).toBe(1);

      const events = (await p.registry.audit.list({ model: 'gated', action: 'promotion.*' })).items;
      expect(events.map((e) => [e.action, e.version, e.actor])).toEqual([['promotion.failed', 3, 'ci-bot'], ['promotion.failed', 2, 'ci-bot'], ['promotion.passed', 1, 'ci-bot']]);
      expect((events[1]!.after as { conditions: unknown[] }).conditions).toHaveLength(3);
      // A dry run moves nothing but is recorded too; a plain evaluation (reports) records nothing.
      expect((await p.registry.gates.check('gated', 2, 'champion', EDITOR)).passed).toBe(false);
      await p.registry.gates.evaluate('gated', 2, 'champion');
      expect((await p.registry.audit.list({ model: 'gated', action: 'gate.evaluated' })).items.map((e) => [e.version, e.actor])).toEqual([[2, 'ci-bot']]);
    });

    it('re-evaluates a promotion against the holder that won a concurrent promotion', async (ctx) => {
      if (skip) return ctx.skip();
      await p.registry.createModel({ name: 'raced' });
      const strong = await seedModelRun(p, { auc: 0.9 });
      const weak = await seedModelRun(p, { auc: 0.8 });
      for (const r of [strong, weak]) await p.registry.versions.create({ name: 'raced', source: `runs:/${r.runId}/model` });
      await p.registry.gates.set({ model: 'raced', alias: 'prod', conditions: ['metrics.auc >= current.metrics.auc'] }, ADMIN);
      // Whichever commits first, the stronger version ends up holding @prod: the weaker one passes only against an empty alias.
      for (let round = 0; round < 5; round++) {
        await p.registry.aliases.delete('raced', 'prod').catch(() => {});
        const [w, s] = await Promise.all([p.registry.gates.promote('raced', 2, 'prod'), p.registry.gates.promote('raced', 1, 'prod')]);
        expect((await p.registry.resolve('raced@prod')).version, `round ${round}`).toBe(1);
        expect(s.moved).toBe(true);
        if (w.moved) expect(w.current).toBeNull(); // the weaker one moved only first, onto an empty alias
      }
    });

    it('protects a gated alias: moving it needs the gate, or an admin override with a recorded reason', async (ctx) => {
      if (skip) return ctx.skip();
      await expectCode(p.registry.aliases.set('gated', 'champion', 2, EDITOR), 'PERMISSION_DENIED');
      await expectCode(p.registry.aliases.set('gated', 'champion', 2, ADMIN), 'PERMISSION_DENIED');
      await expectCode(p.registry.aliases.set('gated', 'champion', 2, { ...EDITOR, force: true, reason: 'x' }), 'PERMISSION_DENIED');
      await expectCode(p.registry.aliases.set('gated', 'champion', 2, { ...ADMIN, force: true }), 'INVALID_ARGUMENT');
      await expectCode(p.registry.aliases.delete('gated', 'champion', EDITOR), 'PERMISSION_DENIED');
      await expectCode(p.registry.versions.delete('gated', 1, EDITOR), 'PERMISSION_DENIED');
      await expectCode(p.registry.deleteModel('gated', EDITOR), 'PERMISSION_DENIED');
      await p.registry.aliases.set('gated', 'champion', 2, { ...ADMIN, force: true, reason: 'hotfix INC-42' });
      const [moved] = (await p.registry.audit.list({ model: 'gated', action: 'alias.moved' })).items;
      expect(moved).toMatchObject({ actor: 'ops', alias: 'champion', before: { version: 1 }, after: { version: 2 }, reason: 'hotfix INC-42' });
      // Unprotected aliases move freely.
      await p.registry.aliases.set('gated', 'staging', 3, EDITOR);
    });

    it('fails the gate when the signature is not compatible with the current holder', async (ctx) => {
      if (skip) return ctx.skip();
      await p.registry.createModel({ name: 'sig' });
      const run = await seedModelRun(p);
      await p.registry.versions.create({ name: 'sig', source: `runs:/${run.runId}/model` });
      await p.registry.versions.create({ name: 'sig', source: `runs:/${run.runId}/model`, signature: { inputs: [{ name: 'age', type: 'double' }, { name: 'zip', type: 'string' }], outputs: [] } });
      await p.registry.gates.set({ model: 'sig', alias: 'prod', conditions: [], requireSignatureCompatible: true }, ADMIN);
      expect((await p.registry.gates.promote('sig', 1, 'prod')).passed).toBe(true);
      const r = await p.registry.gates.promote('sig', 2, 'prod');
      expect(r.passed).toBe(false);
      expect(r.signature!.problems).toEqual(["input 'age' changed type from long to double", "input 'zip' is new and required", "output 'churn' is gone"]);
    });

    it('keeps an append-only audit log with time travel on aliases', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'history' });
      for (let i = 0; i < 3; i++) await p.registry.versions.create({ name: 'history', source: `runs:/${run.runId}/model/model.onnx` });
      const before = Date.now();
      await sleep(5);
      await p.registry.aliases.set('history', 'champion', 1);
      await sleep(5);
      const t1 = Date.now();
      await sleep(5);
      await p.registry.aliases.set('history', 'champion', 2);
      await sleep(5);
      const t2 = Date.now();
      await sleep(5);
      await p.registry.aliases.delete('history', 'champion');
      expect((await p.registry.aliases.at('history', 'champion', before)).version).toBeNull();
      expect((await p.registry.aliases.at('history', 'champion', t1)).version).toBe(1);
      expect((await p.registry.aliases.at('history', 'champion', t2)).version).toBe(2);
      expect((await p.registry.aliases.at('history', 'champion', Date.now())).version).toBeNull();
      await p.registry.renameModel('history', 'history-renamed');
      expect((await p.registry.aliases.at('history-renamed', 'champion', t2)).version).toBe(2);
      const all: string[] = [];
      let token: string | undefined;
      do {
        const page = await p.registry.audit.list({ model: 'history-renamed', maxResults: 4, pageToken: token });
        all.push(...page.items.map((e) => e.action));
        token = page.nextPageToken ?? undefined;
      } while (token);
      expect(all.slice(0, 4)).toEqual(['model.renamed', 'alias.deleted', 'alias.moved', 'alias.moved']);
      expect(all.at(-1)).toBe('model.created');
      expect(all.filter((a) => a === 'version.created')).toHaveLength(3);
      await p.registry.deleteModel('history-renamed');
      expect((await p.registry.aliases.at('history-renamed', 'champion', t1)).version).toBe(1);
      expect((await p.registry.audit.list({ model: 'history-renamed', maxResults: 1 })).items[0]!.action).toBe('model.deleted');
      await expectCode(p.registry.audit.list({ pageToken: 'garbage!' }), 'INVALID_ARGUMENT');
    });

    it('links a version to its run, data and code', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p, { auc: 0.8 }, {}, 'lineage-exp');
      await p.registry.createModel({ name: 'traced' });
      await p.registry.versions.create({ name: 'traced', source: `runs:/${run.runId}/model` });
      await p.registry.aliases.set('traced', 'champion', 1);
      const l = await p.registry.lineage.of('traced@champion');
      expect(l).toMatchObject({
        model: 'traced', version: 1, run: { runId: run.runId, experimentName: 'lineage-exp' }, code: { gitCommit: 'abc123def456', entryPoint: 'train.ts' },
        datasets: [{ name: 'customers', digest: 'd1g3st', context: 'training' }], pipelineRun: null, featureService: null,
      });
    });

    it('refuses version sources outside Cairn\'s artifact roots before touching any file', async (ctx) => {
      if (skip) return ctx.skip();
      const run = await seedModelRun(p);
      await p.registry.createModel({ name: 'safe' });
      const hostile = [...HOSTILE_SOURCES, `runs:/${run.runId}/../../../../etc`, `runs:/${run.runId}/%2e%2e/%2e%2e/x`, `registry/x`, 'cairn-artifacts:/registry/abc/1'];
      for (const source of hostile) {
        const e = await expectCode(p.registry.versions.create({ name: 'safe', source }), 'INVALID_ARGUMENT');
        expect(e.message, source).not.toMatch(/root:x:0:0/);
      }
      expect((await p.registry.versions.search({ filter: "name = 'safe'" })).items).toEqual([]);
      expect((await p.registry.getModel('safe')).latestVersions).toEqual([]);
      // An artifact URI outside the given run's folder, and one belonging to no run: pointers, not copies.
      const other = await seedModelRun(p);
      for (const source of [`mlflow-artifacts:/${other.artifactUri}/model`, `mlflow-artifacts:/${run.experimentId}/model`]) {
        expect(await p.registry.versions.create({ name: 'safe', source, runId: run.runId }), source).toMatchObject({ externalUri: source, fileCount: null, digest: null });
      }
    });

    it('records external sources as pointers and never fetches them (no SSRF, no file read)', async (ctx) => {
      if (skip) return ctx.skip();
      // A loopback server standing in for any host a source could name: it must see no request.
      const hits: string[] = [];
      const server = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('model');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const { port } = server.address() as AddressInfo;
        await p.registry.createModel({ name: 'pointers' });
        const sources = [...EXTERNAL_SOURCES, `http://127.0.0.1:${port}/model`];
        for (const [i, source] of sources.entries()) {
          const v = await p.registry.versions.create({ name: 'pointers', source, runId: 'run_of_another_server' });
          expect(v, source).toMatchObject({ version: i + 1, status: 'READY', source, externalUri: source, runId: 'run_of_another_server', size: null, digest: null });
          expect(await p.registry.versions.files('pointers', v.version)).toEqual([]);
          await expectCode(p.registry.versions.openFile('pointers', v.version, 'MLmodel'), 'FAILED_PRECONDITION');
          expect(await p.registry.lineage.of(`models:/pointers/${v.version}`)).toMatchObject({ run: null, missingRunId: 'run_of_another_server', externalUri: source });
        }
        const copy = await p.registry.versions.create({ name: 'pointers', source: `models:/pointers/${sources.length}` });
        expect(copy.externalUri).toBe(`http://127.0.0.1:${port}/model`);
        expect(hits).toEqual([]);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });
}
