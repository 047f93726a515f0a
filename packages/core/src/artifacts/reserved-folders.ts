import { CairnError } from '../errors.js';

/**
 * Top-level folders of the artifact store that subsystems own: the registry's version files
 * (`registry/<model id>/<version>`) and the pipelines' content-addressed objects
 * (`pipelines/objects/…`) and serving's inference log (`monitoring/inference-log/…`). Nothing a client chooses may write there: no experiment location, no
 * upload through the MLflow artifact proxy. Each owner writes there through its own service.
 */
export const RESERVED_ARTIFACT_FOLDERS = ['registry', 'pipelines', 'monitoring'] as const;

/**
 * The reserved folder a normalized relative path lies in (or is), or null. Compared without case,
 * because on a case-insensitive filesystem `Registry/x` is the registry's folder too.
 *
 * @example
 * ```ts
 * reservedFolderOf('registry/3f9c/1/model.pkl'); // 'registry'
 * reservedFolderOf('1/abc/artifacts');          // null
 * ```
 */
export function reservedFolderOf(path: string): string | null {
  const first = path.split('/', 1)[0]!.toLowerCase();
  return RESERVED_ARTIFACT_FOLDERS.find((f) => f === first) ?? null;
}

/** Refuses (PERMISSION_DENIED) a client write to a reserved folder; `what` names the request. */
export function refuseReservedWrite(path: string, what: string): void {
  const folder = reservedFolderOf(path);
  if (!folder) return;
  throw new CairnError('PERMISSION_DENIED', `${what} '${path.slice(0, 200)}' lies in '${folder}/', which only Cairn's ${folder} writes to. Use a run's artifact folder (or the ${folder} API).`);
}
