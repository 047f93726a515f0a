import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../../pipelines/fixtures/basic-pipelines.js';
import { isolated } from '../../pipelines/fixtures/command-pipelines.js';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { startTestS3Server, useTestS3Credentials, type TestS3Server } from '../../testing/s3.js';

// Everything that stores artifacts goes through the ArtifactStore: with `artifact.uri: s3://…`,
// run files, registered versions and pipeline objects (written in this process and by an isolated
// step's child process) all land in the bucket, and the local artifact folder is never created.
describe('a platform whose artifacts live in S3', () => {
  let s3: TestS3Server;
  let t: TestPlatform;
  let restoreEnv: () => void;
  const keys = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };

  beforeAll(async () => {
    s3 = await startTestS3Server();
    restoreEnv = useTestS3Credentials();
    t = await makeTestPlatform('sqlite', { artifact: s3.artifactConfig('platform') });
  });
  afterAll(async () => {
    await t?.cleanup();
    restoreEnv?.();
    await s3?.close();
  });

  it('stores run artifacts and registered versions in the bucket', async () => {
    const exp = await t.platform.experiments.create({ name: 's3-runs' });
    const run = await t.platform.runs.create({ experimentId: exp.experimentId });
    await t.platform.runs.logArtifact(run.info.runId, 'model/model.json', '{"w": [1, 2]}');
    await t.platform.registry.createModel({ name: 's3-registered' });
    const v = await t.platform.registry.versions.create({ name: 's3-registered', source: `runs:/${run.info.runId}/model` });
    expect([v.fileCount, v.size]).toEqual([1, 13]);
    const all = await keys('platform/');
    expect(all).toContain(`platform/${run.info.artifactUri}/model/model.json`);
    expect(all).toContain(`platform/${v.storagePath}/model.json`);
    expect(existsSync(join(t.dir, 'artifacts'))).toBe(false);
  });

  it('keeps pipeline outputs and cache objects in the bucket, and reuses them from there', async () => {
    const first = await t.platform.pipelines.run(basic, { overrides: { n: '4' } });
    expect(first.run.status).toBe('COMPLETED');
    const objects = (await keys('platform/pipelines/objects/')).filter((k) => k.endsWith('.cairn-manifest.json'));
    expect(objects.length).toBeGreaterThanOrEqual(4);
    const again = await t.platform.pipelines.run(basic, { overrides: { n: '4' } });
    expect(again.steps.map((s) => s.status)).toEqual(['CACHED', 'CACHED', 'CACHED']);
    expect(existsSync(join(t.dir, 'artifacts'))).toBe(false);
  });

  it('has an isolated step’s child process write its outputs to the bucket', async () => {
    const { run } = await t.platform.pipelines.run(isolated, { overrides: { n: '5' } });
    expect([run.status, run.statusReason]).toEqual(['COMPLETED', null]);
    const out = (await t.platform.pipelines.queries.lineage(run.runId))[0]!.outputs.find((o) => o.name === 'doubled')!;
    const { stream } = await t.platform.artifacts.get(`${out.artifact.uri}/value.json`);
    expect(JSON.parse(Buffer.concat(await stream.toArray()).toString())).toBe(10);
    expect(await keys(`platform/${out.artifact.uri}/`)).toContain(`platform/${out.artifact.uri}/value.json`);
  });
});
