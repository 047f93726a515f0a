import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment, Run, ViewType } from '../entities.js';
import type { Comparison, FilterNode } from './ast.js';
import { formatFilter, formatKey } from './format-filter.js';
import { compareExperiments, compareRuns, matchesExperiment, matchesRun } from './memory-search.js';
import { parseOrderBy } from './order-by.js';
import { parseFilter } from './parser.js';
import { experimentFilter, experimentOrderBy, experimentSpecs, runFilter, runOrderBy, runSpecs, viewType } from './search-arbitraries.js';
import { loadExperiments } from './search-contract.js';
import { createExperiment, insertRuns, makeRun, openTestDatabase, type SearchBackend, type TestDatabase } from './search-fixtures.js';
import { searchExperimentIds, searchRunIds, type SearchTuning } from './sql-search.js';

// Random runs, random filters and orders: the database must return exactly what the in-memory
// reference returns, in the same order, page after page, with either query plan.

// Rounds per backend; SEARCH_PROPERTY_RUNS raises them for a long local hunt.
const NUM_RUNS: Record<SearchBackend, number> = { sqlite: 120, postgres: 40 };
const rounds = (backend: SearchBackend) => Number(process.env.SEARCH_PROPERTY_RUNS ?? NUM_RUNS[backend]);
const timeout = (backend: SearchBackend) => 60_000 + rounds(backend) * 200;

interface Query {
  filter: FilterNode | null;
  orderBy: string[];
  viewType: ViewType;
  pageSize: number;
  /** 0 walks the sort key's index, a large value sorts the scope: both plans must agree. */
  smallScope: number;
  /** PostgreSQL keeps EXISTS as per-run probes when false; both must agree. */
  statistics: boolean;
}

const query: fc.Arbitrary<Query> = fc
  .record({
    filter: fc.option(runFilter, { nil: null, freq: 4 }),
    orderBy: runOrderBy,
    viewType,
    pageSize: fc.constantFrom(1, 2, 3, 7, 1000),
    smallScope: fc.constantFrom(0, 1_000_000),
    statistics: fc.boolean(),
    sortByFiltered: fc.boolean(),
    descending: fc.boolean(),
  })
  // Often sort by a key the filter tests at the top level: the plan then joins that key instead of
  // testing it with EXISTS, and drops the ranks the filter rules out.
  .map(({ sortByFiltered, descending, ...q }) => {
    const conjuncts = q.filter === null ? [] : q.filter.kind === 'and' ? q.filter.children : [q.filter];
    const tested = conjuncts.find((c): c is Comparison => c.kind === 'comparison' && c.entity !== 'attribute' && c.entity !== 'dataset');
    if (!sortByFiltered || !tested) return q;
    return { ...q, orderBy: [`${formatKey(tested.entity, tested.key)}${descending ? ' DESC' : ''}`, ...q.orderBy] };
  });

const inView = (view: ViewType, stage: string) => view === 'ALL' || (view === 'ACTIVE_ONLY') === (stage === 'active');

async function allPages<T>(fetch: (pageToken: string | undefined) => Promise<{ ids: T[]; nextPageToken: string | null }>, pageSize: number): Promise<T[]> {
  const ids: T[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await fetch(token);
    expect(page.ids.length).toBeLessThanOrEqual(pageSize);
    if (page.nextPageToken) expect(page.ids).toHaveLength(pageSize);
    ids.push(...page.ids);
    if (!page.nextPageToken) return ids;
    token = page.nextPageToken;
  }
  throw new Error('more than 1000 pages');
}

export function runSearchProperties(backend: SearchBackend): void {
  describe(`search properties: ${backend}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await openTestDatabase(backend);
    });
    afterAll(async () => t?.cleanup());

    it('finds the runs the in-memory reference finds, in its order, page by page', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(runSpecs, fc.array(query, { minLength: 1, maxLength: 4 }), async (specs, queries) => {
          // Every round gets its own experiment; earlier rounds' runs stay behind as other experiments.
          const r = round++;
          const exp = await createExperiment(t.db, `runs-${r}`);
          const runs: Run[] = specs.map((s) => makeRun(exp, { ...s, id: `${r}-${s.id}` }));
          await insertRuns(t.db, runs);
          for (const q of queries) {
            const filter = q.filter === null ? undefined : formatFilter(q.filter);
            const node = parseFilter(filter, 'runs');
            const expected = runs
              .filter((run) => inView(q.viewType, run.info.lifecycleStage) && matchesRun(node, run))
              .sort(compareRuns(parseOrderBy(q.orderBy, 'runs')))
              .map((run) => run.info.runId);
            const tuning: SearchTuning = { smallScope: q.smallScope, statistics: q.statistics };
            const base = { experimentIds: [String(exp)], filter, orderBy: q.orderBy, viewType: q.viewType, maxResults: q.pageSize };
            const got = await allPages((pageToken) => searchRunIds(t.db, t.dialect, { ...base, pageToken }, tuning), q.pageSize);
            expect(got, JSON.stringify({ ...q, filter })).toEqual(expected);
          }
        }),
        { numRuns: rounds(backend) },
      );
    }, timeout(backend));

    it('finds the experiments the in-memory reference finds, in its order, page by page', async () => {
      let round = 0;
      const q = fc.record({
        filter: fc.option(experimentFilter, { nil: null }),
        orderBy: experimentOrderBy,
        viewType,
        pageSize: fc.constantFrom(2, 5, 1000),
        tieBreak: fc.constantFrom('cairn', 'mlflow' as const),
      });
      // A database of its own, holding only Default and the round's experiments.
      const store = await openTestDatabase(backend);
      const property = fc.asyncProperty(experimentSpecs, fc.array(q, { minLength: 1, maxLength: 3 }), async (specs, queries) => {
        const r = round++;
        // The search covers every experiment in the database, so each round removes the last one's.
        await store.db.deleteFrom('experiment_tags').where('experiment_id', '<>', 0).execute();
        await store.db.deleteFrom('experiments').where('experiment_id', '<>', 0).execute();
        for (const [i, s] of specs.entries()) await createExperiment(store.db, `${s.name}#${r}.${i}`, s);
        const all: Experiment[] = await loadExperiments(store);
        for (const c of queries) {
          const filter = c.filter === null ? undefined : formatFilter(c.filter);
          const node = parseFilter(filter, 'experiments');
          const expected = all
            .filter((e) => inView(c.viewType, e.lifecycleStage) && matchesExperiment(node, e))
            .sort(compareExperiments(parseOrderBy(c.orderBy, 'experiments', c.tieBreak)))
            .map((e) => Number(e.experimentId));
          const base = { filter, orderBy: c.orderBy, viewType: c.viewType, maxResults: c.pageSize, tieBreak: c.tieBreak };
          const got = await allPages((pageToken) => searchExperimentIds(store.db, store.dialect, { ...base, pageToken }), c.pageSize);
          expect(got, JSON.stringify({ filter, orderBy: c.orderBy, viewType: c.viewType, tieBreak: c.tieBreak })).toEqual(expected);
        }
      });
      try {
        await fc.assert(property, { numRuns: Math.ceil(rounds(backend) / 2) });
      } finally {
        await store.cleanup();
      }
    }, timeout(backend));
  });
}
