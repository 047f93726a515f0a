// Times in the feature store are epoch milliseconds as JavaScript numbers, carrying microseconds
// (DuckDB's and PostgreSQL's precision) as the fraction: 1710458123622.236 is
// 2024-03-14T23:15:23.622236Z. Whole milliseconds stay whole numbers, so epoch-ms callers see no
// change. Until the year 2248 a double holds every microsecond exactly enough to recover it.

/** The exact epoch microseconds of an epoch-ms time (its fraction rounded to a microsecond). */
export function msToMicros(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1000n + BigInt(Math.round((ms - whole) * 1000));
}

/** Epoch ms (with microseconds as the fraction) of epoch microseconds. */
export const microsToMs = (us: bigint | number): number => Number(us) / 1000;

const MAX_MS = 8.64e15;

/**
 * ISO-8601 in UTC: `2024-03-14T23:15:23.622Z` for whole milliseconds (what `Date#toISOString`
 * gives), `2024-03-14T23:15:23.622236Z` when there are microseconds. Null for what is no time.
 */
export function isoTime(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_MS) return null;
  const us = msToMicros(ms);
  const sub = ((us % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number((us - sub) / 1000n)).toISOString();
  return sub ? `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z` : iso;
}

/** A DuckDB TIMESTAMPTZ literal for an epoch-ms time, exact to the microsecond. */
export function duckTimestampLiteral(ms: number): string {
  const iso = isoTime(ms);
  if (!iso || !/^\d{4}-/.test(iso)) return `CAST(make_timestamp(${msToMicros(ms)}::BIGINT) AS TIMESTAMPTZ)`;
  return `TIMESTAMPTZ '${iso.replace('T', ' ').replace(/Z$/, '+00')}'`;
}

const ISO = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms (microseconds kept as the fraction) of an ISO-8601 date or date-time. A string without
 * a zone is UTC; `+00`, `+0530` and `+05:30` zones are all read. Digits past the microsecond are
 * cut, as DuckDB does. Null when the string is not ISO-8601.
 */
export function parseIsoTime(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let ms = date.getTime();
  if (zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
  }
  if (Number.isNaN(ms)) return null;
  return frac ? microsToMs(BigInt(ms) * 1000n + BigInt(frac.slice(0, 6).padEnd(6, '0'))) : ms;
}
