import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../testing/platforms.js';

// RunService.createMany: what pipelines use to record a batch of cache hits in one transaction.
for (const backend of BACKENDS) {
  const available = await backendAvailable(backend);
  describe.skipIf(!available)(`RunService.createMany [${backend}]${available ? '' : ' (skipped: backend unavailable)'}`, () => {
    let t: TestPlatform;
    beforeAll(async () => {
      t = await makeTestPlatform(backend);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('creates runs, ended or not, with their params and tags, in order', async () => {
      const exp = await t.platform.experiments.create({ name: 'many' });
      const parent = await t.platform.runs.create({ experimentId: exp.experimentId });
      const ids = await t.platform.runs.createMany([
        { experimentId: exp.experimentId, parentRunId: parent.info.runId, runName: 'a', status: 'FINISHED', startTime: 1000, endTime: 1000, params: { lr: '0.1' }, tags: { k: 'v' } },
        { experimentId: exp.experimentId, parentRunId: parent.info.runId, runName: 'b' },
      ]);
      expect(ids).toHaveLength(2);
      const [a, b] = await Promise.all(ids.map((id) => t.platform.runs.get(id)));
      expect(a!.info).toMatchObject({ runName: 'a', status: 'FINISHED', startTime: 1000, endTime: 1000, parentRunId: parent.info.runId, artifactUri: `${exp.artifactLocation}/${ids[0]}/artifacts` });
      expect(a!.data).toMatchObject({ params: { lr: '0.1' }, tags: { k: 'v' } });
      expect(b!.info).toMatchObject({ runName: 'b', status: 'RUNNING', endTime: null });
      expect(await t.platform.runs.createMany([])).toEqual([]);
    });

    it('creates none when one is refused', async () => {
      const exp = await t.platform.experiments.create({ name: 'many-refused' });
      await expect(t.platform.runs.createMany([
        { experimentId: exp.experimentId, runName: 'ok' },
        { experimentId: exp.experimentId, runName: 'bad', status: 'DONE' as never },
      ])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(t.platform.runs.createMany([{ experimentId: exp.experimentId }, { experimentId: '999999' }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await t.platform.runs.search({ experimentIds: [exp.experimentId] })).items).toEqual([]);
    });
  });
}
