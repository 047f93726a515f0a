import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatCount, formatDuration, formatMetric, formatMetricFull, formatTime, runDuration, shortCommit } from './format.js';

describe('format', () => {
  it('shows metrics to 4 significant digits, non-finite values spelled out', () => {
    expect(formatMetric(0.912345678)).toBe('0.9123');
    expect(formatMetric(123.456)).toBe('123.5');
    expect(formatMetric(42)).toBe('42');
    expect(formatMetric(-0.00012345)).toBe('-0.0001234');
    expect(formatMetric(1234567)).toBe('1.235e6');
    expect(formatMetric(0.00001)).toBe('1e-5');
    expect(formatMetric(Number.NaN)).toBe('NaN');
    expect(formatMetric(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatMetric(Number.NEGATIVE_INFINITY)).toBe('−∞');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(undefined)).toBe('');
    expect(formatMetricFull(0.912345678)).toBe('0.912345678');
    expect(formatMetricFull(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('shortens large counts', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(1234)).toBe('1.2k');
    expect(formatCount(100_000)).toBe('100k');
    expect(formatCount(1_250_000)).toBe('1.3M');
    expect(formatCount(42_000_000)).toBe('42M');
  });

  it('reads durations at the right scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(5_400)).toBe('5.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_800_000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('');
    expect(runDuration(1000, null, 4000)).toBe(3000);
    expect(runDuration(1000, 2000, 4000)).toBe(1000);
  });

  it('formats times, ages, bytes and commits', () => {
    expect(formatTime(new Date(2026, 11, 7, 14, 3, 12).getTime())).toBe('2026-12-07 14:03:12');
    const now = Date.now();
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(shortCommit('0123456789abcdef')).toBe('01234567');
  });
});
