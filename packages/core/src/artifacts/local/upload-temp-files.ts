import { createHash, randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processGone } from '../../util/process-gone.js';

// Uploads stream into `<root>/.cairn-tmp/<pid>-<host>-<uuid>.part` and are renamed into place when
// complete. A process killed mid-upload (kill -9, a crash, a power cut) leaves its file behind, so
// every process that opens the store sweeps the files whose writer is certainly gone.

/** This machine, as 8 hex digits: a process id names a writer only on the host that made it. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const NAME = /^(\d+)-([0-9a-f]{8})-[0-9a-f-]{36}\.part$/;
/** A file nobody has written to for this long belongs to no live upload, whoever made it. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** A fresh temp file name for an upload by this process. */
export function uploadTempName(): string {
  return `${process.pid}-${HOST}-${randomUUID()}.part`;
}

/**
 * Removes the leftovers of uploads whose process has died: files this host's dead processes made,
 * and any other file (another host's, or an older name) not written to for {@link ABANDONED_AFTER_MS}.
 * A live upload's file is never touched. Returns how many files were removed; errors are ignored
 * (another process may be sweeping the same folder).
 */
export async function sweepUploadTempFiles(tempDir: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = join(tempDir, name);
    const m = NAME.exec(name);
    const dead = m !== null && m[2] === HOST
      ? processGone(Number(m[1]))
      : await stat(file).then((s) => s.isFile() && now - s.mtimeMs > ABANDONED_AFTER_MS, () => false);
    if (dead && (await rm(file, { force: true }).then(() => true, () => false))) removed++;
  }
  return removed;
}
