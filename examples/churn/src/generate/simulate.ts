import { Random, sigmoid } from './random.js';

// A subscription service's customers, week by week. Churn depends on past behaviour (a falling
// engagement trend, support tickets, failed payments, a recent downgrade, a short tenure), and
// some failed payments are only discovered 10-20 days later: those weeks get a late correction
// row, so a training set that ignores when rows were written would leak the future.

export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
const HOUR = 3_600_000;
/** Customers sign up from here on; weekly rows start at HISTORY_START. */
const SIGNUPS_FROM = Date.UTC(2023, 0, 2);
const SIGNUPS_UNTIL = Date.UTC(2024, 10, 1);
export const HISTORY_START = Date.UTC(2024, 0, 1);
/** The end of the history: "now" for scoring and materialization. */
export const AS_OF = Date.UTC(2025, 0, 1);
/** Label snapshots: the 1st of Feb..Dec 2024; each asks "does the customer cancel in the next 30 days?". */
export const LABEL_DATES = Array.from({ length: 11 }, (_, m) => Date.UTC(2024, m + 1, 1));
export const LABEL_HORIZON = 30 * DAY;
const RISK_BASE = -4;

const PLANS = [{ plan: 'basic', fee: 9 }, { plan: 'standard', fee: 15 }, { plan: 'premium', fee: 22 }] as const;
const REGIONS = ['north', 'south', 'east', 'west'] as const;

export type Row = Record<string, number | string | boolean | null>;

export interface SimulatedData {
  customers: Row[];
  activity: Row[];
  support: Row[];
  labels: Row[];
}

interface Customer {
  id: number;
  signup: number;
  churnTs: number | null;
}

const sum = (xs: number[], last: number): number => xs.slice(-last).reduce((a, b) => a + b, 0);

function simulateCustomer(id: number, r: Random, out: SimulatedData): Customer {
  const signup = SIGNUPS_FROM + Math.floor(r.next() * (SIGNUPS_UNTIL - SIGNUPS_FROM) / HOUR) * HOUR;
  const engagement = r.normal();
  const priceSensitivity = r.normal();
  const troubled = r.normal();
  let tier = Math.min(2, Math.max(0, Math.round(1 + 0.6 * engagement + 0.5 * r.normal())));
  const region = r.pick(REGIONS);
  const profile = (ts: number, status: string): void => {
    out.customers.push({ customer_id: id, event_timestamp: ts, created: ts + 5 * 60_000, plan: PLANS[tier]!.plan, plan_tier: tier, monthly_fee: PLANS[tier]!.fee, region, status });
  };
  profile(signup, 'active');

  let mood = 0;
  let downgradedAt = -Infinity;
  const logins: number[] = [];
  const tickets: number[] = [];
  // Each failed payment: the week it happened and when the billing system reported it.
  const failures: Array<{ week: number; known: number }> = [];
  // A customer who decides to leave disengages first and cancels at the next renewal, 2-6 weeks on.
  let cancelAt: number | null = null;
  let week = Math.ceil((signup - SIGNUPS_FROM) / WEEK) * WEEK + SIGNUPS_FROM;
  for (let n = 1; week < AS_OF; n++, week += WEEK) {
    if (cancelAt !== null && cancelAt <= week) {
      profile(cancelAt, 'cancelled');
      return { id, signup, churnTs: cancelAt };
    }
    mood = 0.8 * mood + 0.5 * r.normal();
    const level = 0.5 * engagement + mood - (cancelAt === null ? 0 : 1.5);
    logins.push(r.poisson(Math.exp(2.2 + 0.6 * level)));
    tickets.push(r.poisson(0.12 * Math.exp(0.6 * troubled - 0.8 * mood)));
    if (r.chance(0.015 * Math.exp(0.7 * priceSensitivity + 0.3 * tier))) failures.push({ week, known: r.chance(0.45) ? week + r.int(10, 20) * DAY : week });
    if (tier > 0 && r.chance(0.006 * Math.exp(0.8 * priceSensitivity - 0.6 * mood))) {
      tier--;
      downgradedAt = week;
      profile(week - r.int(1, 6) * DAY, 'active');
    }
    const recent = failures.filter((f) => f.week > week - 13 * WEEK);
    const trueFailures = recent.length;
    if (week >= HISTORY_START) {
      const base = { customer_id: id, event_timestamp: week, created: week + 2 * HOUR };
      out.activity.push({ ...base, logins_7d: logins.at(-1)!, logins_28d: sum(logins, 4), minutes_7d: Math.round(logins.at(-1)! * 22 * Math.exp(0.25 * engagement + 0.2 * r.normal()) * 10) / 10, tenure_weeks: n });
      const reported = recent.filter((f) => f.known <= week + 2 * HOUR).length;
      out.support.push({ ...base, support_tickets_30d: sum(tickets, 4), payment_failures_90d: reported });
      if (reported < trueFailures) {
        // The late report corrects this week's row when it arrives.
        const known = Math.max(...recent.map((f) => f.known));
        out.support.push({ ...base, created: known, support_tickets_30d: sum(tickets, 4), payment_failures_90d: trueFailures });
      }
    }
    const risk = RISK_BASE - 0.9 * mood - 0.3 * engagement + 0.45 * sum(tickets, 4) + 0.9 * trueFailures
      + 0.2 * priceSensitivity * tier + (week - downgradedAt < 8 * WEEK ? 1.2 : 0) + (n < 10 ? 0.8 : 0) + (region === 'south' ? 0.4 : 0);
    if (cancelAt === null && r.chance(sigmoid(risk))) cancelAt = week + r.int(14 * 24, 42 * 24) * HOUR;
  }
  return { id, signup, churnTs: null };
}

/**
 * Simulates `customers` customers from `seed`. The same seed and count always give the same rows,
 * in the same order; each customer draws from its own seeded stream.
 */
export function simulate(customers: number, seed: number): SimulatedData {
  const out: SimulatedData = { customers: [], activity: [], support: [], labels: [] };
  const all: Customer[] = [];
  for (let i = 0; i < customers; i++) all.push(simulateCustomer(10_001 + i, new Random(seed * 1_000_003 + i), out));
  for (const d of LABEL_DATES) {
    for (const c of all) {
      if (c.signup > d - 7 * DAY || (c.churnTs !== null && c.churnTs <= d)) continue;
      out.labels.push({ customer_id: c.id, event_timestamp: d, churned: c.churnTs !== null && c.churnTs <= d + LABEL_HORIZON });
    }
  }
  return out;
}
