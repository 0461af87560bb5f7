/**
 * The toy benchmark as the explorer's client components receive it: plain, serialisable numbers
 * built on the server from validated ToyBenchmark rows (zod and the registry stay on the server),
 * plus the pure filtering and sorting the explorer applies to them.
 */

import type { ToyRow } from '@/lib/datasets/toy-benchmark';
import { compareNullsLast, type SortDir } from './sort';

/** Mean, sample std and number of seeds (the dataset's Spread). */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

export interface ToyPoint {
  method: string;
  name: string;
  /** Taxonomy category id ('baseline' for full fine-tuning). */
  category: string;
  task: string;
  trainable: number;
  total: number;
  baseMetric: number;
  finalMetric: MeanStd;
  /** Runs that reached the task's target, of `runs`. */
  reached: number;
  runs: number;
  stepsToTarget: MeanStd | null;
  secondsToTarget: MeanStd | null;
  msPerStep: MeanStd;
  peakTensorBytes: number;
  learningRate: number;
}

export interface MethodMeta {
  name: string;
  category: string;
}

/** One ToyPoint per dataset row; a method the lookup does not know keeps its id as its name. */
export function toToyPoints(rows: readonly ToyRow[], meta: (id: string) => MethodMeta | undefined): ToyPoint[] {
  return rows.map((r) => {
    const m = meta(r.method);
    return {
      method: r.method,
      name: m?.name ?? r.method,
      category: m?.category ?? 'uncategorised',
      task: r.task,
      trainable: r.trainable,
      total: r.total,
      baseMetric: r.baseMetric,
      finalMetric: { ...r.summary.finalMetric },
      reached: r.summary.reached,
      runs: r.runs.length,
      stepsToTarget: r.summary.stepsToTarget ? { ...r.summary.stepsToTarget } : null,
      secondsToTarget: r.summary.secondsToTarget ? { ...r.summary.secondsToTarget } : null,
      msPerStep: { ...r.summary.msPerStep },
      peakTensorBytes: r.summary.peakTensorBytes,
      learningRate: r.learningRate,
    };
  });
}

export interface ToyFilter {
  task: string;
  /** Categories to show; a point whose category is not listed is hidden. */
  categories: readonly string[];
}

export function filterToy(points: readonly ToyPoint[], filter: ToyFilter): ToyPoint[] {
  const shown = new Set(filter.categories);
  return points.filter((p) => p.task === filter.task && shown.has(p.category));
}

/** The tasks that have at least one row, in the order given (the tasks' own order). */
export function tasksWithRows(points: readonly ToyPoint[], order: readonly string[]): string[] {
  const present = new Set(points.map((p) => p.task));
  return order.filter((t) => present.has(t));
}

export const TOY_SORT_KEYS = ['name', 'category', 'trainable', 'metric', 'reached', 'steps', 'seconds', 'msPerStep', 'memory'] as const;
export type ToySortKey = (typeof TOY_SORT_KEYS)[number];

/** The value a column sorts by; null (never reached the target) sorts last either way. */
export function toySortValue(p: ToyPoint, key: ToySortKey): number | string | null {
  switch (key) {
    case 'name':
      return p.name.toLowerCase();
    case 'category':
      return p.category;
    case 'trainable':
      return p.trainable;
    case 'metric':
      return p.finalMetric.mean;
    case 'reached':
      return p.runs > 0 ? p.reached / p.runs : null;
    case 'steps':
      return p.stepsToTarget?.mean ?? null;
    case 'seconds':
      return p.secondsToTarget?.mean ?? null;
    case 'msPerStep':
      return p.msPerStep.mean;
    case 'memory':
      return p.peakTensorBytes;
  }
}

/** Sorted by `key`, ties broken by name so the order never depends on the file's order. */
export function sortToy(points: readonly ToyPoint[], key: ToySortKey, dir: SortDir): ToyPoint[] {
  return [...points].sort(
    (a, b) => compareNullsLast(toySortValue(a, key), toySortValue(b, key), dir) || a.name.localeCompare(b.name) || a.method.localeCompare(b.method),
  );
}
