import { describe, expect, it } from 'vitest';
import { nullRate } from './stats-table.js';

describe('nullRate', () => {
  it('is the share of nulls among all values, one decimal', () => {
    expect(nullRate({ count: 3, nulls: 1 })).toBe('25.0%');
    expect(nullRate({ count: 999, nulls: 1 })).toBe('0.1%');
    expect(nullRate({ count: 0, nulls: 0 })).toBe('');
  });
});
