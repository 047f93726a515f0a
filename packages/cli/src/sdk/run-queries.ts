import type { Readable } from 'node:stream';
import type { ArtifactFileInfo, Metric, Page, Run, SearchRunsInput } from '@cairn/core';
import { invalid } from '@cairn/core';
import type { ExperimentQueries } from './experiment-queries.js';
import type { TrackingBackend } from './tracking-backend.js';

export interface RunSearchOptions extends Omit<SearchRunsInput, 'experimentIds'> {
  /** Experiment names to search in. */
  experiments?: string[];
  /** Experiment ids to search in (combined with `experiments`). */
  experimentIds?: string[];
}

/**
 * Reading runs: `cairn.runs`.
 *
 * @example
 * ```ts
 * const { items } = await cairn.runs.search({ experiments: ['churn'], filter: 'metrics.auc > 0.8', orderBy: ['metrics.auc DESC'] });
 * const losses = await cairn.runs.history(items[0].info.runId, 'loss');
 * ```
 */
export class RunQueries {
  /** @internal */
  constructor(private readonly backend: TrackingBackend, private readonly experiments: ExperimentQueries) {}

  /**
   * A run with its params, tags, latest metrics and inputs.
   *
   * @example
   * ```ts
   * const run = await cairn.runs.get(runId);
   * console.log(run.info.status, run.data.params.lr);
   * ```
   */
  get(runId: string): Promise<Run> {
    return this.backend.getRun(runId);
  }

  /**
   * One page of runs in the given experiments, filtered and ordered with the search syntax.
   *
   * @example
   * ```ts
   * const page = await cairn.runs.search({ experiments: ['churn'], filter: "params.model = 'xgb'", maxResults: 20 });
   * ```
   */
  async search(options: RunSearchOptions): Promise<Page<Run>> {
    const { experiments = [], experimentIds = [], ...rest } = options;
    const ids = [...experimentIds];
    for (const name of experiments) ids.push((await this.experiments.getByName(name)).experimentId);
    if (!ids.length) throw invalid('Name at least one experiment to search runs in (experiments: [NAME] or experimentIds: [ID]).');
    return this.backend.searchRuns({ ...rest, experimentIds: ids });
  }

  /**
   * A metric's whole history, ordered by step then timestamp.
   *
   * @example
   * ```ts
   * const points = await cairn.runs.history(runId, 'loss'); // [{ key, value, step, timestamp }, …]
   * ```
   */
  async history(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.backend.getMetricHistory(runId, key, { pageToken });
      for (const m of page.items) out.push(m);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /**
   * Lists one level of a run's artifacts (`path` is a folder inside them; '' is the top).
   *
   * @example
   * ```ts
   * for (const f of await cairn.runs.artifacts(runId)) console.log(f.path, f.size);
   * ```
   */
  artifacts(runId: string, path = ''): Promise<ArtifactFileInfo[]> {
    return this.backend.listArtifacts(runId, path);
  }

  /**
   * Streams one artifact's bytes.
   *
   * @example
   * ```ts
   * await pipeline(await cairn.runs.openArtifact(runId, 'model.onnx'), createWriteStream('model.onnx'));
   * ```
   */
  openArtifact(runId: string, path: string): Promise<Readable> {
    return this.backend.openArtifact(runId, path);
  }
}
