/** Pure filtering and sorting for the methods table, kept apart so it can be unit-tested. */

import type { MethodRow } from '@/lib/content/catalogue';

export type { MethodRow };

/** Which group of columns the table shows besides the method's name. */
export const VIEWS = ['taxonomy', 'costs'] as const;
export type TableView = (typeof VIEWS)[number];

/** Inference filter: no overhead at all (unchanged or merged), mergeable only, or some overhead. */
export const INFERENCE_FILTERS = ['none', 'mergeable', 'overhead'] as const;
/** Backprop filter: gradients pass through the frozen backbone, or they do not. */
export const BACKPROP_FILTERS = ['through', 'not-through'] as const;

export interface TableQuery {
  q: string;
  category: string;
  subgroup: string;
  survey: string;
  /** Earliest publication year to show, as a string ('' = any). */
  since: string;
  /** '' or one of INFERENCE_FILTERS. */
  inference: string;
  /** '' or one of BACKPROP_FILTERS. */
  backprop: string;
  /** '1' keeps only implemented methods (those with computed costs). */
  implemented: string;
  view: TableView;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

export const SORT_KEYS = ['name', 'category', 'subgroup', 'year', 'checkpoint', 'memory', 'trainable'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const DEFAULT_QUERY: TableQuery = {
  q: '',
  category: '',
  subgroup: '',
  survey: '',
  since: '',
  inference: '',
  backprop: '',
  implemented: '',
  view: 'taxonomy',
  sort: 'category',
  dir: 'asc',
};

const CATEGORY_ORDER = ['baseline', 'additive', 'selective', 'reparametrization', 'hybrid'];

/** The number a numeric column sorts by; null for a method without computed costs. */
function numeric(r: MethodRow, key: 'checkpoint' | 'memory' | 'trainable'): number | null {
  if (!r.cost) return null;
  switch (key) {
    case 'checkpoint':
      return r.cost.checkpointBytes;
    case 'memory':
      return r.cost.memoryVsFull;
    case 'trainable':
      return r.cost.trainableShare;
  }
}

function compare(a: MethodRow, b: MethodRow, key: Exclude<SortKey, 'checkpoint' | 'memory' | 'trainable'>): number {
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name);
    case 'category':
      return CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category);
    case 'subgroup':
      return a.subgroupLabel.localeCompare(b.subgroupLabel);
    case 'year':
      // Methods without a paper (the baseline) sort before every year.
      return (a.year ?? 0) - (b.year ?? 0);
  }
}

function matchesInference(r: MethodRow, filter: string): boolean {
  if (!filter) return true;
  if (!r.cost) return false;
  const kind = r.cost.inference;
  if (filter === 'none') return kind === 'unchanged' || kind === 'mergeable';
  if (filter === 'mergeable') return r.cost.mergeable;
  return kind === 'extra-modules' || kind === 'longer-input';
}

function matchesBackprop(r: MethodRow, filter: string): boolean {
  if (!filter) return true;
  if (!r.cost) return false;
  return r.cost.backpropThroughBackbone === (filter === 'through');
}

export function filterAndSort(rows: readonly MethodRow[], query: TableQuery): MethodRow[] {
  const needle = query.q.trim().toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!query.category || r.category === query.category) &&
      (!query.subgroup || r.subgroup === query.subgroup) &&
      (!query.survey || r.survey === query.survey) &&
      (!query.since || (r.year !== null && r.year >= Number(query.since))) &&
      (!query.implemented || r.cost !== null) &&
      matchesInference(r, query.inference) &&
      matchesBackprop(r, query.backprop) &&
      (!needle || `${r.name} ${r.id} ${r.paperTitle ?? ''}`.toLowerCase().includes(needle)),
  );
  const sign = query.dir === 'asc' ? 1 : -1;
  const key = query.sort;
  if (key === 'checkpoint' || key === 'memory' || key === 'trainable') {
    // Methods without figures go last in both directions: "not implemented" is not a small number.
    return kept.sort((a, b) => {
      const [x, y] = [numeric(a, key), numeric(b, key)];
      if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a.name.localeCompare(b.name);
      return sign * (x - y) || a.name.localeCompare(b.name);
    });
  }
  // Ties fall back to name so the order is stable and predictable.
  return kept.sort((a, b) => sign * compare(a, b, key) || a.name.localeCompare(b.name));
}

const oneOf = (allowed: readonly string[], value: string | null): string => (value !== null && allowed.includes(value) ? value : '');

/** Read a query from URL search params, ignoring values that are not allowed. */
export function queryFromParams(params: URLSearchParams): TableQuery {
  const sort = params.get('sort');
  const view = params.get('view');
  return {
    q: params.get('q') ?? '',
    category: params.get('category') ?? '',
    subgroup: params.get('subgroup') ?? '',
    survey: params.get('survey') ?? '',
    since: /^\d{4}$/.test(params.get('since') ?? '') ? (params.get('since') as string) : '',
    inference: oneOf(INFERENCE_FILTERS, params.get('inference')),
    backprop: oneOf(BACKPROP_FILTERS, params.get('backprop')),
    implemented: params.get('implemented') === '1' ? '1' : '',
    view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as TableView) : DEFAULT_QUERY.view,
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_QUERY.sort,
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** Only non-default values go into the URL, so a plain /methods/ stays plain. */
export function queryToParams(query: TableQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULT_QUERY) as (keyof TableQuery)[]) {
    if (query[key] !== DEFAULT_QUERY[key]) params.set(key, query[key]);
  }
  return params;
}
