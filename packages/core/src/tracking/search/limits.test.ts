import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { parseRegistryFilter, parseRegistryOrder } from '../../registry/search/registry-filter.js';
import { SEARCH_LIMITS } from './limits.js';
import { parseOrderBy } from './order-by.js';
import { parseFilter } from './parser.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error & { code: string };
  }
  return expect.fail('expected a refusal');
};

// Over 1 MiB of filter: refused by its length before anything else (a 20,000-term OR, 458 KB, is refused by the term limit).
const HUGE = Array.from({ length: 50_000 }, (_, i) => `params.p = 'value-${i}'`).join(' OR ');

describe('search limits', () => {
  it('refuses a filter over the length limit before parsing it, on tracking and registry searches', () => {
    for (const [what, parse] of [['runs', () => parseFilter(HUGE, 'runs')], ['experiments', () => parseFilter(HUGE, 'experiments')], ['models', () => parseRegistryFilter(HUGE, 'models')]] as const) {
      const e = refusal(parse);
      expect(isCairnError(e, 'INVALID_ARGUMENT'), what).toBe(true);
      expect(e.message).toBe(`The filter is ${HUGE.length} characters long; the limit is ${SEARCH_LIMITS.filterLength}. Split the search into several smaller ones (e.g. fewer values per IN list).`);
    }
  });

  it('accepts a filter at the limit: an IN list of 10,000 run ids, padded', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `'${i.toString(16).padStart(32, '0')}'`);
    const filter = `attributes.run_id IN (${ids.join(', ')})`.padEnd(SEARCH_LIMITS.filterLength, ' ');
    expect(filter.length).toBe(SEARCH_LIMITS.filterLength);
    expect(parseFilter(filter, 'runs')).toMatchObject({ kind: 'comparison', op: 'IN' });
    expect(() => parseFilter(`${filter} `, 'runs')).toThrow(/the limit is 1048576/);
  });

  it('refuses more order_by clauses than the limit, and overlong ones', () => {
    const many = Array.from({ length: SEARCH_LIMITS.maxOrderBy + 1 }, (_, i) => `metrics.m${i} DESC`);
    expect(parseOrderBy(many.slice(1), 'runs').length).toBe(SEARCH_LIMITS.maxOrderBy + 2);
    for (const parse of [() => parseOrderBy(many, 'runs'), () => parseRegistryOrder(many.map(() => 'name'), 'models')]) {
      const e = refusal(parse);
      expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect(e.message).toBe('order_by has 21 clauses; the limit is 20. Order by fewer keys.');
    }
    const long = `metrics.\`${'x'.repeat(SEARCH_LIMITS.filterLength)}\``;
    expect(refusal(() => parseOrderBy([long], 'runs')).message).toMatch(/^The order_by clause is \d+ characters long; the limit is 1048576/);
    expect(refusal(() => parseRegistryOrder([long], 'versions')).message).toMatch(/^The order_by clause is \d+ characters long/);
  });
});
