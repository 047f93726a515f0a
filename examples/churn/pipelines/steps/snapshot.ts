import { step, type FeatureViewSpec, type SourceSpec } from '@cairn/core';
import { fileDigests, withPlatform } from '../../src/lib/project.js';

export interface Snapshot {
  /** sha256 of every file the feature sources read, plus `extra`. */
  files: Record<string, string>;
  /** Content digest of every applied feature definition. */
  definitions: Record<string, string>;
  /** With `online`: each online view's materialization watermark. */
  watermarks: Record<string, string> | null;
}

/**
 * What the rest of the pipeline reads, as digests. It never caches, and its output is the input
 * of the steps after it: when a data file, a feature definition or (for scoring) the online
 * store changes, they run again; when nothing did, they are answered from the cache.
 */
export const snapshot = step({ name: 'snapshot', cache: false, outputs: { snapshot: 'json' } },
  async ({ extra, online }: { extra: string; online: boolean }, ctx) => withPlatform(async (p) => {
    const objects = await p.features.list();
    const sources = objects.flatMap((o) => (o.kind === 'source' && (o.spec as SourceSpec).type === 'file' ? [(o.spec as SourceSpec & { path: string }).path] : []));
    const out: Snapshot = {
      files: fileDigests([...new Set([...sources, ...(extra ? [extra] : [])])].sort()),
      definitions: Object.fromEntries(objects.map((o) => [`${o.kind}:${o.name}`, o.digest]).sort()),
      watermarks: null,
    };
    if (online) {
      const runs = (await p.features.listMaterializations(undefined, 1000)).filter((r) => r.status === 'SUCCEEDED');
      const views = objects.filter((o) => o.kind === 'featureView' && (o.spec as FeatureViewSpec).online).map((o) => o.name).sort();
      out.watermarks = Object.fromEntries(views.map((v) => [v, new Date(Math.max(0, ...runs.filter((r) => r.view === v).map((r) => r.end))).toISOString()]));
    }
    ctx.log(`${Object.keys(out.files).length} files, ${Object.keys(out.definitions).length} feature definitions`);
    return { snapshot: out };
  }));
