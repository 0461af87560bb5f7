/** Axis helpers for the benchmark charts, pure so their edge cases (one point, a narrow range) are tested. */

/**
 * A log-scale domain around positive values with some room either side: a factor of `pad` beyond
 * the extremes, and at least one decade wide so a single point or a narrow cluster still gets ticks.
 * Non-positive and non-finite values cannot sit on a log axis and are ignored; none left gives [1, 10].
 */
export function logDomain(values: readonly number[], pad = 1.6): [number, number] {
  const usable = values.filter((v) => Number.isFinite(v) && v > 0);
  if (usable.length === 0) return [1, 10];
  let lo = Math.min(...usable) / pad;
  let hi = Math.max(...usable) * pad;
  if (hi / lo < 10) {
    const mid = Math.sqrt(lo * hi);
    lo = mid / Math.sqrt(10);
    hi = mid * Math.sqrt(10);
  }
  return [lo, hi];
}

/**
 * Which of a log scale's candidate ticks to label: the powers of ten when at least two fall inside,
 * else the candidates themselves (d3 gives 1–9 multiples in a narrow range), thinned to at most
 * `max` so the labels never touch on a phone.
 */
export function pickLogTicks(candidates: readonly number[], max: number): number[] {
  const decades = candidates.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const base = decades.length >= 2 ? decades : [...candidates];
  if (base.length <= max) return base;
  const step = Math.ceil(base.length / max);
  return base.filter((_, i) => i % step === 0);
}

/** An error bar's ends, mean ± std, kept within [lo, hi] (exact match cannot leave [0, 1]). */
export function whisker(mean: number, std: number, lo: number, hi: number): [number, number] {
  const s = Number.isFinite(std) ? Math.abs(std) : 0;
  return [Math.max(lo, mean - s), Math.min(hi, mean + s)];
}
