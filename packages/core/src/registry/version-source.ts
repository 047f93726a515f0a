import { reservedFolderOf } from '../artifacts/reserved-folders.js';
import { invalid, isCairnError } from '../errors.js';
import { formatArtifactUri, parseArtifactUri, validateRelativePath } from '../paths/index.js';
import type { RunInfo } from '../tracking/entities.js';
import { parseModelRef, type ModelRef } from './model-uri.js';

/**
 * Where a new version's files come from, once checked. `prefix` is relative to the artifact root.
 * `external` is a pointer to files Cairn does not hold (another server's run, an object store): it is
 * recorded and handed to clients, never fetched, opened or followed by Cairn.
 */
export type ResolvedSource =
  | { kind: 'run'; source: string; runId: string; prefix: string }
  | { kind: 'model'; source: string; ref: ModelRef }
  | { kind: 'upload'; source: 'upload'; runId: string | null }
  | { kind: 'external'; source: string; runId: string | null };

export interface SourceLookups {
  /** The run's info; NOT_FOUND when it does not exist. */
  runInfo(runId: string): Promise<RunInfo>;
}

const HOW =
  "Register from 'runs:/<run id>/<path>', from a Cairn artifact URI inside a run's artifacts " +
  "('mlflow-artifacts:/<experiment>/<run id>/artifacts/<path>'), from 'models:/NAME/VERSION', or upload the files.";

/** Why a source was refused, for surfaces that word it their own way (MLflow's routes). */
export type SourceRefusal = 'local' | 'file' | 'relative' | 'other';

function refuse(source: string, reason: string, refusal: SourceRefusal = 'other') {
  return invalid(`Invalid model version source ${JSON.stringify(source.slice(0, 200))}: ${reason}. ${HOW}`, {
    field: 'source',
    entity: 'model_version_source',
    source: source.slice(0, 500),
    refusal,
  });
}

const SOURCE_MAX = 2000;
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/**
 * Refuses a pointer whose path climbs (`..`, `.`), however often it is percent-encoded, or holds NUL:
 * a client following it must land where it says. The server itself never follows it.
 */
function checkPointerPath(source: string): void {
  let text = source;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      break;
    }
    if (next === text) break;
    text = next;
  }
  if (/[\u0000-\u001f\u007f\\]/.test(text)) throw refuse(source, 'it holds control characters or backslashes', 'relative');
  // Every segment counts, query and fragment included: a client's URL handling must not make one climb.
  if (text.replace(SCHEME, '').split(/[/?#]/).some((seg) => seg === '..' || seg === '.')) {
    throw refuse(source, "its path holds '.' or '..' segments; give the absolute location", 'relative');
  }
}

/** Local paths: `/x`, `./x`, `~/x`, `C:\x`, or anything without a scheme. */
function isLocalPath(source: string): boolean {
  return !SCHEME.test(source) || /^[A-Za-z]:[\\/]/.test(source);
}

async function existingRun(lookups: SourceLookups, id: string): Promise<RunInfo | null> {
  return lookups.runInfo(id).catch((e: unknown) => {
    if (isCairnError(e, 'NOT_FOUND')) return null;
    throw e;
  });
}

function checkRunId(runId: string): string {
  if (runId.length > 256 || /[\u0000-\u001f\u007f]/.test(runId)) throw invalid(`Invalid run_id ${JSON.stringify(runId.slice(0, 80))}: at most 256 characters, no control characters.`, { field: 'runId' });
  return runId;
}

/**
 * Checks a version source and works out which files it names. Only places Cairn assigned are
 * accepted: a run's artifacts (`runs:/…`, or a `cairn-artifacts:`/`mlflow-artifacts:` URI inside a
 * run's artifact folder), another registered version, or an upload. `file:`, `http:`, hosts,
 * absolute paths and anything that decodes to `..` are refused before any file is touched.
 */
export async function resolveSource(source: string | null | undefined, runId: string | null | undefined, lookups: SourceLookups): Promise<ResolvedSource> {
  const givenRun = runId ? checkRunId(runId) : null;
  if (source === undefined || source === null || source === '' || source === 'upload') {
    if (givenRun) await lookups.runInfo(givenRun);
    return { kind: 'upload', source: 'upload', runId: givenRun };
  }
  if (typeof source !== 'string') throw invalid(`'source' must be a string. ${HOW}`, { field: 'source' });
  if (source.length > SOURCE_MAX) throw refuse(source, `it is longer than ${SOURCE_MAX} characters`);
  if (/^runs:/i.test(source)) {
    const m = /^runs:\/([^/]*)(?:\/(.*))?$/s.exec(source);
    if (!m || !m[1]) throw refuse(source, "a runs: URI is 'runs:/<run id>/<path inside the run's artifacts>'");
    const id = m[1];
    if (!RUN_ID.test(id)) throw refuse(source, `'${id.slice(0, 80)}' is not a run id`);
    const run = await existingRun(lookups, id);
    if (!run) {
      // A run of another tracking server: the version points there, as an MLflow registry does.
      checkPointerPath(source);
      return { kind: 'external', source, runId: givenRun ?? id };
    }
    if (givenRun && givenRun !== id) throw refuse(source, `it names run '${id}' but run_id is '${givenRun}'`);
    const path = validateRelativePath(m[2] ?? '', 'source path', { allowEmpty: true });
    return { kind: 'run', source: path ? `runs:/${id}/${path}` : `runs:/${id}`, runId: id, prefix: path ? `${run.artifactUri}/${path}` : run.artifactUri };
  }
  if (/^models:/i.test(source)) {
    // The run id is recorded as given: MLflow's copy_model_version passes the source version's,
    // which may name a run of another tracking server.
    return { kind: 'model', source, ref: parseModelRef(source) };
  }
  if (isLocalPath(source)) throw refuse(source, 'a local path names files on the server itself', 'local');
  const scheme = SCHEME.exec(source)![1]!;
  if (scheme.toLowerCase() === 'file') throw refuse(source, "the scheme 'file:' names files on the server itself", 'file');
  // `mlflow-artifacts://host/…` names another server; `mlflow-artifacts:/…` (and `:///…`) this store.
  const own = /^(cairn|mlflow)-artifacts:/.test(source) && !/^[a-z-]+:\/\/[^/]/.test(source);
  if (!own) {
    // Another store or server (s3:, gs:, https:, mlflow-artifacts://host/…): recorded, never followed.
    checkPointerPath(source);
    return { kind: 'external', source, runId: givenRun };
  }
  let path: string;
  try {
    path = parseArtifactUri(source).path;
  } catch (e) {
    if (isCairnError(e, 'INVALID_ARGUMENT')) throw refuse(source, e.message.replace(/\.$/, ''), 'relative');
    throw e;
  }
  const reserved = reservedFolderOf(path);
  if (reserved) throw refuse(source, reserved === 'registry' ? "it points into the registry's own storage; use 'models:/NAME/VERSION'" : `it points into '${reserved}/', which Cairn reserves`);
  const run = await runOwning(path, givenRun, lookups);
  // Outside every run's artifacts: a pointer into this store that clients read through the artifact proxy.
  if (!run) return { kind: 'external', source, runId: givenRun };
  return { kind: 'run', source: formatArtifactUri(path, source.startsWith('mlflow') ? 'mlflow-artifacts' : 'cairn-artifacts'), runId: run.runId, prefix: path };
}

// An artifact URI is copied only from inside a run's artifact folder: `<location>/<run id>/artifacts[/…]`.
async function runOwning(path: string, givenRun: string | null, lookups: SourceLookups): Promise<RunInfo | null> {
  const inside = (run: RunInfo) => path === run.artifactUri || path.startsWith(`${run.artifactUri}/`);
  if (givenRun) {
    const run = await existingRun(lookups, givenRun);
    return run && inside(run) ? run : null;
  }
  const segments = path.split('/');
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i + 1] !== 'artifacts' || !RUN_ID.test(segments[i]!)) continue;
    const run = await lookups.runInfo(segments[i]!).catch(() => null);
    if (run && inside(run)) return run;
  }
  return null;
}
