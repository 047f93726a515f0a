import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { missingIsolated, missingWhole, optionalInputs } from '../fixtures/input-pipelines.js';

// A step without declared inputs that takes them as one object never runs on with `undefined`.
describe('inputs of steps that declare none', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  for (const [p, id] of [[missingWhole, 'whole'], [missingIsolated, 'whole-isolated']] as const) {
    it(`fails the step that reads an input the pipeline does not pass, naming it, without retrying (${id})`, async () => {
      const { run, steps } = await t.platform.pipelines.run(p);
      expect(run.status).toBe('FAILED');
      expect(steps[0]).toMatchObject({ status: 'FAILED', attempt: 1, maxAttempts: 3 });
      expect(steps[0]!.error!.message).toBe(
        `step '${id}' read input 'y', which the pipeline does not pass to it (it passes x). Pass it where the pipeline calls the step (${id}({ y: … })); if it is optional, destructure it with a default ({ y = … }) or test \`'y' in inputs\` first.`,
      );
    });
  }

  it('lets optional inputs be optional: a destructuring default, or an `in` test', async () => {
    const { run } = await t.platform.pipelines.run(optionalInputs);
    expect(run.status).toBe('COMPLETED');
    const lineage = await t.platform.pipelines.queries.lineage(run.runId);
    const totals = await Promise.all(lineage.map(async (n) => JSON.parse(await readValue(t, n.outputs[0]!.artifact.uri))));
    expect(totals).toEqual([11, 101]);
  });
});

async function readValue(t: TestPlatform, uri: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await t.platform.artifacts.get(`${uri}/value.json`)).stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
