import { createRequire } from 'node:module';
import type { CronExpressionParser as Parser } from 'cron-parser';
import { invalid } from '../../errors.js';

let parser: typeof Parser | null = null;

// cron-parser (with luxon) is loaded on first use, synchronously (CommonJS): only schedules need it.
function cron(): typeof Parser {
  parser ??= (createRequire(import.meta.url)('cron-parser') as { CronExpressionParser: typeof Parser }).CronExpressionParser;
  return parser;
}

/** Checks a cron expression (5 fields, or 6 with seconds first) and an IANA time zone. */
export function checkCron(expression: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw invalid(`Unknown time zone '${timezone}': use an IANA name such as UTC or Europe/Berlin.`);
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) throw invalid(`Cron expression '${expression}' must have 5 fields (minute hour day month weekday) or 6 (with seconds first).`);
  try {
    cron().parse(expression, { tz: timezone, strict: false }).next();
  } catch (e) {
    throw invalid(`Cron expression '${expression}' is not valid: ${(e as Error).message}.`);
  }
}

/** The latest tick at or before `now` and after `after`, or null when none fell in between. */
export function latestTick(expression: string, timezone: string, after: number, now: number): number | null {
  const tick = cron().parse(expression, { tz: timezone, currentDate: new Date(now + 1) }).prev().getTime();
  return tick > after && tick <= now ? tick : null;
}

/** The next tick after `now`. */
export function nextTick(expression: string, timezone: string, now: number): number {
  return cron().parse(expression, { tz: timezone, currentDate: new Date(now) }).next().getTime();
}
