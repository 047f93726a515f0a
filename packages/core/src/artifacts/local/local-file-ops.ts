import { createHash } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { diskFullError } from '../../db/disk-full.js';
import { CairnError } from '../../errors.js';
import { bodyChunks } from '../artifact-body.js';
import type { ArtifactBody } from '../artifact-store.js';
import { uploadTempName } from './upload-temp-files.js';

function systemCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('syscall' in e) || !('code' in e)) return undefined;
  return String(e.code);
}

/** True for the errors that mean "nothing is there" (including "a parent is a file"). */
export function isMissing(e: unknown): boolean {
  const code = systemCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Maps a Node filesystem error to a CairnError with a code callers can act on. Errors that are not
 * system errors (a CairnError, or a failure raised by the caller's own body stream) pass through.
 */
export function fsFailure(e: unknown, path: string): unknown {
  const code = systemCode(e);
  if (code === undefined) return e;
  const cause = { cause: e };
  const at = typeof (e as { path?: unknown }).path === 'string' ? (e as { path: string }).path : null;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      // The store's own folder, not the request, is at fault: say which folder and how to fix it.
      return new CairnError(
        'INTERNAL',
        `The artifact store cannot write or read '${path}': ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}${at ? ` on ${at}` : ''}. The artifact folder (artifact.uri, default .cairn/artifacts) must be writable by the user running Cairn: fix its permissions, or set artifact.uri in cairn.yaml (or CAIRN_ARTIFACT_URI) to a writable folder.`,
        cause,
      );
    case 'EEXIST':
    case 'ENOTDIR':
    case 'EISDIR':
    case 'ENOTEMPTY':
      return new CairnError(
        'FAILED_PRECONDITION',
        `Cannot write artifact '${path}': a file or folder on its path is in the way. Delete it or choose another path.`,
        cause,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return diskFullError(`the artifact store (writing '${path}')`, e);
    default:
      return new CairnError('INTERNAL', `Artifact store I/O failed for '${path}'${at ? ` at ${at}` : ''} (${code}: ${(e as Error).message}). Check the artifact folder (artifact.uri, default .cairn/artifacts) and its file system.`, cause);
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

// A stream we never started reading (say the temp file could not be opened) would hold its source open.
function releaseBody(body: ArtifactBody): void {
  const destroy = (body as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') destroy.call(body);
}

/**
 * Streams `body` into a fresh file in `tempDir`, hashing and counting as it goes, fsyncs it and
 * hands it to `commit` (which renames it into place). On any failure the temp file is removed, so a
 * half-written upload is never visible.
 */
export async function writeAtomically(
  tempDir: string,
  body: ArtifactBody,
  maxBytes: number | undefined,
  commit: (tempFile: string) => Promise<void>,
): Promise<{ size: number; sha256: string }> {
  const tempFile = join(tempDir, uploadTempName());
  const hash = createHash('sha256');
  let size = 0;
  let handle: FileHandle | undefined;
  try {
    await mkdir(tempDir, { recursive: true });
    handle = await open(tempFile, 'wx');
    for await (const chunk of bodyChunks(body)) {
      size += chunk.byteLength;
      if (maxBytes !== undefined && size > maxBytes) {
        throw new CairnError('RESOURCE_EXHAUSTED', `The artifact is larger than the ${maxBytes}-byte limit for this upload.`);
      }
      hash.update(chunk);
      await writeAll(handle, chunk);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await commit(tempFile);
  } catch (e) {
    releaseBody(body);
    await handle?.close().catch(() => undefined);
    await rm(tempFile, { force: true }).catch(() => undefined);
    throw e;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Best-effort fsync of a folder so a rename into it survives a crash; some platforms cannot open folders. */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability is improved, not guaranteed, where the platform refuses this.
  }
}
