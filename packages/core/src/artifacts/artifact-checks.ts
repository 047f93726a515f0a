import { CairnError } from '../errors.js';
import type { ByteRange } from './artifact-store.js';

/** Checks shared by every backend, so each refuses the same input with the same code. */

/**
 * The top-level folder each backend keeps its own bookkeeping in (uploads in progress on disk,
 * digests of multipart objects in S3): hidden from listings and refused as a key.
 */
export const INTERNAL_FOLDER = '.cairn-tmp';

/** Refuses a normalized key inside {@link INTERNAL_FOLDER}. */
export function refuseInternalFolder(path: string, key: string): void {
  if (path.split('/', 1)[0] !== INTERNAL_FOLDER) return;
  throw new CairnError(
    'INVALID_ARGUMENT',
    `Invalid artifact path ${JSON.stringify(key)}: the top-level folder '${INTERNAL_FOLDER}' is reserved for the artifact store's own use. Choose another name.`,
    { details: { field: 'artifact path' } },
  );
}

export function artifactNotFound(path: string): CairnError {
  return new CairnError('NOT_FOUND', `Artifact '${path}' does not exist or is a folder. List its folder to see what is there.`);
}

export function checkMaxBytes(maxBytes: number | undefined): number | undefined {
  if (maxBytes === undefined || (Number.isSafeInteger(maxBytes) && maxBytes >= 0)) return maxBytes;
  throw new CairnError('INVALID_ARGUMENT', `maxBytes must be a non-negative integer, got ${String(maxBytes)}.`);
}

/** A byte range must be whole numbers with `start <= end`; whether it fits the file is checked on reading. */
export function checkRange(range: ByteRange | undefined): ByteRange | undefined {
  if (range === undefined) return undefined;
  const { start, end } = range;
  const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (whole(start) && (end === undefined || (whole(end) && end >= start))) return { start, end };
  throw new CairnError('INVALID_ARGUMENT', `Invalid byte range ${JSON.stringify(range)}: start and end are byte offsets (0 or more, end inclusive and not before start).`, { details: { field: 'range' } });
}

/** A range that starts at or after the end of the file. */
export function rangeOutside(path: string, start: number, size: number): CairnError {
  return new CairnError('INVALID_ARGUMENT', `The range starting at byte ${start} lies outside artifact '${path}' (${size} bytes). Ask for a range that starts before its size.`, { details: { field: 'range', size } });
}
