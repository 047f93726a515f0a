import type { ValueKind } from '../entities.js';

/**
 * Turns one kind of step output into files and back. The artifact store sees only the files; the
 * materializer's `id` (with its format version) is stored with the artifact and is part of the
 * cache key of every step that consumes it, so a format change never reuses old results.
 */
export interface Materializer {
  /** e.g. `json@1`; bump the version when the file format changes. */
  readonly id: string;
  readonly kind: ValueKind;
  /** Writes `value`'s files into `dir` (an empty folder). */
  write(value: unknown, dir: string): Promise<void>;
  /** Reads the value back from the artifact's files in `dir`. */
  read(dir: string): Promise<unknown>;
  /** Takes what a command step wrote at `path` into `dir`, checking it is what the kind promises. */
  adopt(path: string, dir: string): Promise<void>;
  /** The local path a command step is given for an input whose files are in `dir`. */
  inputPath(dir: string): string;
  /** The file or folder name a command step writes this output to. */
  readonly outputName: string;
}
