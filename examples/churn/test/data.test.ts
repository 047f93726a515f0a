// The generator: deterministic, labels that depend on past behaviour, and late corrections that a
// point-in-time training set must not see before they were written.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { generateData } from '../src/generate/generate-data.js';
import { LABEL_HORIZON, simulate, WEEK } from '../src/generate/simulate.js';
import { copyProject } from './temp-project.js';

describe('simulated data', () => {
  const data = simulate(600, 42);

  it('is the same for the same seed and differs for another', () => {
    expect(simulate(600, 42)).toEqual(data);
    expect(simulate(600, 43).labels).not.toEqual(data.labels);
  });

  it('has labels that follow past behaviour: churners were logging in less', () => {
    const lastWeek = (id: unknown, t: number) => data.activity.filter((a) => a.customer_id === id && (a.event_timestamp as number) <= t && (a.event_timestamp as number) > t - WEEK)[0];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const logins = (churned: boolean) => mean(data.labels.filter((l) => l.churned === churned).map((l) => lastWeek(l.customer_id, l.event_timestamp as number)?.logins_7d as number | undefined).filter((v): v is number => v !== undefined));
    expect(logins(true)).toBeLessThan(logins(false) * 0.7);
    const rate = data.labels.filter((l) => l.churned).length / data.labels.length;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.3);
    expect(LABEL_HORIZON).toBe(30 * 24 * 3_600_000);
  });

  it('has late corrections: a second row for the same week, written later, with more failed payments', () => {
    const key = (r: Record<string, unknown>) => `${r.customer_id}@${r.event_timestamp}`;
    const first = new Map<string, Record<string, unknown>>();
    let corrections = 0;
    for (const r of data.support) {
      const seen = first.get(key(r));
      if (!seen) first.set(key(r), r);
      else {
        corrections++;
        expect(r.created as number).toBeGreaterThan(seen.created as number);
        expect(r.payment_failures_90d as number).toBeGreaterThan(seen.payment_failures_90d as number);
      }
    }
    expect(corrections).toBeGreaterThan(50);
  });
});

describe('point-in-time training data on the generated files', () => {
  let project: ReturnType<typeof copyProject>;
  let platform: Platform;

  beforeAll(async () => {
    project = copyProject();
    const manifest = await generateData(join(project.dir, 'data'), { customers: 400, seed: 42 });
    expect((await generateData(join(project.dir, 'data'), { customers: 400, seed: 42 })).files).toEqual(manifest.files);
    platform = await openPlatform(loadConfig({ cwd: project.dir, env: {} }));
    await platform.features.apply();
  });
  afterAll(async () => {
    await platform?.close();
    project?.cleanup();
  });

  it('uses a correction only once it was written', async () => {
    const data = simulate(400, 42);
    const first = new Map<string, Record<string, unknown>>();
    const cases: Array<{ customer_id: unknown; event_timestamp: number; first: number; corrected: number }> = [];
    for (const r of data.support) {
      const key = `${r.customer_id}@${r.event_timestamp}`;
      const seen = first.get(key);
      if (!seen) first.set(key, r);
      // Looked up two days after the week's row, before the correction was written.
      else if ((r.event_timestamp as number) + 2 * 86_400_000 < (r.created as number) && cases.length < 40) {
        cases.push({ customer_id: r.customer_id, event_timestamp: (r.event_timestamp as number) + 2 * 86_400_000, first: seen.payment_failures_90d as number, corrected: r.payment_failures_90d as number });
      }
    }
    expect(cases.length).toBeGreaterThan(10);
    const read = async (filterByCreatedTimestamp: boolean) => {
      const set = await platform.features.getHistoricalFeatures({ entities: cases.map(({ customer_id, event_timestamp }) => ({ customer_id, event_timestamp })), features: ['customer_support:payment_failures_90d'], filterByCreatedTimestamp });
      try {
        return (await set.job.toRows()).map((r) => r.payment_failures_90d as number);
      } finally {
        await set.job.close();
      }
    };
    const known = await read(true);
    const leaky = await read(false);
    cases.forEach((c, i) => {
      expect(leaky[i]).toBe(c.corrected);
      expect(known[i]).toBe(c.first);
    });
  });
});
