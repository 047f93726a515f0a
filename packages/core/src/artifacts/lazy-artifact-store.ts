import type { ArtifactBody, ArtifactDownload, ArtifactFileInfo, ArtifactStore, GetOptions, PutOptions, PutResult } from './artifact-store.js';

/**
 * An artifact store whose backend is built on first use. The S3 backend loads the AWS SDK (a few
 * hundred milliseconds), which CLI commands that never touch artifacts (`cairn runs list`) must
 * not pay for. The configuration is checked when the platform opens; only the loading waits.
 *
 * @example
 * ```ts
 * const store = new LazyArtifactStore('s3://ml-artifacts/cairn', async () => new (await import('./s3/s3-artifact-store.js')).S3ArtifactStore(options));
 * ```
 */
export class LazyArtifactStore implements ArtifactStore {
  private loading: Promise<ArtifactStore> | null = null;

  constructor(
    /** Where the store is, for messages (`s3://bucket/prefix`). */
    readonly uri: string,
    private readonly load: () => Promise<ArtifactStore>,
  ) {}

  private store(): Promise<ArtifactStore> {
    this.loading ??= this.load().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    return this.loading;
  }

  async put(key: string, body: ArtifactBody, options?: PutOptions): Promise<PutResult> {
    return (await this.store()).put(key, body, options);
  }

  async putFile(key: string, localPath: string): Promise<PutResult> {
    return (await this.store()).putFile(key, localPath);
  }

  async get(key: string, options?: GetOptions): Promise<ArtifactDownload> {
    return (await this.store()).get(key, options);
  }

  async stat(key: string): Promise<ArtifactFileInfo | null> {
    return (await this.store()).stat(key);
  }

  async list(prefix: string): Promise<ArtifactFileInfo[]> {
    return (await this.store()).list(prefix);
  }

  async *listRecursive(prefix: string): AsyncIterable<ArtifactFileInfo> {
    yield* (await this.store()).listRecursive(prefix);
  }

  async delete(key: string): Promise<void> {
    return (await this.store()).delete(key);
  }

  async digest(key: string): Promise<string> {
    return (await this.store()).digest(key);
  }
}
