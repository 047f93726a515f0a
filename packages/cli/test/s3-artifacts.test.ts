import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3Server, TEST_S3_CREDENTIALS, type TestS3Server } from '@cairn/core/testing/s3';
import { startCliServer, type CliServer } from '../src/testing/cli-process.js';

// `cairn server` processes with `artifact.uri: s3://…`, credentials from the standard AWS variables.
describe('cairn server with an S3 artifact store', () => {
  let s3: TestS3Server;
  let dir: string;
  const servers: CliServer[] = [];
  const env = (uri: string) => ({
    CAIRN_STORE_URI: `sqlite:${join(dir, 'cairn.db')}`, CAIRN_ARTIFACT_URI: uri, CAIRN_ARTIFACT_S3_ENDPOINT: s3.endpoint, CAIRN_ARTIFACT_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
  });

  beforeAll(async () => {
    s3 = await startTestS3Server();
    dir = mkdtempSync(join(tmpdir(), 'cairn-cli-s3-'));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores uploads in the bucket and serves them back', async () => {
    const server = await startCliServer({ cwd: dir, env: env(`s3://${s3.bucket}/cli`) });
    servers.push(server);
    expect(server.output()).toContain(`artifacts s3://${s3.bucket}/cli`);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return res.json() as Promise<Record<string, Record<string, unknown>>>;
    };
    const experimentId = (await api('POST', '/api/v1/experiments', { name: 'cli-s3' })).experiment!.experimentId as string;
    const runId = ((await api('POST', '/api/v1/runs', { experimentId })).run!.info as { runId: string }).runId;
    const put = await fetch(`${server.url}/api/v1/runs/${runId}/artifacts/content?path=notes.txt`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'stored in S3' });
    expect(put.status).toBe(200);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'cli/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`cli/${experimentId}/${runId}/artifacts/notes.txt`]);
    expect(await (await fetch(`${server.url}/api/v1/runs/${runId}/artifacts/content?path=notes.txt`)).text()).toBe('stored in S3');
  });

  it('says at start that the artifact store is unusable, naming the setting, and keeps serving', async () => {
    const server = await startCliServer({ cwd: dir, env: env('s3://no-such-bucket/cli') });
    servers.push(server);
    while (!server.output().includes('warning:')) await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toContain("warning: the artifact store is not usable: The bucket 'no-such-bucket' named by artifact.uri (CAIRN_ARTIFACT_URI) does not exist");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
