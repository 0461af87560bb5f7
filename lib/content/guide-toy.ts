import { loadToyBenchmark } from '@/lib/datasets/load';
import type { ToyBenchmark } from '@/lib/datasets/toy-benchmark';
import type { ToyResults, ToyResult } from '@/lib/peft/guide';

/**
 * The measured toy benchmark reduced to what the guide scores: each method's held-out exact match
 * per toy task (mean ± std over seeds). Server-side (zod): the page hands the plain result to the
 * client component. A method or task missing from the file is simply absent: the guide says
 * "not measured on the toy yet" instead of guessing.
 */

export function toyResultsFrom(data: Pick<ToyBenchmark, 'rows'>): ToyResults {
  const byMethod: Record<string, ToyResult[]> = {};
  for (const row of data.rows) {
    const list = (byMethod[row.method] ??= []);
    // One row per method and task; a repeated pair (a second config) keeps the first, as listed.
    if (list.some((r) => r.task === row.task)) continue;
    const { mean, std, n } = row.summary.finalMetric;
    list.push({ task: row.task, mean, std, n });
  }
  for (const list of Object.values(byMethod)) list.sort((a, b) => a.task.localeCompare(b.task));
  return byMethod;
}

/** The file as validated; throws a ContentError naming the field when it breaks the schema. */
export function loadToyResults(): ToyResults {
  return toyResultsFrom(loadToyBenchmark());
}
