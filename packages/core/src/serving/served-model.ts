import type { ModelFormat, Signature } from '../registry/entities.js';
import type { Field } from '../features/entities.js';
import type { ModelRuntime } from './model-runtime.js';

/** What serving knows of the model it answers with. */
export interface ServedModelInfo {
  name: string;
  version: number;
  /** The alias being followed, if the URI named one. */
  alias: string | null;
  digest: string | null;
  format: ModelFormat;
  signature: Signature | null;
  /** Features are looked up through this service when a request sends only entity keys. */
  featureService: string | null;
  /** The fields such a request sends (join keys and on-demand request fields). */
  entityFields: Field[];
  /** The training set the version learned from (its statistics are the drift reference). */
  trainingDatasetId: string | null;
  loadedAt: number;
}

/**
 * A loaded version and the requests using it. A swap replaces the current model at once; the old
 * one closes when its last request is done, so no request ever sees a closed runtime.
 */
export class ServedModel {
  private inflight = 0;
  private retired = false;
  private closing: Promise<void> | null = null;

  constructor(readonly info: ServedModelInfo, readonly runtime: ModelRuntime, private readonly cleanup: () => Promise<void>) {}

  acquire(): this {
    this.inflight++;
    return this;
  }

  release(): void {
    this.inflight--;
    if (this.retired && this.inflight === 0) void this.close();
  }

  /** No new requests; closes once the ones under way finish. */
  retire(): void {
    this.retired = true;
    if (this.inflight === 0) void this.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.runtime.close().catch(() => {});
      await this.cleanup().catch(() => {});
    })();
    return this.closing;
  }
}
