/** Pure filtering and sorting for the methods table, kept apart so it can be unit-tested. */

import type { MethodRow } from '@/lib/content/catalogue';

export type { MethodRow };

export interface TableQuery {
  q: string;
  category: string;
  subgroup: string;
  survey: string;
  /** Earliest publication year to show, as a string ('' = any). */
  since: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

export const SORT_KEYS = ['name', 'category', 'subgroup', 'year'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const DEFAULT_QUERY: TableQuery = { q: '', category: '', subgroup: '', survey: '', since: '', sort: 'category', dir: 'asc' };

const CATEGORY_ORDER = ['baseline', 'additive', 'selective', 'reparametrization', 'hybrid'];

function compare(a: MethodRow, b: MethodRow, key: SortKey): number {
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

export function filterAndSort(rows: readonly MethodRow[], query: TableQuery): MethodRow[] {
  const needle = query.q.trim().toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!query.category || r.category === query.category) &&
      (!query.subgroup || r.subgroup === query.subgroup) &&
      (!query.survey || r.survey === query.survey) &&
      (!query.since || (r.year !== null && r.year >= Number(query.since))) &&
      (!needle || `${r.name} ${r.id} ${r.paperTitle ?? ''}`.toLowerCase().includes(needle)),
  );
  const sign = query.dir === 'asc' ? 1 : -1;
  // Ties fall back to name so the order is stable and predictable.
  return kept.sort((a, b) => sign * compare(a, b, query.sort) || a.name.localeCompare(b.name));
}

/** Read a query from URL search params, ignoring values that are not allowed. */
export function queryFromParams(params: URLSearchParams): TableQuery {
  const sort = params.get('sort');
  return {
    q: params.get('q') ?? '',
    category: params.get('category') ?? '',
    subgroup: params.get('subgroup') ?? '',
    survey: params.get('survey') ?? '',
    since: /^\d{4}$/.test(params.get('since') ?? '') ? (params.get('since') as string) : '',
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
