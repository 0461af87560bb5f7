/** Linear warmup to `peak`, then linear decay to zero at `total` (the HF "linear" schedule). */
export function learningRateAt(step: number, peak: number, warmup: number, total: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  return peak * Math.max(0, (total - step) / Math.max(1, total - warmup));
}
