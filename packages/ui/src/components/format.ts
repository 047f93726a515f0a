// How numbers, times and durations read in the UI. Every table cell and legend goes through here.

/** A metric value to 4 significant digits; NaN and ±Infinity spelled out; very large or small in exponent form. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '∞';
  if (v === Number.NEGATIVE_INFINITY) return '−∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/** The full value, for a tooltip: every digit a double carries. */
export function formatMetricFull(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

/** A count as people say it: 950, 12.3k, 1.2M. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(n);
  if (abs < 1e6) return `${trim(n / 1e3, abs < 1e4 ? 1 : 0)}k`;
  if (abs < 1e9) return `${trim(n / 1e6, abs < 1e7 ? 1 : 0)}M`;
  return `${trim(n / 1e9, 1)}B`;
}

function trim(v: number, digits: number): string {
  return v.toFixed(digits).replace(/\.0$/, '');
}

/** A duration in milliseconds: 850 ms, 12.4 s, 3 min 05 s, 2 h 10 min, 3 d 4 h. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalSeconds = Math.round(s);
  const m = Math.floor(totalSeconds / 60);
  if (m < 60) return `${m} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A run's duration: end (or now, while it runs) minus start. */
export function runDuration(startTime: number, endTime: number | null, now = Date.now()): number {
  return (endTime ?? now) - startTime;
}

/** An epoch-ms time as local date and time, to the second: 2026-12-07 14:03:12. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** How long ago, coarsely: just now, 5 min ago, 3 h ago, 2 d ago, then the date. */
export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '';
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 30 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return formatTime(ms).slice(0, 10);
}

/** Bytes as KiB, MiB, GiB. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A git commit as its first 8 characters. */
export function shortCommit(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 8) : '';
}
