// Issue #14's S3 targets: Cairn's S3 artifact store uploads and downloads a large artifact within
// 1.2x of the bare @aws-sdk/client-s3 (lib-storage Upload, GetObject) moving the same bytes to the
// same local S3-compatible server (s3rver, started here), with flat memory. CAIRN_BENCH_S3_MB sets
// the size (default 5120, the issue's 5 GB; needs about 3x that free in TMPDIR for the server's
// parts and objects, and s3rver moves ~50-300 MB/s, so a 5 GB run takes several minutes); a
// smaller size is a smoke run. CAIRN_BENCH_S3_ROUNDS sets the rounds (default 2).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3ArtifactStore } from '../packages/core/src/artifacts/s3/s3-artifact-store.js';
import { startTestS3Server } from '../packages/core/src/testing/s3.js';
import type { BenchResult } from './lib/report.js';

const MiB = 1024 * 1024;
const PART = 8 * MiB;
const QUEUE = 4;
/** Rounds, alternating which side goes first; each moves the size four times (up and down, Cairn and SDK). */
const ROUNDS = Number(process.env.CAIRN_BENCH_S3_ROUNDS ?? 2);

/** `total` bytes as 1 MiB chunks of one random block, so both sides pay the same for the source. */
function source(total: number, block: Buffer): Readable {
  return Readable.from((function* () {
    for (let sent = 0; sent < total; sent += block.length) yield sent + block.length <= total ? block : block.subarray(0, total - sent);
  })());
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

/** Runs `fn`, sampling RSS every 50 ms; returns seconds and the peak RSS above the start, in MB. */
async function measured(fn: () => Promise<unknown>): Promise<{ seconds: number; rssGrowthMb: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds: (performance.now() - t0) / 1000, rssGrowthMb: (peak - base) / MiB };
}

export default {
  name: 's3',
  async run(): Promise<BenchResult[]> {
    const total = Number(process.env.CAIRN_BENCH_S3_MB ?? 5120) * MiB;
    const block = randomBytes(MiB);
    const s3 = await startTestS3Server('cairn-bench');
    try {
      const store = new S3ArtifactStore({ client: s3.client, bucket: s3.bucket, prefix: 'cairn', endpoint: s3.endpoint, partSize: PART, uploadConcurrency: QUEUE });
      const bare = { Bucket: s3.bucket, Key: 'bare/artifact.bin' };
      const rounds: Array<{ cairnUp: number; bareUp: number; cairnDown: number; bareDown: number; rss: number }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Interleaved in alternating order (the server's disk still flushing one side's writes must
        // not always slow the other), each object deleted after use.
        const sides = [
          async () => {
            const up = await measured(() => new Upload({ client: s3.client, params: { ...bare, Body: source(total, block) }, partSize: PART, queueSize: QUEUE }).done());
            const down = await measured(async () => drain((await s3.client.send(new GetObjectCommand(bare))).Body as Readable));
            await s3.client.send(new DeleteObjectCommand(bare));
            return { bareUp: up.seconds, bareDown: down.seconds };
          },
          async () => {
            const up = await measured(() => store.put('run/artifacts/artifact.bin', source(total, block)));
            const down = await measured(async () => drain((await store.get('run/artifacts/artifact.bin')).stream));
            await store.delete('run');
            return { cairnUp: up.seconds, cairnDown: down.seconds, rss: Math.max(up.rssGrowthMb, down.rssGrowthMb) };
          },
        ];
        if (round % 2) sides.reverse();
        const results = [];
        for (const side of sides) results.push(await side());
        rounds.push(Object.assign({}, ...results) as (typeof rounds)[number]);
      }
      const best = (k: 'cairnUp' | 'bareUp' | 'cairnDown' | 'bareDown') => Math.min(...rounds.map((r) => r[k]));
      const mbps = (s: number) => `${Math.round(total / MiB / s)} MB/s`;
      const size = total >= 1024 * MiB ? `${(total / 1024 / MiB).toFixed(1)} GB` : `${Math.round(total / MiB)} MB`;
      const scale = total < 5120 * MiB ? ' (smoke size, set CAIRN_BENCH_S3_MB=5120 for the target run)' : '';
      return [
        {
          id: '14.s3-upload-vs-sdk', issue: '#14', title: `S3 artifact upload of ${size} / bare SDK Upload to the same local s3rver`, backend: 's3', figure: best('cairnUp') / best('bareUp'), unit: 'x', target: '<= 1.2',
          notes: `best of ${rounds.length}, interleaved: Cairn ${mbps(best('cairnUp'))} (sha256 while streaming), SDK ${mbps(best('bareUp'))}; ${PART / MiB} MiB parts x ${QUEUE}${scale}`,
        },
        {
          id: '14.s3-download-vs-sdk', issue: '#14', title: `S3 artifact download of ${size} / bare SDK GetObject from the same local s3rver`, backend: 's3', figure: best('cairnDown') / best('bareDown'), unit: 'x', target: '<= 1.2',
          notes: `best of ${rounds.length}: Cairn ${mbps(best('cairnDown'))}, SDK ${mbps(best('bareDown'))}${scale}`,
        },
        {
          id: '14.s3-memory', issue: '#14', title: `S3 artifact upload and download of ${size}: peak RSS growth`, backend: 's3', figure: Math.max(...rounds.map((r) => r.rss)), unit: 'MB', target: '<= 256',
          notes: `flat: bounded by part size x (upload concurrency + 1), whatever the size${scale}`,
        },
      ];
    } finally {
      await s3.close();
    }
  },
};
