import { describe, expect, it } from 'vitest';
import { parseChartSettings, serverRange, withChartSettings } from './chart-settings.js';

describe('chart settings', () => {
  it('round-trip through the URL and keep other parameters', () => {
    const s = { axis: 'relative' as const, smoothing: 0.6, log: true, range: [10, 20] as [number, number] };
    const p = withChartSettings(new URLSearchParams('run=a&run=b'), s);
    expect(p.getAll('run')).toEqual(['a', 'b']);
    expect(parseChartSettings(p)).toEqual(s);
    expect(parseChartSettings(withChartSettings(p, { axis: 'step', smoothing: 0, log: false, range: null })).range).toBeNull();
  });

  it('ignores nonsense', () => {
    expect(parseChartSettings(new URLSearchParams('x=bogus&smooth=7&from=5&to=1'))).toEqual({ axis: 'step', smoothing: 0.99, log: false, range: null });
  });

  it('turns a zoom into the server range of each run', () => {
    expect(serverRange({ axis: 'step', smoothing: 0, log: false, range: [1.5, 9.2] }, 0)).toEqual({ axis: 'step', min: 1, max: 10 });
    expect(serverRange({ axis: 'time', smoothing: 0, log: false, range: [100, 200] }, 0)).toEqual({ axis: 'time', min: 100_000, max: 200_000 });
    expect(serverRange({ axis: 'relative', smoothing: 0, log: false, range: [1, 2] }, 5_000)).toEqual({ axis: 'time', min: 6_000, max: 7_000 });
    expect(serverRange({ axis: 'relative', smoothing: 0, log: false, range: null }, 5_000)).toEqual({ axis: 'time' });
  });
});
