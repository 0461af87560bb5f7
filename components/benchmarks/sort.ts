/** Sorting shared by the benchmark tables. */

export type SortDir = 'asc' | 'desc';

/**
 * Compares two cell values in `dir` order; null (no value: a target never reached, a method that
 * cannot run) sorts after every value in both directions, so flipping the order never puts the
 * empty cells on top. Numbers compare numerically, strings by locale.
 */
export function compareNullsLast(a: number | string | null, b: number | string | null, dir: SortDir): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return dir === 'asc' ? order : -order;
}

/** The next sort state after a click on column `key`: the same column flips, a new one starts at `first`. */
export function nextSort<K extends string>(current: { key: K; dir: SortDir }, key: K, first: SortDir): { key: K; dir: SortDir } {
  if (current.key !== key) return { key, dir: first };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}
