// The runs page's view, kept entirely in the URL so a link (or a reload) shows the same view:
// /runs?exp=1&exp=2&filter=…&sort=metrics.auc+DESC&col=metrics.auc&col=params.lr&sel=<id>&sel=<id>

export type ColumnGroup = 'metrics' | 'params' | 'tags';

/** A user-chosen column: one metric, param or tag key. */
export interface DataColumn {
  group: ColumnGroup;
  key: string;
}

export interface Sort {
  /** A filter-language field: `metrics.auc`, ``params.`learning rate` ``, `attributes.start_time`. */
  field: string;
  desc: boolean;
}

export interface RunsView {
  experimentIds: string[];
  filter: string;
  sort: Sort | null;
  columns: DataColumn[];
  selected: string[];
  /** Show deleted runs instead of active ones. */
  deleted: boolean;
}

const GROUPS: readonly ColumnGroup[] = ['metrics', 'params', 'tags'];
// Keys the filter language accepts without backquotes (the server's format-filter uses the same set).
const PLAIN_KEY = /^[\p{L}\p{N}\p{M}_.\-/:]+$/u;

/** `metrics.auc`, ``params.`learning rate` ``: a key as the filter and order-by languages spell it. */
export function fieldOf(column: DataColumn): string {
  return `${column.group}.${PLAIN_KEY.test(column.key) ? column.key : '`' + column.key.replaceAll('`', '``') + '`'}`;
}

/** The stable id of a column in the URL and in the table: `metrics.auc` (keys as logged, unquoted). */
export function columnId(column: DataColumn): string {
  return `${column.group}.${column.key}`;
}

export function parseColumnId(id: string): DataColumn | null {
  const dot = id.indexOf('.');
  const group = id.slice(0, dot) as ColumnGroup;
  if (dot < 1 || !GROUPS.includes(group) || dot === id.length - 1) return null;
  return { group, key: id.slice(dot + 1) };
}

export function orderByOf(sort: Sort | null): string[] | undefined {
  return sort ? [`${sort.field} ${sort.desc ? 'DESC' : 'ASC'}`] : undefined;
}

export function parseRunsView(params: URLSearchParams): RunsView {
  const sortText = params.get('sort');
  let sort: Sort | null = null;
  if (sortText) {
    const m = /^(.*?)\s+(ASC|DESC)$/i.exec(sortText.trim());
    sort = m ? { field: m[1]!, desc: m[2]!.toUpperCase() === 'DESC' } : { field: sortText.trim(), desc: false };
  }
  const seen = new Set<string>();
  const columns: DataColumn[] = [];
  for (const id of params.getAll('col')) {
    const c = parseColumnId(id);
    if (c && !seen.has(id)) {
      seen.add(id);
      columns.push(c);
    }
  }
  return {
    experimentIds: [...new Set(params.getAll('exp').filter((e) => /^\d+$/.test(e)))],
    filter: params.get('filter') ?? '',
    sort,
    columns,
    selected: [...new Set(params.getAll('sel'))],
    deleted: params.get('deleted') === '1',
  };
}

export function runsViewSearch(view: RunsView): URLSearchParams {
  const p = new URLSearchParams();
  for (const e of view.experimentIds) p.append('exp', e);
  if (view.filter) p.set('filter', view.filter);
  if (view.sort) p.set('sort', `${view.sort.field} ${view.sort.desc ? 'DESC' : 'ASC'}`);
  for (const c of view.columns) p.append('col', columnId(c));
  for (const s of view.selected) p.append('sel', s);
  if (view.deleted) p.set('deleted', '1');
  return p;
}

/** Default columns for a fresh view: the first few metrics and params the experiments use. */
export function defaultColumns(keys: { metrics: string[]; params: string[] }, max = 6): DataColumn[] {
  const metrics = keys.metrics.slice(0, Math.ceil(max / 2)).map((key) => ({ group: 'metrics' as const, key }));
  const params = keys.params.slice(0, max - metrics.length).map((key) => ({ group: 'params' as const, key }));
  return [...metrics, ...params];
}
