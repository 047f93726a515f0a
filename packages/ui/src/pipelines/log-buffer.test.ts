import { describe, expect, it } from 'vitest';
import type { LogLine } from '@cairn/core';
import { LogBuffer } from './log-buffer.js';

const line = (seq: number, text: string): LogLine => ({ stepRunId: 's', stepId: 'train', attempt: 1, seq, stream: 'stdout', time: 0, text });

describe('LogBuffer', () => {
  it('keeps lines in order and searches them incrementally, case-insensitively', () => {
    const b = new LogBuffer();
    b.append([line(0, 'epoch 1 loss 0.9'), line(1, 'Epoch 2 loss 0.5'), line(2, 'saving')]);
    expect(b.search('EPOCH')).toEqual([0, 1]);
    b.append([line(3, 'epoch 3 loss 0.2')]);
    expect(b.search('epoch')).toEqual([0, 1, 3]);
    expect(b.search('saving')).toEqual([2]);
    expect(b.search('')).toEqual([0, 1, 2, 3]);
    expect(b.length).toBe(4);
  });

  it('holds 100,000 lines', () => {
    const b = new LogBuffer();
    for (let p = 0; p < 10; p++) b.append(Array.from({ length: 10_000 }, (_, i) => line(p * 10_000 + i, `line ${p * 10_000 + i}`)));
    expect(b.length).toBe(100_000);
    expect(b.search('line 99999')).toEqual([99_999]);
  });
});
