import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InferenceRecord } from './entities.js';
import type { AppendOptions, InferenceLogStore } from './inference-log-store.js';
import { InferenceLogger } from './inference-logger.js';
import { InferenceSpool } from './inference-spool.js';

// A real in-memory store: what it keeps is what was appended, and it can be told to fail.
class MemoryStore implements Pick<InferenceLogStore, 'append' | 'close'> {
  kept: InferenceRecord[] = [];
  batches: Array<string | undefined> = [];
  failing = false;
  /** Milliseconds each append takes. */
  latency = 1;
  /** A row it always refuses (a value the store cannot take), whatever else works. */
  refuses: string | null = null;
  /** Fails this fraction of writes (a flaky network), drawn from a seeded sequence. */
  flaky = 0;
  private seed = 42;
  async append(records: InferenceRecord[], options: AppendOptions = {}): Promise<void> {
    await new Promise((r) => setTimeout(r, this.latency));
    if (this.failing) throw new Error('ENOSPC: no space left on device');
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2 ** 31;
    if (this.seed / 2 ** 31 < this.flaky) throw new Error('Connection terminated unexpectedly');
    if (records.some((r) => r.requestId === this.refuses)) throw new Error(`cannot store ${this.refuses}`);
    this.kept.push(...records);
    this.batches.push(options.batch);
  }
  async close(): Promise<void> {}
}

const record = (i: number): InferenceRecord => ({ requestId: `r${i}`, row: 0, model: 'm', version: 1, time: i, entity: null, inputs: { x: i }, output: i, latencyMs: 0.1 });

describe('inference logger', () => {
  it('writes every row in batches, in order, and loses nothing', async () => {
    const store = new MemoryStore();
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 7, flushMs: 5, maxBufferRows: 1000 });
    for (let i = 0; i < 100; i++) logger.add([record(i)]);
    await logger.flush();
    expect(store.kept.map((r) => r.time)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(logger.stats()).toEqual({ backlog: 0, retrying: 0, written: 100, lost: 0, lastError: null, recovered: 0, spoolError: null });
  });

  it('counts and reports rows lost to failed writes and to a full buffer, and recovers', async () => {
    const store = new MemoryStore();
    const lost: Array<[number, string]> = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 5, flushMs: 5, maxBufferRows: 8, onLoss: (n, why) => lost.push([n, why]) });
    store.failing = true;
    for (let i = 0; i < 5; i++) logger.add([record(i)]);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ lost: 5, written: 0, lastError: 'ENOSPC: no space left on device' });
    expect(lost[0]![1]).toMatch(/writing the inference log failed: ENOSPC/);
    store.failing = false;
    logger.add(Array.from({ length: 9 }, (_, i) => record(i)));
    expect(lost.at(-1)![1]).toMatch(/max_buffer_rows/);
    logger.add([record(42)]);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ lost: 14, written: 1, lastError: null });
  });

  it('samples whole requests', () => {
    let n = 0;
    const logger = new InferenceLogger(new MemoryStore(), { sampleRate: 0.25, batchRows: 5, flushMs: 5, maxBufferRows: 8, random: () => [0.1, 0.3, 0.2, 0.9][n++ % 4]! });
    expect([logger.sample(), logger.sample(), logger.sample(), logger.sample()]).toEqual([true, false, true, false]);
  });
});

describe('inference log spool', () => {
  const dirs: string[] = [];
  const spoolDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'cairn-spool-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  // A process id no process has (Linux's pid_max is at most 2^22).
  const DEAD = 4_194_400;

  it('holds exactly the rows not yet written: one segment per batch, removed once it is stored', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 1000, flushMs: 60_000, maxBufferRows: 10_000, spool: new InferenceSpool(dir) });
    for (let i = 0; i < 5; i++) logger.add([record(i)]);
    const [segment] = readdirSync(dir);
    expect(segment).toMatch(new RegExp(`^${process.pid}-\\d+-0\\.jsonl$`));
    expect(readFileSync(join(dir, segment!), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as InferenceRecord).requestId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    await logger.flush();
    expect(readdirSync(dir)).toEqual([]);
    // Stored under the segment's name, so storing it again after a crash would replace it.
    expect(store.batches).toEqual([segment!.replace('.jsonl', '')]);
    logger.add([record(5)]);
    expect(readdirSync(dir)).toEqual([`${process.pid}-${segment!.split('-')[1]}-1.jsonl`]);
    await logger.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("recovers a dead process's segments (skipping the line cut short by the kill) under their names, and leaves a live process's alone", async () => {
    const dir = spoolDir();
    const lines = [record(1), record(2), record(3)].map((r) => JSON.stringify(r)).join('\n');
    writeFileSync(join(dir, `${DEAD}-1700000000000-3.jsonl`), `${lines}\n{"requestId":"r4","ro`);
    // The parent of this test is alive: its segment is its own business.
    writeFileSync(join(dir, `${process.ppid}-1700000000000-0.jsonl`), `${JSON.stringify(record(9))}\n`);
    // This process's id with another start time: a dead process whose id was reused.
    writeFileSync(join(dir, `${process.pid}-1600000000000-0.jsonl`), `${JSON.stringify(record(7))}\n`);
    const store = new MemoryStore();
    const info: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 2, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir), onSpool: (_l, m) => info.push(m) });
    expect(await logger.recover()).toBe(4);
    expect(store.kept.map((r) => r.requestId).sort()).toEqual(['r1', 'r2', 'r3', 'r7']);
    // More rows than a batch: stored in batches named after the segment.
    expect(store.batches.sort()).toEqual([`${DEAD}-1700000000000-3-0`, `${DEAD}-1700000000000-3-1`, `${process.pid}-1600000000000-0`].sort());
    expect(readdirSync(dir)).toEqual([`${process.ppid}-1700000000000-0.jsonl`]);
    expect(logger.stats()).toMatchObject({ recovered: 4, written: 4 });
    expect(info).toEqual(['inference log: wrote 4 rows a stopped serving process had not written (from the spool)']);
  });

  it('keeps trying a segment it cannot write, leaves it for the next start when it stops, and each segment goes to one of two servers starting together', async () => {
    const dir = spoolDir();
    for (let k = 0; k < 20; k++) writeFileSync(join(dir, `${DEAD}-1700000000000-${k}.jsonl`), `${JSON.stringify(record(k))}\n`);
    const failing = new MemoryStore();
    failing.failing = true;
    const warnings: string[] = [];
    const first = new InferenceLogger(failing, { sampleRate: 1, batchRows: 10, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir), onSpool: (_l, m) => warnings.push(m) });
    expect(await first.recover()).toBe(0);
    expect(warnings[0]).toMatch(/1 rows of a stopped server could not be written yet \(ENOSPC.*they stay in the spool and are written again/);
    expect(first.stats()).toMatchObject({ retrying: 20, backlog: 20, lost: 0 });
    expect(readdirSync(dir)).toHaveLength(20);
    // While that server runs its claims are its own; once it has stopped, they are anyone's.
    expect(await new InferenceLogger(new MemoryStore(), { sampleRate: 1, batchRows: 10, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir) }).recover()).toBe(0);
    await first.close();
    expect(warnings.at(-1)).toMatch(/20 rows could not be written \(ENOSPC.*stay in the spool for the next server/);
    expect(first.stats()).toMatchObject({ lost: 0 });
    // Two servers starting together (two spools: the claims of an open one are left alone).
    const a = new MemoryStore();
    const b = new MemoryStore();
    const [ra, rb] = await Promise.all([
      new InferenceLogger(a, { sampleRate: 1, batchRows: 10, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir) }).recover(),
      new InferenceLogger(b, { sampleRate: 1, batchRows: 10, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir) }).recover(),
    ]);
    expect(ra + rb).toBe(20);
    expect([...a.kept, ...b.kept].map((r) => r.time).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes a failed batch again from the spool once the store is back, backing off, and loses nothing', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const messages: string[] = [];
    const lost: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 5, flushMs: 5, maxBufferRows: 100, spool: new InferenceSpool(dir), onSpool: (_l, m) => messages.push(m), onLoss: (_n, why) => lost.push(why) });
    store.failing = true;
    for (let i = 0; i < 12; i++) logger.add([record(i)]);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ written: 0, lost: 0, retrying: 12, backlog: 12, lastError: 'ENOSPC: no space left on device' });
    expect(messages.filter((m) => /wait in the spool/.test(m))).toHaveLength(1);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    // Rows keep coming while the store is away; they wait too.
    for (let i = 12; i < 20; i++) logger.add([record(i)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(logger.stats()).toMatchObject({ written: 0, lost: 0, retrying: 20 });
    store.failing = false;
    // No flush: the retry timer alone writes them (the wait has doubled a few times, under a second).
    await vi.waitFor(() => expect(logger.stats().retrying).toBe(0), { timeout: 5000, interval: 20 });
    expect(store.kept.map((r) => r.time).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(logger.stats()).toMatchObject({ written: 20, lost: 0, backlog: 0, lastError: null });
    expect(messages.at(-1)).toMatch(/wrote \d+ rows that had waited in the spool/);
    await logger.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(lost).toEqual([]);
  });

  it('counts a failed batch lost past max_retry_rows, and when the spool does not hold it', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const lost: Array<[number, string]> = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 100, flushMs: 60_000, maxBufferRows: 100, maxRetryRows: 5, spool: new InferenceSpool(dir), onLoss: (n, why) => lost.push([n, why]) });
    store.failing = true;
    for (let i = 0; i < 5; i++) logger.add([record(i)]);
    await logger.flush();
    for (let i = 5; i < 8; i++) logger.add([record(i)]);
    await logger.flush();
    expect(lost).toEqual([[3, 'writing the inference log failed: ENOSPC: no space left on device (serving.inference_log.max_retry_rows: 5 rows already wait to be written again)']]);
    expect(logger.stats()).toMatchObject({ retrying: 5, lost: 3 });
    store.failing = false;
    await logger.flush();
    expect(logger.stats()).toMatchObject({ retrying: 0, lost: 3, written: 5 });
    await logger.close();
    expect(readdirSync(dir)).toEqual([]);
    // A spool that cannot be written holds nothing to try again: the failed batch is lost, and said so.
    const file = join(spoolDir(), 'not-a-folder');
    writeFileSync(file, '');
    const unspooled = new InferenceLogger(store, { sampleRate: 1, batchRows: 100, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(file), onLoss: (n, why) => lost.push([n, why]) });
    store.failing = true;
    unspooled.add([record(1), record(2)]);
    await unspooled.flush();
    expect(lost.at(-1)).toEqual([2, 'writing the inference log failed: ENOSPC: no space left on device']);
    expect(unspooled.stats()).toMatchObject({ retrying: 0, lost: 2 });
  });

  it('keeps writing new rows while a backlog of failed batches drains (one failed batch per round)', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const lost: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 50, flushMs: 5, maxBufferRows: 120, spool: new InferenceSpool(dir), onLoss: (_n, why) => lost.push(why) });
    store.failing = true;
    for (let k = 0; k < 20; k++) {
      for (let i = 0; i < 50; i++) logger.add([record(k * 50 + i)]);
      await logger.flush();
    }
    expect(logger.stats()).toMatchObject({ retrying: 1000, lost: 0 });
    // Back, but slow: 20 failed batches take a while to write again, and traffic goes on meanwhile.
    store.failing = false;
    store.latency = 8;
    let next = 1000;
    const traffic = setInterval(() => {
      for (let i = 0; i < 10 && next < 1600; i++) logger.add([record(next++)]);
    }, 5);
    await vi.waitFor(() => expect(next === 1600 && logger.stats().retrying === 0).toBe(true), { timeout: 10_000, interval: 20 });
    clearInterval(traffic);
    await logger.flush();
    expect(lost).toEqual([]);
    expect(store.kept.map((r) => r.time).sort((a, b) => a - b)).toEqual(Array.from({ length: 1600 }, (_, i) => i));
  });

  it('sets aside a failed batch the store keeps refusing while other writes work (kept, counted lost), and blocks nothing behind it', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const lost: Array<[number, string]> = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 100, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir), onLoss: (n, why) => lost.push([n, why]) });
    store.refuses = 'r-poison';
    logger.add([{ ...record(0), requestId: 'r-poison' }, record(1)]);
    await logger.flush();
    store.failing = true;
    logger.add([record(2)]);
    await logger.flush();
    store.failing = false;
    expect(logger.stats()).toMatchObject({ retrying: 3, lost: 0 });
    for (let k = 0; k < 12; k++) {
      logger.add([record(10 + k)]);
      await logger.flush();
    }
    expect(lost).toHaveLength(1);
    expect(lost[0]![0]).toBe(2);
    expect(lost[0]![1]).toMatch(/^the store keeps refusing a batch while other writes work \(cannot store r-poison\); kept in .*dead-letter/);
    expect(logger.stats()).toMatchObject({ retrying: 0, lost: 2, written: 13, lastError: null });
    expect(store.kept.map((r) => r.time).sort((a, b) => a - b)).toEqual([2, ...Array.from({ length: 12 }, (_, k) => 10 + k)]);
    await logger.close();
    // Kept for someone to look at, and never recovered as a dead server's.
    expect(readdirSync(dir)).toEqual(['dead-letter']);
    const [kept] = readdirSync(join(dir, 'dead-letter'));
    expect(readFileSync(join(dir, 'dead-letter', kept!), 'utf8')).toContain('r-poison');
    expect(await new InferenceLogger(new MemoryStore(), { sampleRate: 1, batchRows: 100, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir) }).recover()).toBe(0);
  });

  it('a store that fails now and then (30% of writes) loses nothing: every batch is written in the end', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    store.flaky = 0.3;
    const lost: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 10, flushMs: 2, maxBufferRows: 1000, spool: new InferenceSpool(dir), onLoss: (_n, why) => lost.push(why) });
    for (let i = 0; i < 400; i++) {
      logger.add([record(i)]);
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 3));
    }
    await vi.waitFor(async () => {
      await logger.flush();
      expect(logger.stats().backlog).toBe(0);
    }, { timeout: 20_000, interval: 50 });
    expect(lost).toEqual([]);
    expect(store.kept.map((r) => r.time).sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    await logger.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a flush while the store is away stops at the first batch that fails again (a shutdown does not wait out every one)', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 1, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir) });
    store.failing = true;
    for (let i = 0; i < 30; i++) {
      logger.add([record(i)]);
      await logger.flush();
    }
    expect(logger.stats().retrying).toBe(30);
    let attempts = 0;
    const append = store.append.bind(store);
    store.append = async (records, options) => {
      attempts++;
      return append(records, options);
    };
    await logger.close();
    expect(attempts).toBe(1);
    expect(readdirSync(dir)).toHaveLength(30);
  });

  it('a spool that cannot be cleaned up (its folder gone) is reported, never thrown', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const warnings: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 1000, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir), onSpool: (_l, m) => warnings.push(m) });
    logger.add([record(1)]);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    await logger.flush();
    expect(logger.stats()).toMatchObject({ written: 1, lost: 0 });
    expect(logger.stats().spoolError).toMatch(/ENOTDIR/);
    expect(warnings[0]).toMatch(/the spool cannot be written/);
    await logger.close();
  });

  it('keeps logging when the spool cannot be written, and says so once', async () => {
    const dir = spoolDir();
    const store = new MemoryStore();
    const warnings: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 1000, flushMs: 60_000, maxBufferRows: 100, spool: new InferenceSpool(dir), onSpool: (_l, m) => warnings.push(m) });
    // The folder replaced by a file: no segment can be opened there, whoever the process runs as.
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    logger.add([record(1)]);
    logger.add([record(2)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the spool cannot be written .*would not survive the process being killed/);
    expect(logger.stats().spoolError).toMatch(/ENOTDIR/);
    await logger.flush();
    expect(store.kept).toHaveLength(2);
    // Nor does a spool whose folder cannot be made stop a server from starting.
    const nowhere = new InferenceSpool(join(dir, 'spool'));
    expect(nowhere.recover()).toEqual([]);
    expect(() => nowhere.write([record(3)])).toThrow(/ENOTDIR/);
  });
});
