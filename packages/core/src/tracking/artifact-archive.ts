import type { Readable } from 'node:stream';
import type { ArtifactFileInfo } from '../artifacts/index.js';
import { CairnError } from '../errors.js';

/** A folder download holds at most this many files … */
export const ARCHIVE_MAX_FILES = 10_000;
/** … and this many bytes before compression. */
export const ARCHIVE_MAX_BYTES = 4 * 1024 ** 3;

export interface ArchiveSource {
  list(path: string): Promise<ArtifactFileInfo[]>;
  open(path: string): Promise<{ stream: Readable; size: number }>;
}

/**
 * A zip of an artifact folder, streamed: the files are listed first (so a folder over the limits
 * is refused before any byte is sent), then read one at a time into the zip as it is sent. Entry
 * names are relative to the folder.
 */
export async function archiveFolder(source: ArchiveSource, folder: string): Promise<Readable> {
  const files: ArtifactFileInfo[] = [];
  let bytes = 0;
  const walk = async (path: string): Promise<void> => {
    for (const entry of await source.list(path)) {
      if (entry.isDir) {
        await walk(entry.path);
        continue;
      }
      files.push(entry);
      bytes += entry.size ?? 0;
      if (files.length > ARCHIVE_MAX_FILES || bytes > ARCHIVE_MAX_BYTES) {
        throw new CairnError('RESOURCE_EXHAUSTED', `This folder holds more than ${ARCHIVE_MAX_FILES} files or ${ARCHIVE_MAX_BYTES} bytes; download its subfolders or files one by one (or use \`cairn\` / the MLflow client).`);
      }
    }
  };
  await walk(folder);
  if (!files.length) throw new CairnError('NOT_FOUND', `No files under '${folder || '/'}' in this run's artifacts.`);
  const { ZipFile } = await import('yazl');
  const zip = new ZipFile();
  const prefix = folder ? `${folder}/` : '';
  // Files are opened one after another as the zip reads them, never all at once.
  let next = 0;
  const addNext = async (): Promise<void> => {
    const file = files[next++];
    if (!file) {
      zip.end();
      return;
    }
    try {
      const { stream } = await source.open(file.path);
      stream.once('end', () => void addNext());
      zip.addReadStream(stream, file.path.slice(prefix.length), { compress: !/\.(png|jpe?g|gif|webp|zip|gz|parquet|pkl|pt|bin)$/i.test(file.path) });
    } catch (e) {
      (zip.outputStream as unknown as Readable).destroy(e as Error);
    }
  };
  await addNext();
  return zip.outputStream as unknown as Readable;
}
