import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareRuns, matchesRun } from './memory-search.js';
import { parseOrderBy } from './order-by.js';
import { parseFilter } from './parser.js';
import { makeRun } from './search-fixtures.js';

const run = (id: string, metrics: Record<string, number>, params: Record<string, string> = {}, startTime = 0) => makeRun(1, { id, metrics, params, startTime });
const matches = (filter: string, r: ReturnType<typeof run>) => matchesRun(parseFilter(filter, 'runs'), r);

describe('matchesRun', () => {
  it('lets NaN pass only !=', () => {
    const r = run('a', { m: NaN });
    for (const op of ['=', '>', '>=', '<', '<=']) expect(matches(`metrics.m ${op} 0`, r)).toBe(false);
    expect(matches('metrics.m != 0', r)).toBe(true);
  });

  it('never matches a missing key, not even with != or NOT IN', () => {
    const r = run('a', {});
    expect(matches('metrics.m != 0', r)).toBe(false);
    expect(matches("params.p != 'x'", r)).toBe(false);
    expect(matches("params.p NOT IN ('x')", r)).toBe(false);
    expect(matches('end_time != 5', r)).toBe(false);
  });

  it('compares infinities as numbers', () => {
    expect(matches('metrics.m > 1e308', run('a', { m: Infinity }))).toBe(true);
    expect(matches('metrics.m = 1e999', run('a', { m: Infinity }))).toBe(true);
    expect(matches('metrics.m < -1e308', run('a', { m: -Infinity }))).toBe(true);
  });

  it('matches LIKE case-sensitively and ILIKE without case, with no escape character', () => {
    const r = run('a', {}, { p: 'Ab\\%' });
    expect(matches("params.p LIKE 'a%'", r)).toBe(false);
    expect(matches("params.p ILIKE 'a%'", r)).toBe(true);
    expect(matches("params.p LIKE 'A_\\%'", r)).toBe(true);
    expect(matches("params.p LIKE 'A_\\_'", r)).toBe(true);
  });
});

describe('compareRuns', () => {
  it('puts values first, then NaN, then missing keys, in either direction', () => {
    const runs = [run('missing', {}), run('nan', { m: NaN }), run('low', { m: -Infinity }), run('high', { m: 2 })];
    expect([...runs].sort(compareRuns(parseOrderBy(['metrics.m DESC'], 'runs'))).map((r) => r.info.runId)).toEqual(['high', 'low', 'nan', 'missing']);
    expect([...runs].sort(compareRuns(parseOrderBy(['metrics.m'], 'runs'))).map((r) => r.info.runId)).toEqual(['low', 'high', 'nan', 'missing']);
  });

  it('breaks ties by start time (newest first) and then run id', () => {
    const runs = [run('b', {}, {}, 1), run('a', {}, {}, 1), run('c', {}, {}, 2)];
    expect([...runs].sort(compareRuns(parseOrderBy(undefined, 'runs'))).map((r) => r.info.runId)).toEqual(['c', 'a', 'b']);
  });
});

describe('compareCodePoints', () => {
  it('orders like the UTF-8 bytes, which is how SQLite and PostgreSQL ("C") order text', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', '\uffff', '\uff01', '😀', '𝒳', '\u0000'), maxLength: 4 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(Math.sign(compareCodePoints(a, b))).toBe(bytes);
      }),
      { numRuns: 2000 },
    );
    expect(compareCodePoints('\uff01', '😀')).toBeLessThan(0);
    expect('\uff01' < '😀').toBe(false);
  });
});
