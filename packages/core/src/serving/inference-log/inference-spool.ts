import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processGone } from '../../util/process-gone.js';
import type { InferenceRecord } from './entities.js';

/** A spool segment and the rows it held. */
export interface SpoolSegment { name: string; records: InferenceRecord[] }

// Segment files: <pid>-<process start>-<n>.jsonl, one JSON record per line. A segment claimed for
// recovery is renamed to <claimer pid>-<process start>-recover-<original name>.
const SEGMENT = /^(\d+)-(\d+)-(?:\d+|recover-.+)\.jsonl$/;

/** The start stamps of this process's open spools (unique within it: a test may run several servers). */
const open = new Set<number>();

// Plain JSON.stringify on the request path; the replacer (a call per key) only for the rare row holding a bigint.
const json = (r: InferenceRecord): string => {
  try {
    return JSON.stringify(r);
  } catch {
    return JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  }
};

/**
 * The inference log's write-ahead spool: a scored request's rows are appended to a local file (one
 * write, no fsync) before it is answered, so a serving process killed with rows still buffered (a
 * kill -9, an out-of-memory kill) loses nothing: the next server started on the machine writes the
 * dead process's segments to the log. Each batch the logger writes is one segment, removed once the
 * batch is stored; a batch is written under its segment's name, so writing it again after a crash
 * between storing and removing replaces it rather than adding it twice.
 */
export class InferenceSpool {
  private fd: number | null = null;
  private current = '';
  private seq = 0;
  private readonly start: number;

  constructor(private readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      // A folder that cannot be made (a read-only disk): the first write says so; serving goes on.
    }
    let start = Date.now();
    while (open.has(start)) start++;
    this.start = start;
    open.add(start);
  }

  /** Appends a request's rows (synchronously: they are on disk, or in the page cache, before the answer). */
  write(records: InferenceRecord[]): void {
    if (this.fd === null) {
      this.current = `${process.pid}-${this.start}-${this.seq++}.jsonl`;
      this.fd = openSync(join(this.dir, this.current), 'a');
    }
    let text = '';
    for (const r of records) text += json(r) + '\n';
    writeSync(this.fd, text);
  }

  /** Closes the current segment (rows written from now on start the next); its name, or null if none. */
  rotate(): string | null {
    if (this.fd === null) return null;
    closeSync(this.fd);
    this.fd = null;
    return this.current;
  }

  /**
   * Sets aside a segment the store keeps refusing while other writes work: moved to `dead-letter/`
   * in the spool (never recovered, never deleted) for someone to look at. Returns its new path.
   */
  setAside(name: string): string {
    const folder = join(this.dir, 'dead-letter');
    mkdirSync(folder, { recursive: true });
    const to = join(folder, original(name));
    renameSync(join(this.dir, name), to);
    return to;
  }

  /** Removes a segment whose rows were stored (or counted lost). */
  remove(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /**
   * Claims the segments of serving processes that are no longer running (on this machine: the spool
   * is a local folder) and returns their rows. A claim is a rename, so two servers starting together
   * never take the same segment. A last line cut short by the kill is skipped.
   */
  recover(): SpoolSegment[] {
    const out: SpoolSegment[] = [];
    let files: string[];
    try {
      files = readdirSync(this.dir).sort();
    } catch {
      return out;
    }
    for (const file of files) {
      const m = SEGMENT.exec(file);
      // A running process's, or an open spool's of this one. (A segment with this process's id and no
      // open spool's stamp is a dead process's whose id was reused, as a restarted container's is.)
      if (!m || (Number(m[1]) === process.pid ? open.has(Number(m[2])) : !processGone(Number(m[1])))) continue;
      const claimed = `${process.pid}-${this.start}-recover-${original(file)}`;
      try {
        renameSync(join(this.dir, file), join(this.dir, claimed));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      out.push({ name: claimed, records: this.read(claimed) });
    }
    return out;
  }

  /** The rows of a closed segment (a last line cut short by a kill is skipped). */
  read(name: string): InferenceRecord[] {
    const records: InferenceRecord[] = [];
    for (const line of readFileSync(join(this.dir, name), 'utf8').split('\n')) parseInto(records, line);
    return records;
  }

  /** `read` for a running server: the file read asynchronously and parsed in slices, yielding to requests between them. */
  async readAsync(name: string): Promise<InferenceRecord[]> {
    const text = await readFile(join(this.dir, name), 'utf8');
    const records: InferenceRecord[] = [];
    for (let at = 0, n = 1; at < text.length; n++) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      parseInto(records, text.slice(at, end));
      at = end + 1;
      if (n % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return records;
  }

  /** Closes the spool once everything it held was written (the logger's close). */
  close(): void {
    const name = this.rotate();
    if (name) this.remove(name);
    open.delete(this.start);
  }
}

function parseInto(records: InferenceRecord[], line: string): void {
  if (!line) return;
  try {
    records.push(JSON.parse(line) as InferenceRecord);
  } catch {
    // The line the process was writing when it died.
  }
}

/** A segment's name as its process wrote it, however often it was claimed since. */
const original = (file: string): string => (file.includes('-recover-') ? file.slice(file.indexOf('-recover-') + 9) : file);

/** The batch name a segment's rows are stored under: its original name. */
export const batchName = (segment: string): string => original(segment).replace(/\.jsonl$/, '');
