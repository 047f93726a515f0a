import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { validateRelativePath } from '../../paths/validate-path.js';
import { INTERNAL_FOLDER } from '../artifact-checks.js';
import type { ArtifactFileInfo } from '../artifact-store.js';
import { folderPrefix, type S3Location } from './s3-location.js';

/** What listing and bulk deletes need: the client, the bucket and prefix, and the page size. */
export interface S3Scope extends S3Location {
  client: S3Client;
  /** Keys per listing request (S3's maximum is 1,000). */
  pageSize: number;
}

export interface ListPage {
  keys: string[];
  sizes: number[];
  /** Common prefixes (with their trailing '/'), when listed with a delimiter. */
  folders: string[];
}

const byPath = (a: ArtifactFileInfo, b: ArtifactFileInfo): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Every page of a `ListObjectsV2`, following continuation tokens (only the first when `limit` is set). */
export async function* listPages(scope: S3Scope, prefix: string, delimiter?: string, limit?: number): AsyncGenerator<ListPage> {
  let token: string | undefined;
  do {
    const out = await scope.client.send(new ListObjectsV2Command({
      Bucket: scope.bucket, Prefix: prefix || undefined, Delimiter: delimiter, ContinuationToken: token, MaxKeys: limit ?? scope.pageSize,
    }));
    // A key equal to the prefix is a folder marker (consoles create them), not a file in the folder.
    const contents = (out.Contents ?? []).filter((o) => o.Key !== undefined && o.Key !== prefix);
    yield { keys: contents.map((o) => o.Key!), sizes: contents.map((o) => Number(o.Size ?? 0)), folders: (out.CommonPrefixes ?? []).map((p) => p.Prefix!).filter(Boolean) };
    token = out.IsTruncated && limit === undefined ? out.NextContinuationToken : undefined;
  } while (token);
}

/** Whether any object lies below the store key `path` (which makes it a folder). */
export async function hasObjectsUnder(scope: S3Scope, path: string): Promise<boolean> {
  for await (const page of listPages(scope, folderPrefix(scope, path), undefined, 2)) {
    if (page.keys.length) return true;
  }
  return false;
}

/**
 * One folder's entries, sorted by path. Names no key could address (`a//b`, `x%2e`, `semi;colon`)
 * are skipped, as the local store skips such files, and so is the store's internal folder. A name
 * is listed once: some servers repeat a folder on every page, and S3 lets `a` be a file and a folder.
 */
export async function listFolder(scope: S3Scope, path: string): Promise<ArtifactFileInfo[]> {
  const prefix = folderPrefix(scope, path);
  const entries: ArtifactFileInfo[] = [];
  const seen = new Set<string>();
  const add = (name: string, size: number | null) => {
    const child = path ? `${path}/${name}` : name;
    if (seen.has(child) || name === '' || name.includes('/') || (path === '' && name === INTERNAL_FOLDER)) return;
    seen.add(child);
    try {
      if (validateRelativePath(child) !== child) return;
    } catch {
      return;
    }
    entries.push({ path: child, isDir: size === null, size });
  };
  for await (const page of listPages(scope, prefix, '/')) {
    for (const folder of page.folders) add(folder.slice(prefix.length, -1), null);
    for (const [i, key] of page.keys.entries()) add(key.slice(prefix.length), page.sizes[i]!);
  }
  return entries.sort(byPath);
}

/** Deletes every object whose key starts with `prefix`, plus `also`, 1,000 keys per request. */
export async function deleteUnder(scope: S3Scope, prefix: string, also: string[]): Promise<void> {
  const keys = [...also];
  for await (const page of listPages(scope, prefix)) {
    keys.push(...page.keys);
    while (keys.length >= 1000) await deleteKeys(scope, keys.splice(0, 1000));
  }
  if (keys.length) await deleteKeys(scope, keys);
}

async function deleteKeys(scope: S3Scope, keys: string[]): Promise<void> {
  const out = await scope.client.send(new DeleteObjectsCommand({ Bucket: scope.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
  if (failed.length) throw Object.assign(new Error(failed[0]!.Message ?? 'delete failed'), { name: failed[0]!.Code ?? 'DeleteFailed' });
}
