import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { model, table } from '../artifact-values.js';
import { pipeline, step } from '../define.js';
import { param } from '../params.js';

// `explain` names the part of the cache key that changed: code, version, an input, a materializer
// (the param case is in the pipelines contract).
describe('cairn pipelines explain', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function explainSecond(first: ReturnType<typeof pipeline>, second: ReturnType<typeof pipeline>, stepId: string, overrides: [Record<string, string>, Record<string, string>] = [{}, {}]) {
    const a = await t.platform.pipelines.run(first, { overrides: overrides[0] });
    expect(a.run.status).toBe('COMPLETED');
    const b = await t.platform.pipelines.run(second, { overrides: overrides[1] });
    expect(b.steps.find((s) => s.stepId === stepId)!.status).toBe('COMPLETED');
    const e = await t.platform.pipelines.queries.explain(b.run.runId, stepId);
    expect(e.status).toBe('miss');
    expect(e.comparedWith?.runId).toBe(a.run.runId);
    return e;
  }

  it('names a code change', async () => {
    const v1 = step({ name: 'code-step' }, async ({ x }: { x: number }) => ({ y: x + 1 }));
    const v2 = step({ name: 'code-step' }, async ({ x }: { x: number }) => ({ y: x + 2 }));
    const e = await explainSecond(pipeline({ name: 'code' }, () => void v1({ x: 1 })), pipeline({ name: 'code' }, () => void v2({ x: 1 })), 'code-step');
    expect(e.changes).toHaveLength(1);
    expect(e.changes[0]).toMatch(/^code changed: the step's source hash is [0-9a-f]{12}, was [0-9a-f]{12}$/);
    expect(e.decision).toMatch(/^miss: the key differs from the latest earlier run of 'code-step' \(run [0-9a-f]{32}\) in: code changed\.$/);
  });

  it('names a version change when the source is the same', async () => {
    const body = async ({ x }: { x: number }) => ({ y: x * 2 });
    const v1 = step({ name: 'versioned', version: 1 }, body);
    const v2 = step({ name: 'versioned', version: 2 }, body);
    const e = await explainSecond(pipeline({ name: 'version' }, () => void v1({ x: 1 })), pipeline({ name: 'version' }, () => void v2({ x: 1 })), 'versioned');
    expect(e.changes).toEqual(['version changed: 1 → 2']);
  });

  it('names an input whose artifact changed upstream', async () => {
    const make = step({ name: 'make-rows', outputs: { rows: 'table' } }, async ({ n }: { n: number }) => ({ rows: table(Array.from({ length: n }, (_, i) => ({ i }))) }));
    const count = step({ name: 'count-rows', inputs: { rows: 'table' } }, async ({ rows }: { rows: { rows: unknown[] } }) => ({ n: rows.rows.length }));
    const p = pipeline({ name: 'inputs', params: { n: param.int(2) } }, (p) => void count({ rows: make({ n: p.n }).rows }));
    const e = await explainSecond(p, p, 'count-rows', [{ n: '2' }, { n: '3' }]);
    expect(e.changes).toHaveLength(1);
    expect(e.changes[0]).toMatch(/^input 'rows' changed: artifact [0-9a-f]{12} → artifact [0-9a-f]{12}$/);
    const lineage = await t.platform.pipelines.queries.lineage((await t.platform.pipelines.queries.listRuns({ pipelineName: 'inputs', maxResults: 1 }))[0]!.runId);
    expect(e.changes[0]).toContain(lineage[1]!.inputs[0]!.artifact.digest.slice(0, 12));
  });

  it('names a materializer change of a declared output', async () => {
    const body = async (_: object, ctx: { workdir: string }) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${ctx.workdir}/weights.bin`, 'w');
      return { out: model(ctx.workdir, { framework: 'none' }) };
    };
    const asFolder = step({ name: 'packed', outputs: { out: 'folder' } }, body);
    const asModel = step({ name: 'packed', outputs: { out: 'model' } }, body);
    const e = await explainSecond(pipeline({ name: 'materializer' }, () => void asFolder({})), pipeline({ name: 'materializer' }, () => void asModel({})), 'packed');
    expect(e.changes).toEqual(["materializer of 'output:out' changed: folder@1 → model-folder@1"]);
  });
});
