import { createRequire } from 'node:module';
import type TableConstructor from 'cli-table3';

// Output helpers shared by the commands: plain aligned tables for people, JSON for scripts.

const useColor = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

export const style = {
  bold: (s: string): string => (useColor() ? `\x1b[1m${s}\x1b[22m` : s),
  dim: (s: string): string => (useColor() ? `\x1b[2m${s}\x1b[22m` : s),
  /** Marks a value that differs between compared runs. */
  changed: (s: string): string => (useColor() ? `\x1b[1;33m${s}\x1b[0m` : s),
  warn: (s: string): string => (process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[33m${s}\x1b[39m` : s),
};

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

/** An aligned table without borders (like `docker ps`), so it reads well and greps well. */
export function table(head: string[], rows: string[][]): string {
  // Loaded on first use (synchronously: it is CommonJS), so commands that print no table skip it.
  const Table = createRequire(import.meta.url)('cli-table3') as typeof TableConstructor;
  const t = new Table({
    head: head.map((h) => style.bold(h)),
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  t.push(...rows);
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

/** Two columns, label and value: for one entity's fields. */
export function fields(entries: [string, string][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${style.bold(k.padEnd(width))}  ${v}`).join('\n') + '\n';
}

export function section(title: string, body: string): string {
  return `\n${style.bold(title)}\n${body}`;
}

/** JSON for scripts. NaN and ±Infinity become the strings the HTTP API uses, not `null`. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

export function formatTime(ms: number | null | undefined): string {
  if (ms == null) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Six significant digits are plenty on screen; `--json` keeps full precision. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

export function formatTags(tags: Record<string, string>): string {
  return Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(', ');
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Shortens prose to at most `max` characters at a word boundary (a space, or after `,` `;` `:`),
 * so a cut never splits a word or a number; only a single overlong word is cut inside.
 */
export function truncateWords(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, max - 2); // room for ' …'
  const whole = /[\s,;:]/.test(s[head.length]!);
  const at = Math.max(head.lastIndexOf(' '), ...[',', ';', ':'].map((c) => head.lastIndexOf(c) + 1));
  return `${(whole ? head : at > max / 2 ? head.slice(0, at) : head).replace(/[\s,;:]+$/, '')} …`;
}

/**
 * A dataset's `source` for one line of text: MLflow-style sources are JSON objects, which are
 * summarized by their location (`uri`, `path`, `url`, `table`) or their short scalar fields
 * instead of being printed raw and cut mid-word.
 */
export function describeSource(source: string, max = 80): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return truncateWords(source, max);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return truncateWords(source, max);
  const o = parsed as Record<string, unknown>;
  const where = ['uri', 'url', 'path', 'table', 'file'].find((k) => typeof o[k] === 'string');
  if (where) return truncateWords(String(o[where]), max);
  const scalars = Object.entries(o).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v) && String(v).length <= 40);
  return truncateWords(scalars.map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(no location recorded)', max);
}
