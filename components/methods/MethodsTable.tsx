'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { CategoryBadge } from './CategoryBadge';
import { INFERENCE_LABELS, formatBytes, formatShare } from './cost-format';
import { DEFAULT_QUERY, filterAndSort, queryFromParams, queryToParams, type MethodRow, type SortKey, type TableQuery, type TableView } from './filter';

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
  /** The model the cost columns are computed on, e.g. "Llama 2 7B". */
  referenceName: string;
}

// In the taxonomy view the least essential columns hide on narrow screens; header and body cells
// of a column share one class so they hide together. The cost view scrolls inside its own box.
const SUBGROUP_CELL = 'hidden sm:table-cell';
const PAPER_CELL = 'hidden md:table-cell';

interface Column {
  key: SortKey | null;
  label: string;
  className?: string;
  numeric?: boolean;
}

const TAXONOMY_COLUMNS: Column[] = [
  { key: 'category', label: 'Category' },
  { key: 'subgroup', label: 'Subgroup', className: SUBGROUP_CELL },
  { key: 'year', label: 'Year' },
  { key: null, label: 'Paper', className: PAPER_CELL },
];

const COST_COLUMNS: Column[] = [
  { key: 'checkpoint', label: 'Checkpoint per task', numeric: true },
  { key: 'memory', label: 'Training memory vs full fine-tuning', numeric: true },
  { key: 'trainable', label: 'Trained share', numeric: true },
  { key: null, label: 'Backprop through backbone' },
  { key: null, label: 'Inference overhead', className: 'min-w-[8.5rem]' },
  { key: null, label: 'Mergeable' },
];

const selectClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900';
// The method column stays in view while the cost columns scroll sideways on a phone; the inset
// shadow is its right edge (a border would scroll away with border-collapse).
const STICKY = 'sticky left-0 z-10 bg-white dark:bg-slate-950';
const STICKY_EDGE = 'shadow-[inset_-1px_0_0_var(--color-slate-200)] dark:shadow-[inset_-1px_0_0_var(--color-slate-800)]';
const CELL = 'py-2 pl-3 pr-4 align-top';
const FIRST = 'py-2 pr-4 align-top';

/** Filterable, sortable list of every method; the filter state lives in the URL query. */
export function MethodsTable({ rows, categories, subgroups, surveys, years, referenceName }: Props) {
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

  const filters: { key: 'category' | 'subgroup' | 'survey' | 'since' | 'inference' | 'backprop'; label: string; options: Option[] }[] = [
    { key: 'category', label: 'Category', options: categories },
    { key: 'subgroup', label: 'Subgroup', options: subgroups },
    { key: 'survey', label: 'In the survey', options: surveys },
    { key: 'since', label: 'Published since', options: years },
    {
      key: 'inference',
      label: 'Inference overhead',
      options: [
        { value: 'none', label: 'None (unchanged or merged)' },
        { value: 'mergeable', label: 'Mergeable' },
        { value: 'overhead', label: 'Adds overhead' },
      ],
    },
    {
      key: 'backprop',
      label: 'Backprop through backbone',
      options: [
        { value: 'through', label: 'Yes' },
        { value: 'not-through', label: 'No' },
      ],
    },
  ];
  const columns = query.view === 'costs' ? COST_COLUMNS : TAXONOMY_COLUMNS;
  const sticky = query.view === 'costs' ? `${STICKY} ${STICKY_EDGE}` : STICKY;

  return (
    <div>
      {/* Two controls a row on a phone, so the table starts within the first screens. */}
      <form role="search" className="grid grid-cols-2 items-end gap-3 sm:flex sm:flex-wrap" onSubmit={(e) => e.preventDefault()}>
        <label className="col-span-2 flex flex-col text-sm">
          Search
          <input
            type="search"
            value={query.q}
            onChange={(e) => update({ q: e.target.value })}
            placeholder="Name or paper title"
            className={`${selectClass} sm:w-56`}
          />
        </label>
        {filters.map((f) => (
          <label key={f.key} className="flex min-w-0 flex-col text-sm">
            {f.label}
            <select value={query[f.key]} onChange={(e) => update({ [f.key]: e.target.value })} className={`${selectClass} w-full sm:w-auto`}>
              <option value="">All</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label className="flex items-center gap-2 py-1.5 text-sm">
          <input type="checkbox" checked={query.implemented === '1'} onChange={(e) => update({ implemented: e.target.checked ? '1' : '' })} />
          Implemented only
        </label>
        <button type="button" onClick={() => setQuery({ ...DEFAULT_QUERY, view: query.view })} className="rounded-md px-2 py-1.5 text-sm underline">
          Reset
        </button>
      </form>

      <div className="mt-4 flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600 dark:text-slate-400" aria-live="polite" data-testid="methods-count">
          Showing {shown.length} of {rows.length} methods
        </p>
        <fieldset className="flex flex-wrap items-center gap-2 text-sm">
          <legend className="sr-only">Columns</legend>
          <span aria-hidden="true" className="text-slate-600 dark:text-slate-400">
            Columns:
          </span>
          {(
            [
              ['taxonomy', 'Taxonomy and paper'],
              ['costs', `Costs on ${referenceName}`],
            ] as [TableView, string][]
          ).map(([view, label]) => (
            <label
              key={view}
              className="cursor-pointer rounded-md border border-slate-300 px-2 py-1 has-[:checked]:border-brand-700 has-[:checked]:bg-brand-50 has-[:checked]:font-semibold has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-700 dark:border-slate-600 dark:has-[:checked]:border-brand-300 dark:has-[:checked]:bg-slate-800"
            >
              <input type="radio" name="methods-columns" value={view} checked={query.view === view} onChange={() => update({ view })} className="sr-only" />
              {label}
            </label>
          ))}
        </fieldset>
      </div>

      <div className="relative mt-2 overflow-x-auto" role="region" aria-label="Methods table" tabIndex={0} data-testid="methods-scroll">
        <table className={`w-full border-collapse text-left text-sm ${query.view === 'costs' ? 'min-w-[46rem]' : ''}`}>
          <caption className="sr-only">
            {query.view === 'costs' ? `PEFT methods with their costs on ${referenceName}` : 'PEFT methods of the survey’s taxonomy'}
          </caption>
          <thead>
            <tr className="border-b border-slate-300 dark:border-slate-700">
              <SortHeader column={{ key: 'name', label: 'Method' }} query={query} sortBy={sortBy} className={sticky} />
              {columns.map((col) => (
                <SortHeader key={col.label} column={col} query={query} sortBy={sortBy} className={col.className ?? ''} />
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 dark:border-slate-800" data-method={r.id}>
                <th scope="row" className={`${FIRST} ${sticky} font-normal`}>
                  {/* A fixed width in the cost view: auto table layout would otherwise hand the
                      sticky column most of a phone's width. */}
                  <div className={query.view === 'costs' ? 'w-32 sm:w-48' : ''}>
                    <Link href={`/methods/${r.id}/`} className="font-medium text-brand-700 underline dark:text-brand-300">
                      {r.name}
                    </Link>
                    {!r.hasPage && <span className="ml-2 inline-block whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">(summary only)</span>}
                  </div>
                </th>
                {query.view === 'costs' ? <CostCells row={r} referenceName={referenceName} /> : <TaxonomyCells row={r} />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function SortHeader({ column, query, sortBy, className }: { column: Column; query: TableQuery; sortBy: (key: SortKey) => void; className: string }) {
  const { key, label } = column;
  return (
    <th
      scope="col"
      className={`py-2 pr-4 align-bottom font-semibold ${column.key === 'name' ? '' : 'pl-3'} ${column.numeric ? 'text-right' : ''} ${className}`}
      aria-sort={key && query.sort === key ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      {key ? (
        <button type="button" onClick={() => sortBy(key)} className={`hover:underline ${column.numeric ? 'text-right' : 'text-left'}`}>
          {label}
          <span aria-hidden="true">{query.sort === key ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
        </button>
      ) : (
        label
      )}
    </th>
  );
}

function TaxonomyCells({ row: r }: { row: MethodRow }) {
  return (
    <>
      <td className={CELL}>
        <CategoryBadge category={r.category} label={r.categoryLabel} />
      </td>
      <td className={`${CELL} ${SUBGROUP_CELL}`}>{r.subgroupLabel}</td>
      <td className={`${CELL} tabular-nums`}>{r.year ?? '—'}</td>
      <td className={`${CELL} ${PAPER_CELL}`}>
        {r.paperTitle && r.paperUrl ? (
          <a href={r.paperUrl} className="underline">
            {r.paperTitle}
          </a>
        ) : (
          (r.paperTitle ?? '—')
        )}
      </td>
    </>
  );
}

const yesNo = (v: boolean) => (v ? 'Yes' : 'No');
const muted = 'block text-xs text-slate-600 dark:text-slate-400';

function CostCells({ row, referenceName }: { row: MethodRow; referenceName: string }) {
  const c = row.cost;
  if (!c) {
    return (
      <td colSpan={COST_COLUMNS.length} className={`${CELL} text-slate-600 dark:text-slate-400`} data-testid="not-implemented">
        <span aria-hidden="true">— </span>not implemented yet, so no figures
      </td>
    );
  }
  return (
    <>
      <td className={`${CELL} text-right tabular-nums`} data-col="checkpoint" data-value={c.checkpointBytes}>
        {formatBytes(c.checkpointBytes)}
      </td>
      <td className={`${CELL} text-right tabular-nums`} data-col="memory" data-value={c.memoryVsFull}>
        {formatShare(c.memoryVsFull)}
        <span className={muted}>{formatBytes(c.memoryBytes)}</span>
      </td>
      <td className={`${CELL} text-right tabular-nums`} data-col="trainable" data-value={c.trainableShare}>
        {formatShare(c.trainableShare)}
        {c.trainableParams === 0 && <span className={muted}>nothing to train on {referenceName}</span>}
      </td>
      <td className={CELL} data-col="backprop">
        {yesNo(c.backpropThroughBackbone)}
      </td>
      <td className={CELL} data-col="inference">
        {INFERENCE_LABELS[c.inference]}
        {c.extraInferenceShare > 0 && <span className={muted}>+{formatShare(c.extraInferenceShare)} FLOPs per token</span>}
      </td>
      <td className={CELL} data-col="mergeable">
        {yesNo(c.mergeable)}
      </td>
    </>
  );
}
