'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { StackedBars, type StackSegment } from '@/components/charts/StackedBars';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { formatGB } from '@/components/format';
import { COST_SORT_KEYS, selectCosts, unpackCosts, type CostSortKey, type PackedCosts } from './cost-view';
import { formatCompactCount, formatInt } from './format';
import { SortHeader } from './SortHeader';
import { nextSort, type SortDir } from './sort';

interface Props {
  /** Every row, packed on the server (see packCosts). */
  packed: PackedCosts;
  models: { id: string; name: string; totalParams: number }[];
  setups: { id: string; label: string }[];
  categories: { id: string; label: string }[];
}

/** The dataset's memory parts, in stacking order; the colours follow the calculator's chart. */
const SEGMENTS: readonly (StackSegment & { key: 'weights' | 'gradients' | 'optimizer' | 'activations' | 'other' })[] = [
  { key: 'weights', label: 'weights', color: '#64748b' },
  { key: 'gradients', label: 'gradients', color: '#f59e0b' },
  { key: 'optimizer', label: 'optimizer state', color: '#ef4444' },
  { key: 'activations', label: 'activations', color: '#3b82f6' },
  { key: 'other', label: 'other', color: '#a855f7' },
];

// w-full on a phone: a long option (a setup's label) must not widen the page.
const selectClass = 'w-full max-w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm sm:w-auto dark:border-slate-600 dark:bg-slate-900';
const CELL = 'py-2 pl-3 pr-3 align-top first:pl-0';
const NUM = `${CELL} text-right tabular-nums whitespace-nowrap`;
const STICKY = 'sticky left-0 z-10 bg-white dark:bg-slate-950';
const FIRST_DIR: Record<CostSortKey, SortDir> = { name: 'asc', category: 'asc', trainable: 'asc', memory: 'asc', checkpoint: 'asc' };

const share = (part: number, whole: number) => (whole > 0 && Number.isFinite(part / whole) ? `${((part / whole) * 100).toPrecision(2)}%` : '—');

/** Analytic costs of every method on one model under one training setup: sortable, filterable by
 * category, with the memory breakdown as stacked bars in the table's order. */
export function CostExplorer({ packed, models, setups, categories }: Props) {
  const points = useMemo(() => unpackCosts(packed), [packed]);
  const [model, setModel] = useState(models[0]?.id ?? '');
  const [setup, setSetup] = useState(setups[0]?.id ?? '');
  const [category, setCategory] = useState('');
  const [sort, setSort] = useState<{ key: CostSortKey; dir: SortDir }>({ key: 'memory', dir: 'asc' });
  const rows = useMemo(
    () => selectCosts(points, model, setup, sort.key, sort.dir).filter((p) => category === '' || p.category === category),
    [points, model, setup, sort, category],
  );
  const labelOf = (id: string) => categories.find((c) => c.id === id)?.label ?? id;
  const onSort = (key: CostSortKey) => setSort((s) => nextSort(s, key, FIRST_DIR[key]));
  const modelInfo = models.find((m) => m.id === model);
  const setupInfo = setups.find((s) => s.id === setup);
  const charted = rows.filter((r) => r.problem === null);

  if (points.length === 0) return <p className="text-slate-700 dark:text-slate-300">The analytic-cost file has no rows yet.</p>;

  return (
    <div>
      <form className="grid grid-cols-1 items-end gap-3 sm:flex sm:flex-wrap" onSubmit={(e) => e.preventDefault()}>
        <label className="flex min-w-0 flex-col text-sm">
          Model
          <select value={model} onChange={(e) => setModel(e.target.value)} className={selectClass} data-testid="cost-model">
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex min-w-0 flex-col text-sm">
          Training setup
          <select value={setup} onChange={(e) => setSetup(e.target.value)} className={selectClass} data-testid="cost-setup">
            {setups.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex min-w-0 flex-col text-sm">
          Category
          <select value={category} onChange={(e) => setCategory(e.target.value)} className={selectClass} data-testid="cost-category">
            <option value="">All</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p className="mt-3 text-sm text-slate-600 dark:text-slate-400" aria-live="polite" data-testid="cost-count">
        {rows.length} methods on {modelInfo?.name ?? model}
        {modelInfo ? ` (${formatCompactCount(modelInfo.totalParams)} parameters)` : ''}, {setupInfo?.label ?? setup}.
      </p>

      {rows.length === 0 ? (
        <p className="mt-3 rounded-md border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700">No rows for this model, setup and category.</p>
      ) : (
        <>
          <div className="relative mt-3 overflow-x-auto" role="region" aria-label="Analytic costs table" tabIndex={0} data-testid="cost-table-scroll">
            <table className="w-full min-w-[44rem] border-collapse text-left text-sm" data-testid="cost-table">
              <caption className="sr-only">
                Trainable parameters, training memory and checkpoint size of each method on {modelInfo?.name ?? model}; sortable.
              </caption>
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  {COST_SORT_KEYS.map((key) => (
                    <SortHeader
                      key={key}
                      sortKey={key}
                      label={{ name: 'Method', category: 'Category', trainable: 'Trainable', memory: 'Training memory', checkpoint: 'Checkpoint' }[key]}
                      current={sort}
                      onSort={onSort}
                      numeric={key !== 'name' && key !== 'category'}
                      className={key === 'name' ? STICKY : ''}
                    />
                  ))}
                  <th scope="col" className="py-2 pl-3 align-bottom font-semibold">
                    Settings
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.method} className="border-b border-slate-100 dark:border-slate-800" data-method={p.method}>
                    <th scope="row" className={`${CELL} ${STICKY} font-normal`}>
                      <Link href={`/methods/${p.method}/`} className="font-medium text-brand-700 underline dark:text-brand-300">
                        {p.name}
                      </Link>
                    </th>
                    <td className={CELL}>
                      <CategoryBadge category={p.category} label={labelOf(p.category)} />
                    </td>
                    {p.problem ? (
                      <td colSpan={3} className={`${CELL} text-slate-600 dark:text-slate-400`} data-testid="cost-problem">
                        Cannot run here: {p.problem}
                      </td>
                    ) : (
                      <>
                        <td className={NUM} data-col="trainable" data-value={p.trainable}>
                          {formatInt(p.trainable)}
                          <span className="block text-xs text-slate-600 dark:text-slate-400">{share(p.trainable, p.total)} of {formatCompactCount(p.total)}</span>
                        </td>
                        <td className={NUM} data-col="memory" data-value={p.memory.total}>
                          {formatGB(p.memory.total)}
                        </td>
                        <td className={NUM} data-col="checkpoint" data-value={p.checkpointBytes}>
                          {formatGB(p.checkpointBytes)}
                        </td>
                      </>
                    )}
                    <td className={`${CELL} text-xs text-slate-600 dark:text-slate-400`}>{p.settings || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details className="mt-4" open>
            <summary className="cursor-pointer text-sm font-semibold">Training memory by part, in the table&apos;s order</summary>
            <div className="mt-2">
              {charted.length > 0 ? (
                <StackedBars
                  title={`Training memory of each method on ${modelInfo?.name ?? model}, split into weights, gradients, optimizer state, activations and other`}
                  segments={SEGMENTS}
                  bars={charted.map((p) => ({ label: p.name, values: Object.fromEntries(SEGMENTS.map((s) => [s.key, p.memory[s.key]])) }))}
                  format={formatGB}
                />
              ) : (
                <p className="text-sm">No method in this selection can run on this model.</p>
              )}
            </div>
          </details>
        </>
      )}
    </div>
  );
}
