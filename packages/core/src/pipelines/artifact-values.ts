import { isAbsolute, resolve } from 'node:path';
import type { ValueKind } from './entities.js';

// Values that are not plain JSON carry this brand; the materializer is chosen from it. A registered
// symbol, so values made by another copy of this module (a pipeline file loaded separately) still match.
export const ARTIFACT_KIND: unique symbol = Symbol.for('cairn.pipelines.artifact-kind');

/** A single file. Returned by a step as `file(path)`; a consuming step gets a local copy's path. */
export interface FileArtifact {
  readonly [ARTIFACT_KIND]: 'file';
  readonly path: string;
}

/** A folder with everything under it. */
export interface FolderArtifact {
  readonly [ARTIFACT_KIND]: 'folder';
  readonly path: string;
}

/** A model folder plus metadata (framework, flavour, metrics), stored as `cairn-model.json` inside it. */
export interface ModelArtifact {
  readonly [ARTIFACT_KIND]: 'model';
  readonly path: string;
  readonly metadata: Record<string, unknown>;
}

export type Row = Record<string, unknown>;

/** Rows stored as Parquet. `path` is the local Parquet file once loaded (null before it was stored). */
export interface Table<R extends Row = Row> {
  readonly [ARTIFACT_KIND]: 'table';
  readonly rows: R[];
  readonly path: string | null;
}

export type ArtifactValue = FileArtifact | FolderArtifact | ModelArtifact | Table;

/**
 * Marks a file a step wrote as an output artifact.
 *
 * @example
 * ```ts
 * const report = step({ name: 'report' }, async (_: object, ctx) => {
 *   await writeFile(`${ctx.workdir}/report.html`, html);
 *   return { report: file(`${ctx.workdir}/report.html`) };
 * });
 * ```
 */
export function file(path: string): FileArtifact {
  return { [ARTIFACT_KIND]: 'file', path: absolute(path) };
}

/**
 * Marks a folder a step wrote as an output artifact (every file under it is stored).
 *
 * @example
 * ```ts
 * return { images: folder(`${ctx.workdir}/images`) };
 * ```
 */
export function folder(path: string): FolderArtifact {
  return { [ARTIFACT_KIND]: 'folder', path: absolute(path) };
}

/**
 * Marks a model folder as an output artifact; `metadata` (JSON) is stored beside it.
 *
 * @example
 * ```ts
 * return { model: model(`${ctx.workdir}/model`, { framework: 'xgboost', auc: 0.91 }) };
 * ```
 */
export function model(path: string, metadata: Record<string, unknown> = {}): ModelArtifact {
  return { [ARTIFACT_KIND]: 'model', path: absolute(path), metadata };
}

/**
 * Wraps rows so they are stored as a Parquet table rather than as JSON.
 *
 * @example
 * ```ts
 * const load = step({ name: 'load' }, async () => ({ rows: table([{ id: 1, churned: false }]) }));
 * ```
 */
export function table<R extends Row>(rows: R[], path: string | null = null): Table<R> {
  if (!Array.isArray(rows)) throw new TypeError('table(rows) takes an array of row objects.');
  return { [ARTIFACT_KIND]: 'table', rows, path };
}

/** The artifact kind of a branded value, or null for anything else (plain JSON, or not serializable). */
export function artifactKind(value: unknown): ArtifactValue[typeof ARTIFACT_KIND] | null {
  if (typeof value !== 'object' || value === null) return null;
  const kind = (value as Record<symbol, unknown>)[ARTIFACT_KIND];
  return kind === 'file' || kind === 'folder' || kind === 'model' || kind === 'table' ? kind : null;
}

/** The kind a TypeScript type stands for; used to check declared kinds against a step's signature. */
export type KindOf<T> = T extends Table
  ? 'table'
  : T extends ModelArtifact
    ? 'model'
    : T extends FileArtifact
      ? 'file'
      : T extends FolderArtifact
        ? 'folder'
        : T extends number
          ? 'number' | 'json'
          : T extends string
            ? 'string' | 'json'
            : T extends boolean
              ? 'boolean' | 'json'
              : 'json';

/** The TypeScript type of a value of kind `K` (command steps declare kinds, not types). */
export type KindType<K extends ValueKind> = K extends 'table'
  ? Table
  : K extends 'model'
    ? ModelArtifact
    : K extends 'file'
      ? FileArtifact
      : K extends 'folder'
        ? FolderArtifact
        : K extends 'number'
          ? number
          : K extends 'string'
            ? string
            : K extends 'boolean'
              ? boolean
              : // A 'json' value comes from an external program: nothing can type it, so let it feed any input.
                // eslint-disable-next-line @typescript-eslint/no-explicit-any
                any;

function absolute(path: string): string {
  if (typeof path !== 'string' || !path) throw new TypeError('An artifact path must be a non-empty string.');
  return isAbsolute(path) ? path : resolve(path);
}
