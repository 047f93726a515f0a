import type { XAxis } from '../components/chart-data.js';

/** Chart settings, kept in the URL with the rest of the view: x axis, smoothing, log scale, zoom. */
export interface ChartSettings {
  axis: XAxis;
  /** 0 (none) to 0.99. */
  smoothing: number;
  log: boolean;
  range: [number, number] | null;
}

export function parseChartSettings(params: URLSearchParams): ChartSettings {
  const x = params.get('x');
  const axis: XAxis = x === 'time' || x === 'relative' ? x : 'step';
  const s = Number(params.get('smooth') ?? 0);
  const from = params.get('from');
  const to = params.get('to');
  const range: [number, number] | null = from !== null && to !== null && Number.isFinite(Number(from)) && Number.isFinite(Number(to)) && Number(from) < Number(to) ? [Number(from), Number(to)] : null;
  return { axis, smoothing: Number.isFinite(s) ? Math.min(0.99, Math.max(0, s)) : 0, log: params.get('log') === '1', range };
}

/** Writes the settings into `params` (a copy), leaving other view state alone. */
export function withChartSettings(params: URLSearchParams, s: ChartSettings): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (k: string, v: string | null) => (v === null ? next.delete(k) : next.set(k, v));
  set('x', s.axis === 'step' ? null : s.axis);
  set('smooth', s.smoothing > 0 ? String(s.smoothing) : null);
  set('log', s.log ? '1' : null);
  set('from', s.range ? String(s.range[0]) : null);
  set('to', s.range ? String(s.range[1]) : null);
  return next;
}

/**
 * The server query range for a zoomed chart: steps as they are; wall time in ms; time since start
 * (seconds) turned into wall time of the run that started at `start`.
 */
export function serverRange(s: ChartSettings, start: number): { axis: 'step' | 'time'; min?: number; max?: number } {
  if (!s.range) return { axis: s.axis === 'step' ? 'step' : 'time' };
  if (s.axis === 'step') return { axis: 'step', min: Math.floor(s.range[0]), max: Math.ceil(s.range[1]) };
  const offset = s.axis === 'relative' ? start : 0;
  return { axis: 'time', min: Math.floor(offset + s.range[0] * 1000), max: Math.ceil(offset + s.range[1] * 1000) };
}
