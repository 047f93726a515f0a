import { describe, expect, it } from 'vitest';
import type { InferenceRecord } from './entities.js';
import type { InferenceLogStore } from './inference-log-store.js';
import { InferenceLogger } from './inference-logger.js';

// A real in-memory store: what it keeps is what was appended, and it can be told to fail.
class MemoryStore implements Pick<InferenceLogStore, 'append' | 'close'> {
  kept: InferenceRecord[] = [];
  failing = false;
  async append(records: InferenceRecord[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.failing) throw new Error('ENOSPC: no space left on device');
    this.kept.push(...records);
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
    expect(logger.stats()).toEqual({ backlog: 0, written: 100, lost: 0, lastError: null });
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
