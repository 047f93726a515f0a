import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { startTestS3Server, type TestS3Server } from '../../testing/s3.js';
import { runArtifactStoreContract } from '../artifact-store.contract.js';
import { S3ArtifactStore } from './s3-artifact-store.js';

let s3: TestS3Server;
let n = 0;
beforeAll(async () => {
  s3 = await startTestS3Server();
});
afterAll(() => s3.close());

async function readObject(key: string): Promise<Buffer | null> {
  try {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch {
    return null;
  }
}

// Each case gets its own prefix, with a canary object beside it that `../canary.txt` would name
// if a key were joined naively. Small pages make every listing page through continuation tokens.
runArtifactStoreContract('s3', async () => {
  const base = `contract-${n++}`;
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${base}/canary.txt`, Body: 'do not touch' }));
  return {
    store: new S3ArtifactStore({ client: s3.client, bucket: s3.bucket, prefix: `${base}/store`, endpoint: s3.endpoint, pageSize: 3 }),
    cleanup: async () => {},
    canary: { name: 'canary.txt', read: () => readObject(`${base}/canary.txt`) },
  };
});
