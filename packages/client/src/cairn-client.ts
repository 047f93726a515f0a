import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { PutResult } from '@cairn/core';
import { CairnApi } from './cairn-api.js';
import type { RequestBody } from './http-transport.js';

export type { CairnClientOptions } from './cairn-api.js';

/** What to upload: bytes, a Node stream, or `{ file }` to stream a file from disk. */
export type ArtifactBody = Uint8Array | Readable | { file: string };

const seg = encodeURIComponent;

/**
 * A typed client for Cairn's `/api/v1` HTTP API: one method per route. Errors come back as
 * `CairnError` with the server's code; metric values may be NaN or ±Infinity both ways. For Node:
 * artifacts stream from and to files and Node streams ({@link CairnApi} is the browser-safe part).
 *
 * @example
 * ```ts
 * const client = new CairnClient({ baseUrl: 'http://127.0.0.1:5050', token: process.env.CAIRN_TOKEN });
 * const exp = await client.createExperiment({ name: 'churn' });
 * const run = await client.createRun({ experimentId: exp.experimentId, runName: 'baseline' });
 * await client.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.3, timestamp: Date.now(), step: 1 }] });
 * ```
 */
export class CairnClient extends CairnApi {
  /** Streams an artifact's bytes; the caller must consume or destroy the stream. */
  async downloadArtifact(runId: string, path: string): Promise<Readable> {
    const res = await this.http.send('GET', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, headers: { accept: 'application/octet-stream' } });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>);
  }

  /** Uploads one artifact as a raw PUT body; files and Node streams are streamed, never read whole. */
  async uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<PutResult> {
    const headers: Record<string, string> = {};
    let raw: RequestBody;
    if (body instanceof Uint8Array) {
      raw = body;
    } else if (body instanceof Readable) {
      raw = Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>;
    } else {
      const { size } = await stat(body.file);
      // A known length lets the server refuse an oversized upload before reading it.
      headers['content-length'] = String(size);
      raw = Readable.toWeb(createReadStream(body.file)) as unknown as ReadableStream<Uint8Array>;
    }
    const res = await this.http.json<{ file: PutResult }>('PUT', `/api/v1/runs/${seg(runId)}/artifacts/content`, { query: { path }, body: raw, headers });
    return res.file;
  }
}
