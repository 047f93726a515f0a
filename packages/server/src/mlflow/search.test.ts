import { sql } from 'kysely';
import { expect } from 'vitest';
import { describeMlflow, unique, type MlflowExperiment, type MlflowHarness, type MlflowRun } from './conformance-harness.js';

// The filter language through MLflow's routes, as MLflow clients write it: OR and parentheses, LIKE and
// ILIKE, IN and NOT IN, dataset fields, bare attribute names, quoted keys and quoted entities; and
// experiments/search with tag filters and MLflow's tie-break.

type SearchReply = { runs?: MlflowRun[]; next_page_token?: string };
type ExperimentsReply = { experiments?: MlflowExperiment[]; next_page_token?: string };

interface RunSpec {
  name: string;
  start: number;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  dataset?: { name: string; digest: string; context: string };
  status?: string;
}

// Newest first by default: delta, gamma, beta, alpha.
const RUNS: RunSpec[] = [
  { name: 'alpha', start: 1000, params: { model: 'cnn', lr: '0.1' }, metrics: { acc: 0.9, 'my metric': 1 }, tags: { team: 'Vision' }, dataset: { name: 'mnist', digest: 'd1', context: 'training' } },
  { name: 'beta', start: 2000, params: { model: 'CNN', lr: '0.01' }, metrics: { acc: 0.5, 'my metric': 2 }, tags: { team: 'vision' }, dataset: { name: 'cifar', digest: 'd2', context: 'validation' }, status: 'FINISHED' },
  { name: 'gamma', start: 3000, params: { model: 'rnn' }, metrics: { acc: 0.7 }, tags: { team: 'nlp' }, status: 'FAILED' },
  { name: 'delta', start: 4000, params: { model: 'r_n' }, metrics: {}, tags: {}, dataset: { name: 'mnist', digest: 'd1', context: 'validation' } },
];

const CASES: [filter: string, expected: string[], orderBy?: string[]][] = [
  // OR and parentheses (Cairn's addition to MLflow's grammar); AND binds tighter than OR.
  ["metrics.acc > 0.8 OR params.model = 'rnn'", ['gamma', 'alpha']],
  ["(params.model = 'cnn' OR params.model = 'CNN') AND metrics.acc < 0.8", ['beta']],
  ["params.model = 'cnn' OR params.model = 'CNN' AND metrics.acc < 0.8", ['beta', 'alpha']],
  ["(tags.team = 'nlp' or (params.lr = '0.1' and metrics.acc >= 0.9))", ['gamma', 'alpha']],
  // LIKE is case-sensitive, ILIKE is not; `_` is one character, `%` any run.
  ["params.model LIKE 'c%'", ['alpha']],
  ["params.model LIKE 'r_n'", ['delta', 'gamma']],
  ["params.model ILIKE 'CNN'", ['beta', 'alpha']],
  ["tags.team ILIKE 'VIS%'", ['beta', 'alpha']],
  ["attributes.run_name LIKE '%a'", ['delta', 'gamma', 'beta', 'alpha']],
  // IN and NOT IN; a run without the key matches neither.
  ["params.model IN ('cnn', 'rnn')", ['gamma', 'alpha']],
  ["params.model NOT IN ('cnn', 'rnn')", ['delta', 'beta']],
  ["params.lr NOT IN ('0.1')", ['beta']],
  ["tags.team IN ('nlp', 'vision')", ['gamma', 'beta']],
  // Dataset inputs: a condition holds if any input of the run meets it.
  ["datasets.name = 'mnist'", ['delta', 'alpha']],
  ["datasets.context = 'validation'", ['delta', 'beta']],
  ["datasets.name = 'mnist' AND datasets.context = 'training'", ['alpha']],
  ["datasets.digest IN ('d2')", ['beta']],
  ["dataset.name ILIKE 'MNIST' and params.model = 'r_n'", ['delta']],
  // Bare attribute names, without `attributes.`.
  ["run_name = 'beta'", ['beta']],
  ["status = 'FINISHED'", ['beta']],
  ["status IN ('FAILED', 'FINISHED')", ['gamma', 'beta']],
  ['start_time >= 3000', ['delta', 'gamma']],
  ['created < 2000', ['alpha']],
  ['end_time > 0', ['gamma', 'beta']],
  ["attributes.run_name ILIKE 'ALPHA'", ['alpha']],
  // Quoted keys: backticks or double quotes right after the dot.
  ['metrics.`my metric` > 1', ['beta']],
  ['metrics."my metric" = 1', ['alpha']],
  ["tags.`team` = 'nlp'", ['gamma']],
  // Quoted entities, as MLflow accepts them.
  ['`metrics`.acc > 0.6', ['gamma', 'alpha']],
  ['`metrics`.`my metric` >= 1', ['beta', 'alpha']],
  ["`params`.model = 'rnn'", ['gamma']],
  ["`tags`.team = 'nlp'", ['gamma']],
  ["`attributes`.run_name = 'delta'", ['delta']],
  ["`datasets`.context = 'training'", ['alpha']],
  ["`run_name` = 'gamma'", ['gamma']],
  // Orders name keys the same ways.
  ['', ['alpha', 'gamma', 'beta', 'delta'], ['`metrics`.acc DESC']],
  ['', ['beta', 'alpha', 'delta', 'gamma'], ['metrics.`my metric` DESC']],
  ["params.model ILIKE '%n%'", ['alpha', 'beta', 'delta', 'gamma'], ['run_name']],
];

async function seed(h: MlflowHarness): Promise<{ experimentId: string; names: Map<string, string> }> {
  const experimentId = await h.experiment('search');
  const names = new Map<string, string>();
  for (const r of RUNS) {
    const run = await h.run(experimentId, { run_name: r.name, start_time: r.start });
    const id = run.info.run_id;
    names.set(id, r.name);
    const kv = (o: Record<string, string | number>) => Object.entries(o).map(([key, value]) => ({ key, value }));
    await h.post('/runs/log-batch', { run_id: id, params: kv(r.params), tags: kv(r.tags), metrics: kv(r.metrics).map((m) => ({ ...m, timestamp: r.start })) });
    if (r.dataset) {
      const { context, ...d } = r.dataset;
      await h.post('/runs/log-inputs', { run_id: id, datasets: [{ tags: [{ key: 'mlflow.data.context', value: context }], dataset: { ...d, source_type: 'local', source: '{}' } }] });
    }
    if (r.status) await h.post('/runs/update', { run_id: id, status: r.status, end_time: r.start + 1 });
  }
  return { experimentId, names };
}

describeMlflow('MLflow runs/search filter language', (test) => {
  test('OR, parentheses, LIKE/ILIKE, IN/NOT IN, datasets, bare attributes, quoted keys and entities', async (h) => {
    const { experimentId, names } = await seed(h);
    for (const [filter, expected, orderBy] of CASES) {
      const res = await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], filter, ...(orderBy ? { order_by: orderBy } : {}) });
      expect(res.status, `${filter} ${JSON.stringify(res.body)}`).toBe(200);
      expect((res.body.runs ?? []).map((r) => names.get(r.info.run_id)), `${filter} | ${orderBy ?? ''}`).toEqual(expected);
    }
    const gammaId = [...names].find(([, name]) => name === 'gamma')![0];
    const byId = await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], filter: `run_id = '${gammaId}'` });
    expect(byId.body.runs?.map((r) => r.info.run_name)).toEqual(['gamma']);
  });

  test('a quoted entity that is no entity is a 400 naming the position', async (h) => {
    const experimentId = await h.experiment();
    for (const [filter, position] of [['`foo`.acc > 1', 1], ['`metrics`. > 1', 11], ['`metrics` .acc > 1', 11]] as const) {
      const res = await h.post<{ error_code: string; message: string }>('/runs/search', { experiment_ids: [experimentId], filter });
      expect(res.status, filter).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.body.message).toContain(`at position ${position}`);
    }
  });
});

describeMlflow('MLflow experiments/search', (test) => {
  test('filters by tags, alone and with the name, with =, !=, LIKE, ILIKE and OR', async (h) => {
    const prefix = unique('tagged');
    const make = async (suffix: string, tags: Record<string, string>) => {
      const res = await h.post<{ experiment_id: string }>('/experiments/create', { name: `${prefix}_${suffix}`, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
      return res.body.experiment_id;
    };
    const risk = await make('a', { team: 'risk', 'mlflow.note.content': 'fraud models' });
    const Risk = await make('b', { team: 'Risk' });
    const none = await make('c', {});
    const search = async (filter: string) =>
      ((await h.post<ExperimentsReply>('/experiments/search', { filter: `name LIKE '${prefix}%' AND (${filter})`, order_by: ['name'] })).body.experiments ?? []).map((e) => e.experiment_id);
    expect(await search("tags.team = 'risk'")).toEqual([risk]);
    expect(await search("tags.team != 'risk'")).toEqual([Risk]);
    expect(await search("tags.team LIKE 'R%'")).toEqual([Risk]);
    expect(await search("tags.team ILIKE 'risk'")).toEqual([risk, Risk]);
    expect(await search("tags.`mlflow.note.content` ILIKE '%FRAUD%'")).toEqual([risk]);
    expect(await search("tags.team = 'Risk' OR name LIKE '%_c'")).toEqual([Risk, none]);
    expect(await search("`tags`.team = 'risk'")).toEqual([risk]);
    const tagOnly = await h.get<ExperimentsReply>('/experiments/search', { filter: "tags.`mlflow.note.content` = 'fraud models'" });
    expect(tagOnly.body.experiments?.map((e) => e.experiment_id)).toEqual([risk]);
  });

  test('breaks ties by experiment_id DESC after an order_by without it, as MLflow does; by creation_time DESC then id ASC by default', async (h) => {
    const prefix = unique('ties');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await h.experiment(prefix));
    const numeric = ids.map(Number);
    await sql`update experiments set creation_time = 42, last_update_time = 42 where experiment_id in (${sql.join(numeric)})`.execute(h.platform.database.db);
    const search = async (order_by?: string[]) =>
      ((await h.post<ExperimentsReply>('/experiments/search', { filter: `name LIKE '${prefix}%'`, ...(order_by ? { order_by } : {}) })).body.experiments ?? []).map((e) => e.experiment_id);
    const descending = [...ids].reverse();
    expect(await search(['creation_time ASC'])).toEqual(descending);
    expect(await search(['last_update_time DESC'])).toEqual(descending);
    expect(await search(['experiment_id ASC'])).toEqual(ids);
    expect(await search()).toEqual(ids);
    // Paging keeps that order.
    const first = await h.post<ExperimentsReply>('/experiments/search', { filter: `name LIKE '${prefix}%'`, order_by: ['creation_time'], max_results: 2 });
    const rest = await h.post<ExperimentsReply>('/experiments/search', { filter: `name LIKE '${prefix}%'`, order_by: ['creation_time'], max_results: 2, page_token: first.body.next_page_token });
    expect([...(first.body.experiments ?? []), ...(rest.body.experiments ?? [])].map((e) => e.experiment_id)).toEqual(descending);
    // Cairn's own API keeps experiment_id ASC as its last key (docs/tracking.md).
    if (h.app.hasRoute({ method: 'GET', url: '/api/v1/experiments' })) {
      const own = await h.app.inject({ method: 'GET', url: '/api/v1/experiments', query: { filter: `name LIKE '${prefix}%'`, orderBy: 'creation_time' } });
      expect(own.json<{ experiments: { experimentId: string }[] }>().experiments.map((e) => e.experimentId)).toEqual(ids);
    }
  });
});
