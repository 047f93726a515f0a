// The team shape, for real: two `cairn server` processes (replicas A and B) on one PostgreSQL store
// (a schema of its own), one S3 store (s3rver, started here) and one Redis (a key prefix of its own),
// with two `cairn worker`s. What one replica accepts, the other serves; a pipeline fired by A runs on
// both workers; killing A mid-upload loses nothing it acknowledged and leaves no partial object.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig, openPlatform } from '@cairn/core';
import { startTestS3Server, TEST_S3_CREDENTIALS, type TestS3Server } from '@cairn/core/testing/s3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUri, postgresAvailable } from '../../core/src/testing/postgres.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../core/src/testing/redis.js';
import { Cairn } from '../src/sdk/cairn.js';
import { CAIRN_BIN, childEnv, startCliServer, type CliServer } from '../src/testing/cli-process.js';

const PIPELINES = fileURLToPath(new URL('./fixtures/replica-pipelines.ts', import.meta.url));
const servicesUp = (await postgresAvailable()) && (await redisAvailable());
const skipReason = servicesUp ? '' : ' (skipped: no PostgreSQL or Redis; CI=true requires both)';

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `cairn worker` as a real process. */
function startWorker(cwd: string, env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, [CAIRN_BIN, 'worker', '--concurrency', '1'], { cwd, env: childEnv(env) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return { child, output: () => output };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

describe.skipIf(!servicesUp)(`two cairn server replicas on one PostgreSQL, S3 and Redis${skipReason}`, () => {
  let dir: string;
  let s3: TestS3Server;
  let redis: Redis;
  let prefix: ReturnType<typeof freshRedisPrefix>;
  let pgdb: ReturnType<typeof freshPostgresUri>;
  let env: Record<string, string>;
  let a: CliServer;
  let b: CliServer;
  let viaA: Cairn;
  let viaB: Cairn;
  const workers: Array<ReturnType<typeof startWorker>> = [];
  const artifactPrefix = `replicas-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-replicas-'));
    s3 = await startTestS3Server();
    redis = new Redis(REDIS_TEST_URI, { maxRetriesPerRequest: 1 });
    prefix = freshRedisPrefix(redis);
    pgdb = freshPostgresUri('replicas');
    env = {
      CAIRN_STORE_URI: pgdb.uri,
      CAIRN_ARTIFACT_URI: `s3://${s3.bucket}/${artifactPrefix}`,
      CAIRN_ARTIFACT_S3_ENDPOINT: s3.endpoint,
      CAIRN_ARTIFACT_S3_FORCE_PATH_STYLE: 'true',
      CAIRN_ARTIFACT_S3_PART_SIZE_MB: '5',
      AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
      CAIRN_PIPELINES_EXECUTOR: 'queue',
      CAIRN_PIPELINES_QUEUE_REDIS_URI: REDIS_TEST_URI,
      CAIRN_PIPELINES_QUEUE_PREFIX: prefix.prefix.replace(/:$/, ''),
      CAIRN_REGISTRY_WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    };
    // Only A fires schedules; both start at once on the empty schema (migrations take turns).
    [a, b] = await Promise.all([
      startCliServer({ cwd: dir, env: { ...env, CAIRN_PIPELINES_SERVER_SCHEDULER: 'true' } }),
      startCliServer({ cwd: dir, env }),
    ]);
    viaA = await Cairn.connect({ uri: a.url, captureSource: false, quiet: true });
    viaB = await Cairn.connect({ uri: b.url, captureSource: false, quiet: true });
  });

  afterAll(async () => {
    await viaA?.close().catch(() => {});
    await viaB?.close().catch(() => {});
    for (const w of workers) await stop(w.child);
    for (const server of [a, b]) if (server) await stop(server.process);
    await prefix?.clean();
    redis?.disconnect();
    await pgdb?.drop();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run created on A is found by search on B, and an artifact uploaded through A downloads from B', async () => {
    const run = await viaA.startRun({ experiment: 'replicas', name: 'on-a', params: { lr: 0.1 } });
    run.logMetric('auc', 0.93);
    await run.logArtifact(Buffer.from('weights from A'), 'model/weights.txt');
    await run.end();
    const found = await viaB.runs.search({ experiments: ['replicas'], filter: "metrics.auc > 0.9 and params.lr = '0.1'" });
    expect(found.items.map((r) => r.info.runId)).toEqual([run.info.runId]);
    const res = await fetch(`${b.url}/api/v1/runs/${run.info.runId}/artifacts/content?path=model/weights.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('weights from A');
  });

  it('an alias moved on A resolves to the new version on B within 1 s', async () => {
    writeFileSync(join(dir, 'model-v1.json'), '{"w": [1]}');
    writeFileSync(join(dir, 'model-v2.json'), '{"w": [2]}');
    const v1 = await viaA.models.register({ name: 'churn', path: join(dir, 'model-v1.json') });
    const v2 = await viaA.models.register({ name: 'churn', path: join(dir, 'model-v2.json') });
    await viaA.models.setAlias('churn', 'champion', v1.version);
    // B resolves (and caches) v1 first, so what is checked is that A's move reaches B's cache.
    await until('B to resolve @champion to version 1', async () => (await viaB.models.get('churn@champion')).version === v1.version);
    await viaA.models.setAlias('churn', 'champion', v2.version);
    const moved = Date.now();
    const resolvedAfter = await until('B to resolve @champion to version 2', async () => ((await viaB.models.get('churn@champion')).version === v2.version ? Date.now() - moved : null), 10_000);
    expect(resolvedAfter, `B resolved the new version ${resolvedAfter} ms after A acknowledged the move`).toBeLessThanOrEqual(1000);
  });

  it('a pipeline fired by A (its scheduler) runs on the two workers', async () => {
    for (let i = 0; i < 2; i++) workers.push(startWorker(dir, env));
    for (const w of workers) await until('the worker to start', async () => /Cairn worker \S+ taking steps/.test(w.output()));
    const folder = join(dir, 'rendezvous');
    // A cron (with seconds) that fires once, two seconds from now, added straight to the shared store.
    const store = await openPlatform(loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: pgdb.uri }, artifact: { uri: join(dir, 'unused-artifacts') } } }));
    try {
      const at = new Date(Date.now() + 2000);
      const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
      await store.pipelines.schedules.add({ name: 'meet-once', pipelineName: 'rendezvous', source: { file: PIPELINES, exportName: 'rendezvous' }, cron, timezone: 'UTC', params: { folder } });
    } finally {
      await store.close();
    }
    const runId = await until('A to fire the schedule', async () => (await viaB.pipelines.runs({ pipeline: 'rendezvous' }))[0]?.runId, 60_000);
    const detail = await until('the run to end', async () => {
      const d = await viaB.pipelines.get(runId);
      return d.run.status === 'RUNNING' ? null : d;
    }, 180_000);
    expect(detail.run.status).toBe('COMPLETED');
    const pids = new Set(detail.steps.map((s) => Number(s.worker?.split(':').pop())));
    expect(pids).toEqual(new Set(workers.map((w) => w.child.pid)));
    // B pauses what A fires: the schedule is one in the shared store.
    expect((await fetch(`${b.url}/api/v1/pipelines/schedules/meet-once/pause`, { method: 'POST' })).status).toBe(200);
  });

  it('killing A (SIGKILL) mid-upload loses nothing it acknowledged and leaves no partial object', async () => {
    const run = await viaA.startRun({ experiment: 'replicas', name: 'killed-upload' });
    const runId = run.info.runId;
    // A large upload through A, streamed: 64 MiB in 1 MiB chunks, parts of 5 MiB.
    const chunk = Buffer.alloc(1 << 20, 7);
    let sent = 0;
    const upload = request(`${a.url}/api/v1/runs/${runId}/artifacts/content?path=big/blob.bin`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(64 << 20) } });
    const outcome = new Promise<string>((done) => {
      upload.on('response', (res) => done(`answered ${res.statusCode}`));
      upload.on('error', (e) => done(`failed: ${e.message}`));
    });
    const pump = async (upTo: number) => {
      while (sent < upTo) {
        sent += chunk.length;
        if (!upload.write(chunk)) await new Promise<void>((r) => upload.once('drain', r));
      }
    };
    await pump(20 << 20);
    // Acknowledged while the upload is in flight, through the replica about to die.
    await run.logParams({ stage: 'mid-upload' });
    run.logMetric('loss', 0.25, { step: 1 });
    await run.flush();
    await run.logArtifact(Buffer.from('small and acknowledged'), 'small.txt');
    await pump(30 << 20);
    a.process.kill('SIGKILL');
    expect(await outcome).toMatch(/^failed/);

    // Everything A acknowledged is there through B.
    const seen = await viaB.runs.get(runId);
    expect(seen.data.params).toMatchObject({ stage: 'mid-upload' });
    expect(seen.data.metrics).toContainEqual(expect.objectContaining({ key: 'loss', value: 0.25 }));
    expect(await (await fetch(`${b.url}/api/v1/runs/${runId}/artifacts/content?path=small.txt`)).text()).toBe('small and acknowledged');
    // The interrupted upload left no object under its key (S3 shows an object only once its multipart upload completes).
    expect((await fetch(`${b.url}/api/v1/runs/${runId}/artifacts/content?path=big/blob.bin`)).status).toBe(404);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${artifactPrefix}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.some((k) => k.endsWith('/small.txt'))).toBe(true);
    expect(keys.filter((k) => k.includes('/big/'))).toEqual([]);
  });
});
