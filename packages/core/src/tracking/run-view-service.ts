import type { Kysely } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import type { Readable } from 'node:stream';
import { archiveFolder } from './artifact-archive.js';
import { previewArtifact, type ArtifactPreview } from './artifact-preview.js';
import { downsampleSeries, type DownsampledSeries, type SeriesAxis } from './downsample-series.js';
import type { ExperimentService } from './experiment-service.js';
import type { RunService } from './run-service.js';
import { RunStore } from './sql/run-store.js';
import { RunViewStore, type ExperimentKeys, type ExperimentStats } from './sql/run-view-store.js';
import { checkKey } from './validation.js';

export interface SampledHistoryInput {
  runIds: string[];
  keys: string[];
  /** Points per series at most; default 1,000. */
  maxPoints?: number;
  axis?: SeriesAxis;
  min?: number;
  max?: number;
}

/** One (run, key) series of {@link RunViewService.sampledHistories}. */
export interface SampledSeries extends DownsampledSeries {
  runId: string;
}

export const SAMPLED_LIMITS = { runs: 100, keys: 50, series: 500, maxPoints: 100_000, defaultMaxPoints: 1_000 } as const;
const MAX_KEYS_LISTED = 2_000;
const MAX_EXPERIMENTS = 100;

/**
 * What people looking at runs need beyond the records themselves: per-experiment counts, the keys
 * a filter or a column can name, metric histories downsampled for charts, and artifact previews.
 * Everything here only reads.
 */
export class RunViewService {
  private readonly views: RunViewStore;
  private readonly runStore: RunStore;

  constructor(db: Kysely<Database>, dialect: Dialect, private readonly experiments: ExperimentService, private readonly runs: RunService) {
    this.views = new RunViewStore(db);
    this.runStore = new RunStore(db, dialect);
  }

  /** Active run counts and the latest run activity of each experiment, in the order asked. */
  async experimentStats(experimentIds: string[]): Promise<ExperimentStats[]> {
    return this.views.stats(checkExperimentIds(experimentIds));
  }

  /** The metric, param and tag keys used by active runs of the experiments (sorted, at most 2,000 of each). */
  async experimentKeys(experimentIds: string[]): Promise<ExperimentKeys> {
    const ids = checkExperimentIds(experimentIds);
    for (const id of ids) await this.experiments.get(String(id));
    return this.views.keys(ids, MAX_KEYS_LISTED);
  }

  /**
   * Each (run, key) history, at most `maxPoints` points each, min and max kept per bucket
   * ({@link downsampleSeries}), optionally only a step or time range (what a zoomed chart shows).
   * A run without the key gives an empty series.
   */
  async sampledHistories(input: SampledHistoryInput): Promise<SampledSeries[]> {
    const runIds = [...new Set(input.runIds)];
    const keys = [...new Set(input.keys)].map((k) => checkKey(k, 'key'));
    if (!runIds.length || !keys.length) throw invalid(`Give at least one run id and one metric key.`);
    if (runIds.length > SAMPLED_LIMITS.runs) throw invalid(`At most ${SAMPLED_LIMITS.runs} runs per request, got ${runIds.length}.`);
    if (keys.length > SAMPLED_LIMITS.keys) throw invalid(`At most ${SAMPLED_LIMITS.keys} keys per request, got ${keys.length}.`);
    if (runIds.length * keys.length > SAMPLED_LIMITS.series) throw invalid(`At most ${SAMPLED_LIMITS.series} series (runs × keys) per request, got ${runIds.length * keys.length}.`);
    const maxPoints = input.maxPoints ?? SAMPLED_LIMITS.defaultMaxPoints;
    if (!Number.isSafeInteger(maxPoints) || maxPoints < 4 || maxPoints > SAMPLED_LIMITS.maxPoints) throw invalid(`'maxPoints' must be an integer from 4 to ${SAMPLED_LIMITS.maxPoints}.`);
    if (input.min !== undefined && input.max !== undefined && input.min > input.max) throw invalid(`'min' (${input.min}) is greater than 'max' (${input.max}).`);
    for (const runId of runIds) await this.runs.getInfo(runId);
    const out: SampledSeries[] = [];
    for (const runId of runIds) {
      for (const key of keys) {
        const series = await this.runStore.metricSeries(runId, key, 0, Number.MAX_SAFE_INTEGER);
        out.push({ runId, ...downsampleSeries(series, { maxPoints, axis: input.axis ?? 'step', min: input.min, max: input.max }) });
      }
    }
    return out;
  }

  /** A preview of one artifact file (text head, table head, or what kind of file it is). */
  async previewArtifact(runId: string, path: string): Promise<ArtifactPreview> {
    const opened = await this.runs.openArtifact(runId, path);
    return previewArtifact(path, opened);
  }

  /** A folder of a run's artifacts (or all of them) as a zip stream; refused up front over 10,000 files or 4 GiB. */
  async archiveArtifacts(runId: string, folder: string): Promise<Readable> {
    await this.runs.getInfo(runId);
    return archiveFolder({ list: (path) => this.runs.listArtifacts(runId, path), open: (path) => this.runs.openArtifact(runId, path) }, folder);
  }
}

function checkExperimentIds(ids: string[]): number[] {
  if (!Array.isArray(ids) || !ids.length) throw invalid(`Give at least one experiment id.`);
  if (ids.length > MAX_EXPERIMENTS) throw invalid(`At most ${MAX_EXPERIMENTS} experiments per request, got ${ids.length}.`);
  return [...new Set(ids)].map((id) => {
    if (!/^\d{1,15}$/.test(String(id))) throw notFound(`Experiment with id '${String(id).slice(0, 80)}'`, 'List experiments with `cairn experiments list`.');
    return Number(id);
  });
}
