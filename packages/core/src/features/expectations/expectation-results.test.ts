import { describe, expect, it } from 'vitest';
import type { ExpectationsSpec, MaterializationRun } from '../entities.js';
import { ExpectationChecker, formatFailures } from './expectation-checker.js';
import { expectationResults } from './expectation-results.js';

const spec: ExpectationsSpec = {
  features: { tier: { notNull: true, min: 0, max: 2, allowed: null }, status: { notNull: false, min: null, max: null, allowed: ['active', 'cancelled'] } },
  freshnessMs: 3_600_000,
};
const run = (status: MaterializationRun['status'], error: string | null, runId = 'r'): MaterializationRun => ({
  runId, view: 'v', start: 0, end: 0, status, rows: 0, startedTime: 0, endedTime: 0, error, statistics: [],
});

describe('expectationResults', () => {
  it('is unknown until a run checked the expectations, and all passed after a successful run', () => {
    expect(expectationResults(spec, []).map((r) => r.status)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    // A run that failed for another reason checked nothing: the older successful run answers.
    const results = expectationResults(spec, [run('FAILED', 'file not found', 'new'), run('SUCCEEDED', null, 'old')]);
    expect(results.map((r) => [r.feature, r.expectation, r.status, r.runId])).toEqual([
      ['tier', 'not null', 'passed', 'old'], ['tier', '>= 0', 'passed', 'old'], ['tier', '<= 2', 'passed', 'old'],
      ['status', 'one of ["active","cancelled"]', 'passed', 'old'], [null, 'fresh within 3600000 ms', 'passed', 'old'],
    ]);
  });

  it("marks what the checker's own report of a failed run names, the others passed", () => {
    const end = 10 * 3_600_000;
    const checker = new ExpectationChecker(spec, end);
    checker.check({ key: [1], eventTs: 0, createdTs: null, values: { tier: 7, status: 'active' } });
    checker.check({ key: [2], eventTs: 0, createdTs: null, values: { tier: 1, status: 'paused' } });
    const error = formatFailures('v', checker.failures());
    const results = expectationResults(spec, [run('FAILED', error)]);
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed', 'failed', 'failed', 'failed']);
    expect(results[2]!.note).toMatch(/^tier <= 2: 1 violation, e\.g\. \[1\] = 7/);
    expect(results[4]!.note).toMatch(/^\(view\) fresh within 3600000 ms of /);
  });
});
