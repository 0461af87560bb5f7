'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { BenchmarkScatter, type ScatterDatum } from './BenchmarkScatter';
import { ErrorBars, type ErrorBar } from './ErrorBars';
import { fixed, formatBinaryBytes, formatCompactCount, formatInt, formatMeanStd, formatReached } from './format';
import { paretoFront } from './pareto';
import { SortHeader } from './SortHeader';
import { nextSort, type SortDir } from './sort';
import { filterToy, sortToy, tasksWithRows, type ToyPoint, type ToySortKey } from './toy-view';

export interface TaskInfo {
  id: string;
  name: string;
  description: string;
  /** Held-out exact match a run aims for. */
  target: number;
}

interface Props {
  points: ToyPoint[];
  /** Every toy task, in the tasks' own order; those without rows are listed as such. */
  tasks: TaskInfo[];
  /** Category ids with their labels, in display order. */
  categories: { id: string; label: string }[];
}

type XAxis = 'trainable' | 'memory';

/** A column's first click sorts best first: higher exact match and reach rate, lower costs. */
const FIRST_DIR: Record<ToySortKey, SortDir> = {
  name: 'asc',
  category: 'asc',
  trainable: 'asc',
  metric: 'desc',
  reached: 'desc',
  steps: 'asc',
  seconds: 'asc',
  msPerStep: 'asc',
  memory: 'asc',
};
type BarMetric = 'metric' | 'seconds' | 'steps';

// w-full on a phone: a long option (a setup's label) must not widen the page.
const selectClass = 'w-full max-w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm sm:w-auto dark:border-slate-600 dark:bg-slate-900';
const CELL = 'py-2 pl-3 pr-3 align-top first:pl-0';
const NUM = `${CELL} text-right tabular-nums whitespace-nowrap`;
const STICKY = 'sticky left-0 z-10 bg-white dark:bg-slate-950';

const X_AXES: Record<XAxis, { label: string; axis: string; value: (p: ToyPoint) => number; format: (v: number) => string }> = {
  trainable: { label: 'Trainable parameters', axis: 'Trainable parameters (log scale)', value: (p) => p.trainable, format: formatCompactCount },
  memory: { label: 'Peak tensor memory', axis: 'Peak tensor memory (log scale)', value: (p) => p.peakTensorBytes, format: formatBinaryBytes },
};

/** The toy benchmark explorer: task and category filters, the cost–quality scatter with its
 * Pareto front, bars with ± std whiskers, and the sortable table that is also the charts' text
 * alternative. */
export function ToyExplorer({ points, tasks, categories }: Props) {
  const withRows = useMemo(() => tasksWithRows(points, tasks.map((t) => t.id)), [points, tasks]);
  const present = useMemo(() => categories.filter((c) => points.some((p) => p.category === c.id)), [categories, points]);
  const [task, setTask] = useState(withRows[0] ?? tasks[0]?.id ?? '');
  const [shownCategories, setShownCategories] = useState<string[]>(() => present.map((c) => c.id));
  const [xAxis, setXAxis] = useState<XAxis>('trainable');
  const [barMetric, setBarMetric] = useState<BarMetric>('metric');
  const [sort, setSort] = useState<{ key: ToySortKey; dir: SortDir }>({ key: 'metric', dir: 'desc' });

  const taskInfo = tasks.find((t) => t.id === task);
  const onTask = useMemo(() => points.filter((p) => p.task === task), [points, task]);
  const shown = useMemo(() => filterToy(points, { task, categories: shownCategories }), [points, task, shownCategories]);
  const rows = useMemo(() => sortToy(shown, sort.key, sort.dir), [shown, sort]);
  const axis = X_AXES[xAxis];
  const front = new Set(paretoFront(shown.map((p) => ({ id: p.method, x: axis.value(p), y: p.finalMetric.mean }))).map((p) => p.id));
  const labelOf = (id: string) => categories.find((c) => c.id === id)?.label ?? id;
  const onSort = (key: ToySortKey) => setSort((s) => nextSort(s, key, FIRST_DIR[key]));
  const toggleCategory = (id: string, on: boolean) => setShownCategories((cs) => (on ? [...cs, id] : cs.filter((c) => c !== id)));

  if (points.length === 0) {
    return <p className="text-slate-700 dark:text-slate-300">The toy benchmark file has no rows yet.</p>;
  }

  const scatter: ScatterDatum[] = shown.map((p) => ({
    id: p.method,
    label: p.name,
    category: p.category,
    x: axis.value(p),
    y: p.finalMetric.mean,
    yStd: p.finalMetric.std,
    n: p.finalMetric.n,
    details: [
      ['Category', labelOf(p.category)],
      ['Task', taskInfo?.name ?? p.task],
      ['Exact match', `${formatMeanStd(p.finalMetric, 3)} (${p.finalMetric.n} seed${p.finalMetric.n === 1 ? '' : 's'})`],
      ['Reached target', formatReached(p.reached, p.runs)],
      ['Steps to target', formatMeanStd(p.stepsToTarget, 0)],
      ['Seconds to target', formatMeanStd(p.secondsToTarget, 1)],
      ['ms per step', formatMeanStd(p.msPerStep, 1)],
      ['Peak tensor memory', formatBinaryBytes(p.peakTensorBytes)],
      ['Trainable', formatInt(p.trainable)],
    ],
  }));

  return (
    <div>
      <form className="grid grid-cols-1 items-end gap-3 sm:flex sm:flex-wrap" onSubmit={(e) => e.preventDefault()}>
        <label className="flex min-w-0 flex-col text-sm">
          Task
          <select value={task} onChange={(e) => setTask(e.target.value)} className={selectClass} data-testid="toy-task">
            {tasks.map((t) => (
              <option key={t.id} value={t.id} disabled={!withRows.includes(t.id)}>
                {t.name}
                {withRows.includes(t.id) ? '' : ' (no results yet)'}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="flex min-w-0 flex-wrap items-center gap-x-4 gap-y-1 text-sm" data-testid="toy-categories">
          <legend className="mb-1 text-sm">Categories</legend>
          {present.map((c) => (
            <label key={c.id} className="inline-flex items-center gap-1.5">
              <input type="checkbox" checked={shownCategories.includes(c.id)} onChange={(e) => toggleCategory(c.id, e.target.checked)} data-category={c.id} />
              <CategoryBadge category={c.id} label={c.label} />
              <span className="text-slate-500 dark:text-slate-400">({onTask.filter((p) => p.category === c.id).length})</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="flex min-w-0 flex-wrap items-center gap-2 text-sm">
          <legend className="mb-1 text-sm">Horizontal axis</legend>
          {(Object.keys(X_AXES) as XAxis[]).map((k) => (
            <label
              key={k}
              className="cursor-pointer rounded-md border border-slate-300 px-2 py-1 has-[:checked]:border-brand-700 has-[:checked]:bg-brand-50 has-[:checked]:font-semibold has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-700 dark:border-slate-600 dark:has-[:checked]:border-brand-300 dark:has-[:checked]:bg-slate-800"
            >
              <input type="radio" name="toy-x-axis" value={k} checked={xAxis === k} onChange={() => setXAxis(k)} className="sr-only" data-testid={`toy-x-${k}`} />
              {X_AXES[k].label}
            </label>
          ))}
        </fieldset>
      </form>

      <p className="mt-3 text-sm text-slate-600 dark:text-slate-400" aria-live="polite" data-testid="toy-count">
        Showing {shown.length} of {onTask.length} method{onTask.length === 1 ? '' : 's'} on {taskInfo?.name ?? task}
        {taskInfo ? ` (target exact match ${taskInfo.target.toFixed(2)})` : ''}.
      </p>

      {onTask.length === 0 ? (
        <p className="mt-3 rounded-md border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700" data-testid="toy-no-rows">
          No method has been benchmarked on this task yet.
        </p>
      ) : (
        <>
          <div className="mt-3">
            <BenchmarkScatter
              title={`${axis.label} against final exact match on ${taskInfo?.name ?? task}, one point per method, with the Pareto front`}
              points={scatter}
              xLabel={axis.axis}
              yLabel="Final exact match (mean)"
              formatX={axis.format}
              target={taskInfo ? { value: taskInfo.target, label: `target ${taskInfo.target.toFixed(2)}` } : undefined}
            />
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
              Each point is a method&apos;s mean over seeds, its whisker ± one standard deviation; the step line joins the Pareto front (no other shown method
              is both cheaper on this axis and at least as accurate), whose points are labelled. Hover or focus a point for its figures (arrow keys move
              between points); the table below lists the same figures.
            </p>
          </div>

          <section aria-labelledby="toy-bars-heading" className="mt-6">
            <div className="flex flex-wrap items-end justify-between gap-2">
              <h3 id="toy-bars-heading" className="text-lg font-semibold">
                Per method
              </h3>
              <label className="flex min-w-0 flex-col text-sm">
                Bar value
                <select value={barMetric} onChange={(e) => setBarMetric(e.target.value as BarMetric)} className={selectClass} data-testid="toy-bar-metric">
                  <option value="metric">Final exact match</option>
                  <option value="seconds">Seconds to target</option>
                  <option value="steps">Steps to target</option>
                </select>
              </label>
            </div>
            <div className="mt-2">
              {shown.length > 0 ? <ErrorBars {...barsFor(shown, barMetric, taskInfo)} /> : <p className="text-sm">No method of the selected categories to show.</p>}
            </div>
          </section>

          <div className="relative mt-6 overflow-x-auto" role="region" aria-label="Toy benchmark table" tabIndex={0} data-testid="toy-table-scroll">
            <table className="w-full min-w-[52rem] border-collapse text-left text-sm" data-testid="toy-table">
              <caption className="sr-only">Toy benchmark results on {taskInfo?.name ?? task}, one row per method; sortable by each column.</caption>
              <thead>
                <tr className="border-b border-slate-300 dark:border-slate-700">
                  <SortHeader sortKey="name" label="Method" current={sort} onSort={onSort} className={STICKY} />
                  <SortHeader sortKey="category" label="Category" current={sort} onSort={onSort} />
                  <SortHeader sortKey="trainable" label="Trainable" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="metric" label="Exact match" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="reached" label="Reached target" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="steps" label="Steps to target" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="seconds" label="Seconds to target" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="msPerStep" label="ms / step" current={sort} onSort={onSort} numeric />
                  <SortHeader sortKey="memory" label="Peak memory" current={sort} onSort={onSort} numeric />
                  <th scope="col" className="py-2 pl-3 align-bottom font-semibold">
                    Pareto
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={10} className={`${CELL} text-slate-600 dark:text-slate-400`}>
                      No method of the selected categories.
                    </td>
                  </tr>
                )}
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
                    <td className={NUM} data-col="trainable" data-value={p.trainable}>
                      {formatInt(p.trainable)}
                    </td>
                    <td className={NUM} data-col="metric" data-value={p.finalMetric.mean}>
                      {formatMeanStd(p.finalMetric, 3)}
                    </td>
                    <td className={NUM} data-col="reached">
                      {formatReached(p.reached, p.runs)}
                    </td>
                    <td className={NUM} data-col="steps">
                      {formatMeanStd(p.stepsToTarget, 0)}
                    </td>
                    <td className={NUM} data-col="seconds">
                      {formatMeanStd(p.secondsToTarget, 1)}
                    </td>
                    <td className={NUM} data-col="ms-per-step">
                      {formatMeanStd(p.msPerStep, 1)}
                    </td>
                    <td className={NUM} data-col="memory" data-value={p.peakTensorBytes}>
                      {formatBinaryBytes(p.peakTensorBytes)}
                    </td>
                    <td className={CELL} data-col="pareto">
                      {front.has(p.method) ? (
                        <span>
                          <span aria-hidden="true">◆ </span>on the front
                        </span>
                      ) : (
                        <span className="text-slate-500 dark:text-slate-400">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Exact match: mean ± sample standard deviation over seeds. Steps and seconds to target: over the runs that reached the target only (“—” when
            none did). Pareto: on the front of {axis.label.toLowerCase()} against exact match among the methods shown.
          </p>
        </>
      )}
    </div>
  );
}

/** The bar chart's bars for one metric: exact match on [0, 1] best first; time to target fastest first,
 * methods that never reached it last with the reason. */
function barsFor(points: readonly ToyPoint[], metric: BarMetric, task: TaskInfo | undefined): Parameters<typeof ErrorBars>[0] {
  const taskName = task?.name ?? 'this task';
  if (metric === 'metric') {
    const bars: ErrorBar[] = [...points]
      .sort((a, b) => b.finalMetric.mean - a.finalMetric.mean || a.name.localeCompare(b.name))
      .map((p) => ({ id: p.method, label: p.name, category: p.category, value: p.finalMetric }));
    return {
      title: `Final exact match on ${taskName} per method, mean with ± std whiskers`,
      bars,
      format: (v) => fixed(v, 2),
      domain: [0, 1],
      marker: task ? { value: task.target, label: `the target, ${task.target.toFixed(2)}` } : undefined,
    };
  }
  const pick = (p: ToyPoint) => (metric === 'seconds' ? p.secondsToTarget : p.stepsToTarget);
  const bars: ErrorBar[] = [...points]
    .sort((a, b) => (pick(a)?.mean ?? Infinity) - (pick(b)?.mean ?? Infinity) || a.name.localeCompare(b.name))
    .map((p) => {
      const v = pick(p);
      return { id: p.method, label: p.name, category: p.category, value: v, missing: v ? undefined : `target not reached (0 of ${p.runs})` };
    });
  return {
    title: `${metric === 'seconds' ? 'Seconds' : 'Steps'} to the target on ${taskName} per method, over the runs that reached it, with ± std whiskers`,
    bars,
    format: metric === 'seconds' ? (v) => fixed(v, 1) : (v) => fixed(v, 0),
  };
}
