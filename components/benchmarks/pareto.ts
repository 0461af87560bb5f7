/**
 * The Pareto front of a cost–quality scatter: the points no other point beats on both axes at once
 * (cost x lower is better, quality y higher is better). Pure, so the chart and the table agree and
 * the tests can check it without a browser.
 */

export interface CostQuality {
  /** Lower is better: trainable parameters, or peak memory. */
  x: number;
  /** Higher is better: exact match. */
  y: number;
}

/** True when `a` is at least as good as `b` on both axes and strictly better on one. */
export function dominates(a: CostQuality, b: CostQuality): boolean {
  return a.x <= b.x && a.y >= b.y && (a.x < b.x || a.y > b.y);
}

/**
 * The points on the front, by cost ascending (ties by quality ascending, so a step line through
 * them never turns back). Identical points do not dominate each other, so both stay. Points with a
 * non-finite coordinate are left out: they cannot be placed on the chart either.
 * O(n²): the benchmark has at most a few dozen methods per task.
 */
export function paretoFront<P extends CostQuality>(points: readonly P[]): P[] {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  return finite.filter((p) => !finite.some((q) => dominates(q, p))).sort((a, b) => a.x - b.x || a.y - b.y);
}
