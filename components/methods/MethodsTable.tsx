'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { CategoryBadge } from './CategoryBadge';
import { DEFAULT_QUERY, filterAndSort, queryFromParams, queryToParams, type MethodRow, type SortKey, type TableQuery } from './filter';

interface Option {
  value: string;
  label: string;
}

interface Props {
  rows: MethodRow[];
  categories: Option[];
  subgroups: Option[];
  surveys: Option[];
  years: Option[];
}

// On narrow screens the least essential columns hide rather than forcing a sideways scroll;
// header and body cells of a column share one class so they hide together.
const SUBGROUP_CELL = 'hidden sm:table-cell';
const PAPER_CELL = 'hidden md:table-cell';

const COLUMNS: { key: SortKey | null; label: string; className: string }[] = [
  { key: 'name', label: 'Method', className: '' },
  { key: 'category', label: 'Category', className: '' },
  { key: 'subgroup', label: 'Subgroup', className: SUBGROUP_CELL },
  { key: 'year', label: 'Year', className: '' },
  { key: null, label: 'Paper', className: PAPER_CELL },
];

const selectClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900';

/** Filterable, sortable list of every method; the filter state lives in the URL query. */
export function MethodsTable({ rows, categories, subgroups, surveys, years }: Props) {
  const [query, setQuery] = useState<TableQuery>(DEFAULT_QUERY);

  // The page is static, so the URL is read after hydration rather than at build time.
  useEffect(() => setQuery(queryFromParams(new URLSearchParams(window.location.search))), []);
  useEffect(() => {
    const params = queryToParams(query).toString();
    window.history.replaceState(null, '', params ? `?${params}` : window.location.pathname);
  }, [query]);

  const shown = useMemo(() => filterAndSort(rows, query), [rows, query]);
  const update = (patch: Partial<TableQuery>) => setQuery((q) => ({ ...q, ...patch }));
  const sortBy = (key: SortKey) =>
    update({ sort: key, dir: query.sort === key && query.dir === 'asc' ? 'desc' : 'asc' });

  const filters: { key: 'category' | 'subgroup' | 'survey' | 'since'; label: string; options: Option[] }[] = [
    { key: 'category', label: 'Category', options: categories },
    { key: 'subgroup', label: 'Subgroup', options: subgroups },
    { key: 'survey', label: 'In the survey', options: surveys },
    { key: 'since', label: 'Published since', options: years },
  ];

  return (
    <div>
      <form role="search" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
        <label className="flex flex-col text-sm">
          Search
          <input
            type="search"
            value={query.q}
            onChange={(e) => update({ q: e.target.value })}
            placeholder="Name or paper title"
            className={`${selectClass} w-56`}
          />
        </label>
        {filters.map((f) => (
          <label key={f.key} className="flex flex-col text-sm">
            {f.label}
            <select value={query[f.key]} onChange={(e) => update({ [f.key]: e.target.value })} className={selectClass}>
              <option value="">All</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="button" onClick={() => setQuery(DEFAULT_QUERY)} className="rounded-md px-2 py-1.5 text-sm underline">
          Reset
        </button>
      </form>

      <p className="mt-4 text-sm text-slate-600 dark:text-slate-400" aria-live="polite" data-testid="methods-count">
        Showing {shown.length} of {rows.length} methods
      </p>

      <div className="mt-2 overflow-x-auto">
        <table className="w-full border-collapse text-left text-sm">
          <caption className="sr-only">PEFT methods of the survey&apos;s taxonomy</caption>
          <thead>
            <tr className="border-b border-slate-300 dark:border-slate-700">
              {COLUMNS.map((col) => (
                <th
                  key={col.label}
                  scope="col"
                  className={`py-2 pr-4 font-semibold ${col.className}`}
                  aria-sort={col.key && query.sort === col.key ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {col.key ? (
                    <button type="button" onClick={() => sortBy(col.key as SortKey)} className="hover:underline">
                      {col.label}
                      <span aria-hidden="true">{query.sort === col.key ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  ) : (
                    col.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-method={r.id}>
                <td className="py-2 pr-4">
                  <Link href={`/methods/${r.id}/`} className="font-medium text-brand-700 underline dark:text-brand-300">
                    {r.name}
                  </Link>
                  {!r.hasPage && <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">(summary only)</span>}
                </td>
                <td className="py-2 pr-4">
                  <CategoryBadge category={r.category} label={r.categoryLabel} />
                </td>
                <td className={`py-2 pr-4 ${SUBGROUP_CELL}`}>{r.subgroupLabel}</td>
                <td className="py-2 pr-4 tabular-nums">{r.year ?? '—'}</td>
                <td className={`py-2 pr-4 ${PAPER_CELL}`}>
                  {r.paperTitle && r.paperUrl ? (
                    <a href={r.paperUrl} className="underline">
                      {r.paperTitle}
                    </a>
                  ) : (
                    (r.paperTitle ?? '—')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
