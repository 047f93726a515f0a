import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { ModelFile } from '@cairn/core';
import type { ArtifactBody } from './cairn-client.js';
import type { RequestBody } from './http-transport.js';
import { RegistryApi, versionPath as v } from './registry-api.js';

export type { OverrideInput } from './registry-api.js';

/**
 * A typed client for the model registry's `/api/v1` routes, for Node: {@link RegistryApi} plus
 * version files streamed from and to files and Node streams. Errors come back as `CairnError` with
 * the server's code.
 *
 * @example
 * ```ts
 * const registry = new RegistryClient({ baseUrl: 'http://127.0.0.1:5050', token: process.env.CAIRN_TRACKING_TOKEN });
 * const champion = await registry.resolve('models:/churn@champion');
 * const promotion = await registry.promote('churn', 7, 'champion');
 * ```
 */
export class RegistryClient extends RegistryApi {
  /** Uploads one file into a pending version; files and streams are streamed, never read whole. */
  async uploadVersionFile(name: string, version: number | string, path: string, body: ArtifactBody): Promise<ModelFile> {
    const headers: Record<string, string> = {};
    let raw: RequestBody;
    if (body instanceof Uint8Array) raw = body;
    else if (body instanceof Readable) raw = Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>;
    else {
      headers['content-length'] = String((await stat(body.file)).size);
      raw = Readable.toWeb(createReadStream(body.file)) as unknown as ReadableStream<Uint8Array>;
    }
    return (await this.http.json<{ file: ModelFile }>('PUT', `${v(name, version)}/artifacts/content`, { query: { path }, body: raw, headers })).file;
  }

  /** Streams one file; `sha256` is the digest recorded at registration, for the caller to check. */
  async downloadVersionFile(name: string, version: number | string, path: string): Promise<{ stream: Readable; sha256: string | null }> {
    const res = await this.http.send('GET', `${v(name, version)}/artifacts/content`, { query: { path }, headers: { accept: 'application/octet-stream' } });
    const stream = res.body ? Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>) : Readable.from([]);
    return { stream, sha256: res.headers.get('x-cairn-sha256') };
  }
}
