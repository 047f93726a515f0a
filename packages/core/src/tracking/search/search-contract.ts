import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import type { Experiment, Run, ViewType } from '../entities.js';
import { compareExperiments, compareRuns, matchesExperiment, matchesRun } from './memory-search.js';
import { parseOrderBy } from './order-by.js';
import { encodePageToken } from './page-token.js';
import { parseFilter } from './parser.js';
import { createExperiment, insertRuns, makeRun, openTestDatabase, type RunSpec, type SearchBackend, type TestDatabase } from './search-fixtures.js';
import { searchExperimentIds, searchRunIds, type SearchTuning } from './sql-search.js';

// The search contract: hand-checked answers every backend must give, each also checked against the
// in-memory reference so the two cannot drift. Every plan runs: walking the sort key's index or sorting
// the runs in scope (toggled by the scope threshold), with PostgreSQL's EXISTS as joins or as probes.

const PLANS: [string, SearchTuning][] = [
  ['sorting the scope', { smallScope: 1_000_000, statistics: true }],
  ['walking the index', { smallScope: 0, statistics: true }],
  ['sorting the scope, EXISTS kept as probes', { smallScope: 1_000_000, statistics: false }],
  ['walking the index, EXISTS kept as probes', { smallScope: 0, statistics: false }],
];

const RUNS: RunSpec[] = [
  { id: 'r1', name: 'alpha', status: 'FINISHED', userId: 'ana', startTime: 1000, endTime: 2000, metrics: { acc: 0.9, loss: NaN }, params: { lr: '0.1', model: 'cnn' }, tags: { team: 'Vision', 'mlflow.source.name': 'train.py' }, datasets: [{ name: 'mnist', digest: 'd1', context: 'training' }] },
  { id: 'r2', name: 'beta', status: 'RUNNING', userId: 'bo', parentRunId: 'r1', startTime: 2000, endTime: null, metrics: { acc: 0.5, loss: 1.5 }, params: { lr: '0.01', model: 'CNN' }, tags: { team: 'vision', 'my tag': 'x y' }, datasets: [{ name: 'mnist', digest: 'd1', context: 'validation' }, { name: 'cifar', digest: 'd2' }] },
  { id: 'r3', name: 'gamma 😀', status: 'FAILED', userId: 'ana', startTime: 3000, endTime: 3500, lifecycleStage: 'deleted', metrics: { acc: Infinity, loss: -Infinity }, params: { model: 'rnn_1' }, tags: { team: 'nlp' } },
  { id: 'r4', name: 'délta', status: 'FINISHED', userId: 'Ana', startTime: 3000, endTime: 4000, metrics: { acc: -1 }, params: { model: 'r%n' }, tags: { 'mlflow.user': 'dora' } },
  { id: 'r5', name: 'epsilon', status: 'KILLED', userId: 'ana', startTime: 500, endTime: 600, params: { lr: '0.1' }, tags: { team: '😀 emoji', 'mlflow.parentRunId': 'r2' } },
  { id: 'r6', name: 'zeta', status: 'FINISHED', userId: 'bo', parentRunId: 'r1', startTime: 1500, endTime: 1600, metrics: { acc: NaN }, params: { model: 'cnn' }, tags: { 'mlflow.runName': 'old-zeta' } },
];

interface RunCase { filter?: string; orderBy?: string[]; viewType?: ViewType; expected: string[] }

const RUN_CASES: RunCase[] = [
  { expected: ['r4', 'r2', 'r6', 'r1', 'r5'] },
  { viewType: 'ALL', expected: ['r3', 'r4', 'r2', 'r6', 'r1', 'r5'] },
  { viewType: 'DELETED_ONLY', expected: ['r3'] },
  { filter: 'metrics.acc > 0.5', expected: ['r1'] },
  { filter: 'metrics.acc > 0.5', viewType: 'ALL', expected: ['r3', 'r1'] },
  { filter: 'metrics.acc != 0.5', expected: ['r4', 'r6', 'r1'] },
  { filter: 'metrics.acc = 0.5', expected: ['r2'] },
  { filter: 'metrics.acc <= -1', expected: ['r4'] },
  { filter: 'metrics.loss < -1e308', viewType: 'ALL', expected: ['r3'] },
  { filter: 'metrics.acc >= 1e999', viewType: 'ALL', expected: ['r3'] },
  { filter: 'metrics.loss > 0 or metrics.loss <= 0', expected: ['r2'] },
  { filter: 'metrics.loss != 7', expected: ['r2', 'r1'] },
  { filter: "params.model = 'cnn'", expected: ['r6', 'r1'] },
  { filter: "params.model ILIKE 'cnn'", expected: ['r2', 'r6', 'r1'] },
  { filter: "params.model LIKE 'r_n%'", viewType: 'ALL', expected: ['r3', 'r4'] },
  { filter: "params.model LIKE 'C%'", expected: ['r2'] },
  { filter: "params.lr != '0.1'", expected: ['r2'] },
  { filter: "params.lr NOT IN ('0.1', 'x')", expected: ['r2'] },
  { filter: "params.model IN ('cnn', 'rnn_1')", expected: ['r6', 'r1'] },
  { filter: "tags.team ILIKE 'VISION'", expected: ['r2', 'r1'] },
  { filter: "tags.`my tag` = 'x y'", expected: ['r2'] },
  { filter: 'tags."mlflow.source.name" = \'train.py\'', expected: ['r1'] },
  { filter: "tags.mlflow.source.name LIKE '%.py'", expected: ['r1'] },
  { filter: "tags.team LIKE '😀%'", expected: ['r5'] },
  { filter: "run_name ILIKE 'DÉLTA'", expected: ['r4'] },
  { filter: "attributes.run_name LIKE '%😀'", viewType: 'ALL', expected: ['r3'] },
  { filter: "status = 'RUNNING'", expected: ['r2'] },
  { filter: "status IN ('FINISHED', 'KILLED') and user_id = 'ana'", expected: ['r1', 'r5'] },
  { filter: 'end_time > 1600', expected: ['r4', 'r1'] },
  { filter: 'end_time != 2000', expected: ['r4', 'r6', 'r5'] },
  { filter: 'created >= 2000', expected: ['r4', 'r2'] },
  { filter: 'start_time < 1000.5', expected: ['r1', 'r5'] },
  { filter: 'attributes.start_time = 1000.5', expected: [] },
  { filter: 'start_time > -1e999', expected: ['r4', 'r2', 'r6', 'r1', 'r5'] },
  { filter: "run_id IN ('r1', 'r2', 'other')", expected: ['r2', 'r1'] },
  { filter: "lifecycle_stage = 'deleted'", viewType: 'ALL', expected: ['r3'] },
  { filter: "artifact_uri LIKE '%/r1/%'", expected: ['r1'] },
  { filter: "datasets.name = 'mnist' and datasets.context = 'validation'", expected: ['r2'] },
  { filter: "datasets.context != 'training'", expected: ['r2'] },
  { filter: "datasets.digest IN ('d2')", expected: ['r2'] },
  { filter: "datasets.context LIKE '%'", expected: ['r2', 'r1'] },
  { filter: "metrics.acc > 0.8 OR params.model = 'CNN'", expected: ['r2', 'r1'] },
  { filter: "params.model = 'cnn' OR params.model = 'CNN' AND metrics.acc > 0.6", expected: ['r6', 'r1'] },
  { filter: "(params.model = 'cnn' OR params.model = 'CNN') AND metrics.acc > 0.6", expected: ['r1'] },
  { orderBy: ['metrics.acc DESC'], expected: ['r1', 'r2', 'r4', 'r6', 'r5'] },
  { orderBy: ['metrics.acc'], expected: ['r4', 'r2', 'r1', 'r6', 'r5'] },
  { orderBy: ['metrics.acc DESC'], viewType: 'ALL', expected: ['r3', 'r1', 'r2', 'r4', 'r6', 'r5'] },
  { orderBy: ['metrics.loss ASC'], expected: ['r2', 'r1', 'r4', 'r6', 'r5'] },
  { orderBy: ['params.lr ASC'], expected: ['r2', 'r1', 'r5', 'r4', 'r6'] },
  { orderBy: ['params.lr DESC'], expected: ['r1', 'r5', 'r2', 'r4', 'r6'] },
  { orderBy: ['tags.team DESC'], expected: ['r5', 'r2', 'r1', 'r4', 'r6'] },
  { orderBy: ['run_name'], expected: ['r1', 'r2', 'r4', 'r5', 'r6'] },
  { orderBy: ['end_time ASC'], expected: ['r5', 'r6', 'r1', 'r4', 'r2'] },
  { orderBy: ['end_time DESC'], expected: ['r4', 'r1', 'r6', 'r5', 'r2'] },
  { orderBy: ['status', 'metrics.acc DESC'], expected: ['r1', 'r4', 'r6', 'r5', 'r2'] },
  { orderBy: ['attributes.run_id DESC'], expected: ['r6', 'r5', 'r4', 'r2', 'r1'] },
  { filter: "params.model ILIKE 'cnn'", orderBy: ['metrics.acc DESC'], expected: ['r1', 'r2', 'r6'] },
  { filter: 'metrics.acc != 0.5', orderBy: ['metrics.acc'], expected: ['r4', 'r1', 'r6'] },
  { filter: 'metrics.acc > -5', orderBy: ['metrics.acc DESC'], expected: ['r1', 'r2', 'r4'] },
  { filter: "params.lr = '0.1'", orderBy: ['params.lr DESC', 'metrics.acc'], expected: ['r1', 'r5'] },
  { filter: "params.model != 'x' or tags.team = 'nlp'", orderBy: ['params.lr', 'metrics.acc DESC'], expected: ['r2', 'r1', 'r4', 'r6'] },
  // Tags mirroring the run's parent, user and name: r2 and r6 have parent r1 (no tag stored), r5 a
  // stored parent tag; r4 a stored user tag ('dora') over its user id; r6 a stale stored name tag.
  { filter: "tags.mlflow.parentRunId = 'r1'", expected: ['r2', 'r6'] },
  { filter: "tags.mlflow.parentRunId = 'r2'", expected: ['r5'] },
  { filter: "tags.mlflow.parentRunId LIKE '%'", expected: ['r2', 'r6', 'r5'] },
  { filter: "tags.mlflow.user = 'ana'", expected: ['r1', 'r5'] },
  { filter: "tags.mlflow.user = 'ana'", viewType: 'ALL', expected: ['r3', 'r1', 'r5'] },
  { filter: "tags.mlflow.user IN ('dora', 'bo')", expected: ['r4', 'r2', 'r6'] },
  { filter: "tags.mlflow.user ILIKE 'ANA'", expected: ['r1', 'r5'] },
  { filter: "tags.mlflow.runName = 'zeta'", expected: ['r6'] },
  { filter: "tags.mlflow.runName = 'old-zeta'", expected: [] },
  { filter: "tags.mlflow.runName = 'beta' and tags.mlflow.parentRunId = 'r1'", expected: ['r2'] },
  { orderBy: ['tags.mlflow.user DESC'], expected: ['r4', 'r2', 'r6', 'r1', 'r5'] },
  { orderBy: ['tags.mlflow.parentRunId'], expected: ['r2', 'r6', 'r5', 'r4', 'r1'] },
  { filter: "tags.mlflow.parentRunId = 'r1'", orderBy: ['tags.mlflow.runName DESC'], expected: ['r6', 'r2'] },
  { filter: "tags.mlflow.runName != 'x'", orderBy: ['metrics.acc DESC'], expected: ['r1', 'r2', 'r4', 'r6', 'r5'] },
];

async function rejects(p: Promise<unknown>, message: string): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  if (!isCairnError(error, 'INVALID_ARGUMENT')) throw new Error(`expected INVALID_ARGUMENT, got ${String(error)}`);
  expect(error.message).toContain(message);
}

export function runSearchContract(backend: SearchBackend): void {
  describe(`search contract: ${backend}`, () => {
    let t: TestDatabase;
    let exp: number;
    let other: number;
    let runs: Run[];
    beforeAll(async () => {
      t = await openTestDatabase(backend);
      exp = await createExperiment(t.db, 'search');
      runs = RUNS.map((spec) => makeRun(exp, spec));
      await insertRuns(t.db, runs);
      // A run in another experiment matching everything: no search of `exp` may return it.
      other = await createExperiment(t.db, 'other');
      await insertRuns(t.db, [makeRun(other, { id: 'other', startTime: 1000, metrics: { acc: 0.9 }, params: { model: 'cnn', lr: '0.1' }, tags: { team: 'Vision' } })]);
    });
    afterAll(async () => t?.cleanup());

    const label = (c: RunCase) => `${c.filter ?? '(no filter)'} | ${(c.orderBy ?? []).join(', ') || '(default order)'}${c.viewType ? ` | ${c.viewType}` : ''}`;

    it.each(RUN_CASES.map((c) => [label(c), c] as const))('runs: %s', async (_, c) => {
      const order = parseOrderBy(c.orderBy, 'runs');
      const node = parseFilter(c.filter, 'runs');
      const view = c.viewType ?? 'ACTIVE_ONLY';
      const inView = (r: Run) => view === 'ALL' || (view === 'ACTIVE_ONLY') === (r.info.lifecycleStage === 'active');
      expect(runs.filter((r) => inView(r) && matchesRun(node, r)).sort(compareRuns(order)).map((r) => r.info.runId), 'in memory').toEqual(c.expected);

      for (const [plan, tuning] of PLANS) {
        const q = { experimentIds: [String(exp)], filter: c.filter, orderBy: c.orderBy, viewType: c.viewType };
        expect((await searchRunIds(t.db, t.dialect, q, tuning)).ids, plan).toEqual(c.expected);
        // Page by page, two at a time, the pages add up to the same list.
        const paged: string[] = [];
        let pageToken: string | undefined;
        do {
          const page = await searchRunIds(t.db, t.dialect, { ...q, maxResults: 2, pageToken }, tuning);
          expect(page.ids.length).toBeLessThanOrEqual(2);
          paged.push(...page.ids);
          pageToken = page.nextPageToken ?? undefined;
          if (pageToken) expect(page.ids).toHaveLength(2);
        } while (pageToken);
        expect(paged, `${plan}, paged`).toEqual(c.expected);
      }
    });

    it('searches several experiments at once, and none', async () => {
      const ids = await searchRunIds(t.db, t.dialect, { experimentIds: [String(exp), String(other), String(exp)], filter: "params.model = 'cnn'" });
      expect(ids).toEqual({ ids: ['r6', 'other', 'r1'], nextPageToken: null });
      expect(await searchRunIds(t.db, t.dialect, { experimentIds: [] })).toEqual({ ids: [], nextPageToken: null });
    });

    it('starts a page past the end with nothing', async () => {
      const q = { experimentIds: [String(exp)], orderBy: ['metrics.acc DESC'], pageToken: encodePageToken(50) };
      expect(await searchRunIds(t.db, t.dialect, q)).toEqual({ ids: [], nextPageToken: null });
    });

    it('rejects bad requests with INVALID_ARGUMENT before querying', async () => {
      const e = String(exp);
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], filter: 'metrics.acc foo 1' }), 'Invalid filter at position 13');
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], orderBy: ['metrics.acc UP'] }), 'Invalid order_by clause at position 13');
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], pageToken: 'not a token' }), 'Invalid page token');
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], pageToken: encodePageToken(-1) }), 'Invalid page token');
      for (const maxResults of [0, 50_001, 1.5]) await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], maxResults }), `Invalid maxResults ${maxResults}`);
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: ['abc'] }), "Invalid experiment id 'abc'");
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [e], viewType: 'SOME' as ViewType }), "Invalid view type 'SOME'");
      await rejects(searchRunIds(t.db, t.dialect, { experimentIds: [], filter: 'x' }), 'Invalid filter');
      expect((await searchRunIds(t.db, t.dialect, { experimentIds: [e], maxResults: 50_000 })).ids).toHaveLength(5);
    });

    describe('experiments', () => {
      let store: TestDatabase;
      let all: Experiment[];
      beforeAll(async () => {
        store = await openTestDatabase(backend);
        const defs: [string, Partial<Experiment>][] = [
          ['fraud-a', { creationTime: 100, lastUpdateTime: 500, tags: { team: 'risk' } }],
          ['fraud-B', { creationTime: 200, lastUpdateTime: 300, tags: { team: 'Risk' } }],
          ['churn', { creationTime: 300, lastUpdateTime: 400, lifecycleStage: 'deleted' }],
          ['ads 😀', { creationTime: 200, lastUpdateTime: 100 }],
        ];
        for (const [name, fields] of defs) await createExperiment(store.db, name, fields);
        all = await loadExperiments(store);
      });
      afterAll(async () => store?.cleanup());

      const CASES: { filter?: string; orderBy?: string[]; viewType?: ViewType; expected: string[] }[] = [
        { expected: ['Default', 'fraud-B', 'ads 😀', 'fraud-a'] },
        { viewType: 'ALL', expected: ['Default', 'churn', 'fraud-B', 'ads 😀', 'fraud-a'] },
        { viewType: 'DELETED_ONLY', expected: ['churn'] },
        { filter: "name LIKE 'fraud%'", expected: ['fraud-B', 'fraud-a'] },
        { filter: "attributes.name ILIKE 'FRAUD-%'", expected: ['fraud-B', 'fraud-a'] },
        { filter: "tags.team = 'risk'", expected: ['fraud-a'] },
        { filter: "tags.team ILIKE 'risk' or name = 'ads 😀'", expected: ['fraud-B', 'ads 😀', 'fraud-a'] },
        { filter: 'creation_time >= 200 and creation_time < 1000', expected: ['fraud-B', 'ads 😀'] },
        { filter: 'last_update_time != 300', expected: ['Default', 'ads 😀', 'fraud-a'] },
        { orderBy: ['name'], expected: ['Default', 'ads 😀', 'fraud-B', 'fraud-a'] },
        { orderBy: ['last_update_time ASC'], expected: ['ads 😀', 'fraud-B', 'fraud-a', 'Default'] },
        { orderBy: ['tags.team DESC'], expected: ['fraud-a', 'fraud-B', 'Default', 'ads 😀'] },
        { orderBy: ['experiment_id DESC'], expected: ['ads 😀', 'fraud-B', 'fraud-a', 'Default'] },
      ];

      it.each(CASES.map((c) => [`${c.filter ?? ''} | ${(c.orderBy ?? []).join(', ')} | ${c.viewType ?? ''}`, c] as const))('%s', async (_, c) => {
        const byId = new Map(all.map((e) => [Number(e.experimentId), e.name]));
        const view = c.viewType ?? 'ACTIVE_ONLY';
        const node = parseFilter(c.filter, 'experiments');
        const inView = (e: Experiment) => view === 'ALL' || (view === 'ACTIVE_ONLY') === (e.lifecycleStage === 'active');
        const memory = all.filter((e) => inView(e) && matchesExperiment(node, e)).sort(compareExperiments(parseOrderBy(c.orderBy, 'experiments')));
        expect(memory.map((e) => e.name), 'in memory').toEqual(c.expected);
        for (const [plan, tuning] of PLANS) {
          const page = await searchExperimentIds(store.db, store.dialect, { filter: c.filter, orderBy: c.orderBy, viewType: c.viewType }, tuning);
          expect(page.ids.map((id) => byId.get(id)), plan).toEqual(c.expected);
          const first = await searchExperimentIds(store.db, store.dialect, { filter: c.filter, orderBy: c.orderBy, viewType: c.viewType, maxResults: 1 }, tuning);
          expect(first.ids.map((id) => byId.get(id))).toEqual(c.expected.slice(0, 1));
          expect(first.nextPageToken !== null).toBe(c.expected.length > 1);
        }
      });

      it('rejects run keys', async () => {
        await rejects(searchExperimentIds(store.db, store.dialect, { filter: 'metrics.a > 1' }), "unknown entity 'metrics'");
        await rejects(searchExperimentIds(store.db, store.dialect, { orderBy: ['run_name'] }), "unknown attribute 'run_name'");
      });
    });
  });
}

/** Every experiment in the database as an entity, for the in-memory reference. */
export async function loadExperiments(t: TestDatabase): Promise<Experiment[]> {
  const rows = await t.db.selectFrom('experiments').selectAll().execute();
  const tags = await t.db.selectFrom('experiment_tags').selectAll().execute();
  return rows.map((r) => ({
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location,
    lifecycleStage: r.lifecycle_stage as Experiment['lifecycleStage'],
    creationTime: Number(r.creation_time),
    lastUpdateTime: Number(r.last_update_time),
    tags: Object.fromEntries(tags.filter((tag) => tag.experiment_id === r.experiment_id).map((tag) => [tag.key, tag.value])),
  }));
}
