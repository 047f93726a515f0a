import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../artifacts/s3/s3-client.js';

export { startS3FaultProxy, type FaultDecision, type S3FaultProxy } from './s3-fault-proxy.js';

/** s3rver's built-in account: the credentials its signature check accepts. */
export const TEST_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  /** A bucket that exists on the server. */
  bucket: string;
  /** A client with the server's credentials. */
  client: S3Client;
  /** `artifact` config for a store under `prefix` of the bucket (credentials: {@link useTestS3Credentials}). */
  artifactConfig(prefix: string, s3?: Record<string, unknown>): { uri: string; s3: Record<string, unknown> };
  close(): Promise<void>;
}

/**
 * Starts an S3-compatible server (the `s3rver` package, in a child process, objects in a temp
 * folder) on a free loopback port, with one bucket, so S3 tests need nothing installed or running.
 *
 * @example
 * ```ts
 * const s3 = await startTestS3Server();
 * const store = new S3ArtifactStore({ client: s3.client, bucket: s3.bucket, prefix: 'case-1', endpoint: s3.endpoint });
 * await s3.close();
 * ```
 */
export async function startTestS3Server(bucket = 'cairn-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'cairn-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', join(import.meta.dirname, 's3rver-process.mjs'), directory, bucket], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`The test S3 server exited (${code}) before listening.`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ endpoint, region: 'us-east-1', force_path_style: true, max_attempts: 3 }, { credentials: TEST_S3_CREDENTIALS });
  return {
    endpoint, port, bucket, client,
    artifactConfig: (prefix, s3 = {}) => ({ uri: `s3://${bucket}/${prefix}`, s3: { endpoint, force_path_style: true, max_attempts: 3, ...s3 } }),
    async close() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Puts the test server's credentials in `process.env` (where the SDK's standard chain finds them,
 * in this process and in the child processes it starts) and returns a function that restores it.
 */
export function useTestS3Credentials(env: NodeJS.ProcessEnv = process.env): () => void {
  const saved = { AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY };
  env.AWS_ACCESS_KEY_ID = TEST_S3_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = TEST_S3_CREDENTIALS.secretAccessKey;
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  };
}
