import { reservedFolderOf } from '../artifacts/reserved-folders.js';
import { invalid } from '../errors.js';
import { formatArtifactUri, parseArtifactUri, validateRelativePath } from '../paths/index.js';
import type { RunInfo } from '../tracking/entities.js';
import { parseModelRef, type ModelRef } from './model-uri.js';

/** Where a new version's files come from, once checked. `prefix` is relative to the artifact root. */
export type ResolvedSource =
  | { kind: 'run'; source: string; runId: string; prefix: string }
  | { kind: 'model'; source: string; ref: ModelRef }
  | { kind: 'upload'; source: 'upload'; runId: string | null };

export interface SourceLookups {
  /** The run's info; NOT_FOUND when it does not exist. */
  runInfo(runId: string): Promise<RunInfo>;
}

const HOW =
  "Register from 'runs:/<run id>/<path>', from a Cairn artifact URI inside a run's artifacts " +
  "('mlflow-artifacts:/<experiment>/<run id>/artifacts/<path>'), from 'models:/NAME/VERSION', or upload the files.";

function refuse(source: string, reason: string) {
  return invalid(`Invalid model version source ${JSON.stringify(source.slice(0, 200))}: ${reason}. ${HOW}`, { field: 'source' });
}

/**
 * Checks a version source and works out which files it names. Only places Cairn assigned are
 * accepted: a run's artifacts (`runs:/…`, or a `cairn-artifacts:`/`mlflow-artifacts:` URI inside a
 * run's artifact folder), another registered version, or an upload. `file:`, `http:`, hosts,
 * absolute paths and anything that decodes to `..` are refused before any file is touched.
 */
export async function resolveSource(source: string | null | undefined, runId: string | null | undefined, lookups: SourceLookups): Promise<ResolvedSource> {
  const givenRun = runId ? runId : null;
  if (source === undefined || source === null || source === '' || source === 'upload') {
    if (givenRun) await lookups.runInfo(givenRun);
    return { kind: 'upload', source: 'upload', runId: givenRun };
  }
  if (typeof source !== 'string') throw invalid(`'source' must be a string. ${HOW}`, { field: 'source' });
  if (/^runs:/i.test(source)) {
    const m = /^runs:\/([^/]*)(?:\/(.*))?$/s.exec(source);
    if (!m || !m[1]) throw refuse(source, "a runs: URI is 'runs:/<run id>/<path inside the run's artifacts>'");
    const id = m[1];
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw refuse(source, `'${id.slice(0, 80)}' is not a run id`);
    if (givenRun && givenRun !== id) throw refuse(source, `it names run '${id}' but run_id is '${givenRun}'`);
    const path = validateRelativePath(m[2] ?? '', 'source path', { allowEmpty: true });
    const run = await lookups.runInfo(id);
    return { kind: 'run', source: path ? `runs:/${id}/${path}` : `runs:/${id}`, runId: id, prefix: path ? `${run.artifactUri}/${path}` : run.artifactUri };
  }
  if (/^models:/i.test(source)) {
    const ref = parseModelRef(source);
    if (givenRun) await lookups.runInfo(givenRun);
    return { kind: 'model', source, ref };
  }
  if (!/^(cairn|mlflow)-artifacts:/.test(source)) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(source)?.[1];
    throw refuse(source, scheme ? `the scheme '${scheme}:' names a place outside Cairn's artifact store` : 'it is not a URI Cairn assigned');
  }
  const { path } = parseArtifactUri(source);
  const reserved = reservedFolderOf(path);
  if (reserved) throw refuse(source, reserved === 'registry' ? "it points into the registry's own storage; use 'models:/NAME/VERSION'" : `it points into '${reserved}/', which Cairn reserves`);
  const run = await runOwning(path, givenRun, lookups, source);
  return { kind: 'run', source: formatArtifactUri(path, source.startsWith('mlflow') ? 'mlflow-artifacts' : 'cairn-artifacts'), runId: run.runId, prefix: path };
}

// An artifact URI is accepted only inside a run's artifact folder: `<location>/<run id>/artifacts[/…]`.
async function runOwning(path: string, givenRun: string | null, lookups: SourceLookups, source: string): Promise<RunInfo> {
  const inside = (run: RunInfo) => path === run.artifactUri || path.startsWith(`${run.artifactUri}/`);
  if (givenRun) {
    const run = await lookups.runInfo(givenRun);
    if (!inside(run)) throw refuse(source, `it is not inside the artifacts of run '${givenRun}' (${run.artifactUri})`);
    return run;
  }
  const segments = path.split('/');
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i + 1] !== 'artifacts' || !/^[A-Za-z0-9_-]{1,64}$/.test(segments[i]!)) continue;
    const run = await lookups.runInfo(segments[i]!).catch(() => null);
    if (run && inside(run)) return run;
  }
  throw refuse(source, "it is not inside any run's artifact folder");
}
