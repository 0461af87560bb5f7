import type { Spread } from './provenance';
import type { ToyRow, ToyRun } from './toy-benchmark';

/** Rounded for the JSON file; the tests recompute with the same rounding, so equality is exact. */
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Mean and sample standard deviation (n − 1; 0 for one value), or null for no values. */
export function spread(values: readonly number[]): Spread | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean: round(mean), std: round(Math.sqrt(variance)), n };
}

/** ToyRow.summary over a row's runs: every run for the final metric, ms/step and peak memory; the
 * runs that reached the target for steps and seconds to it. */
export function summarise(runs: readonly ToyRun[]): ToyRow['summary'] {
  if (runs.length === 0) throw new Error('summarise needs at least one run');
  const reachedRuns = runs.filter((r) => r.stepsToTarget !== null && r.secondsToTarget !== null);
  return {
    finalMetric: spread(runs.map((r) => r.finalMetric)) as Spread,
    msPerStep: spread(runs.map((r) => r.msPerStepMedian)) as Spread,
    reached: reachedRuns.length,
    stepsToTarget: spread(reachedRuns.map((r) => r.stepsToTarget as number)),
    secondsToTarget: spread(reachedRuns.map((r) => r.secondsToTarget as number)),
    peakTensorBytes: Math.max(...runs.map((r) => r.peakTensorBytes)),
  };
}
