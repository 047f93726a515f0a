import type { Experiment, Page, SearchExperimentsInput, Tags } from '@cairn/core';
import { notFound } from '@cairn/core';
import type { TrackingBackend } from './tracking-backend.js';

/**
 * Reading and managing experiments: `cairn.experiments`.
 *
 * @example
 * ```ts
 * const exp = await cairn.experiments.getByName('churn');
 * const { items } = await cairn.experiments.search({ filter: "name LIKE 'churn%'" });
 * ```
 */
export class ExperimentQueries {
  /** @internal */
  constructor(private readonly backend: TrackingBackend) {}

  /**
   * An experiment by id. Throws `NOT_FOUND` if there is none.
   *
   * @example
   * ```ts
   * const exp = await cairn.experiments.get('3');
   * ```
   */
  get(experimentId: string): Promise<Experiment> {
    return this.backend.getExperiment(experimentId);
  }

  /**
   * An experiment by name. Throws `NOT_FOUND` with a hint if there is none.
   *
   * @example
   * ```ts
   * const { experimentId } = await cairn.experiments.getByName('churn');
   * ```
   */
  async getByName(name: string): Promise<Experiment> {
    const exp = await this.backend.findExperimentByName(name);
    if (!exp) throw notFound(`Experiment '${name}'`, 'Create it with `cairn experiments create NAME` or check the spelling.');
    return exp;
  }

  /**
   * Resolves what a person typed: a name first, then (if it is all digits) an id.
   *
   * @example
   * ```ts
   * const exp = await cairn.experiments.resolve(process.argv[2]); // 'churn' or '3'
   * ```
   */
  async resolve(nameOrId: string): Promise<Experiment> {
    const byName = await this.backend.findExperimentByName(nameOrId);
    if (byName) return byName;
    if (/^\d+$/.test(nameOrId)) return this.backend.getExperiment(nameOrId);
    throw notFound(`Experiment '${nameOrId}'`, 'List experiments with `cairn experiments list`, or create it with `cairn experiments create NAME`.');
  }

  /**
   * Creates an experiment. Throws `ALREADY_EXISTS` if the name is taken.
   *
   * @example
   * ```ts
   * await cairn.experiments.create('churn', { tags: { team: 'risk' } });
   * ```
   */
  create(name: string, options?: { tags?: Tags }): Promise<Experiment> {
    return this.backend.createExperiment({ name, tags: options?.tags });
  }

  /**
   * One page of experiments matching a filter (e.g. `name LIKE 'churn%'`, `tags.team = 'risk'`).
   *
   * @example
   * ```ts
   * let page = await cairn.experiments.search({ maxResults: 50 });
   * while (page.nextPageToken) page = await cairn.experiments.search({ maxResults: 50, pageToken: page.nextPageToken });
   * ```
   */
  search(options: SearchExperimentsInput = {}): Promise<Page<Experiment>> {
    return this.backend.searchExperiments(options);
  }

  /**
   * Every matching experiment, following page tokens.
   *
   * @example
   * ```ts
   * const all = await cairn.experiments.list({ viewType: 'ALL' });
   * ```
   */
  async list(options: Omit<SearchExperimentsInput, 'pageToken'> = {}): Promise<Experiment[]> {
    const out: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.backend.searchExperiments({ ...options, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }
}
