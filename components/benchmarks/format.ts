/** Number formats of the benchmark explorer: every one returns "—" for a missing or non-finite value,
 * so no NaN or Infinity ever reaches the page. */

import type { MeanStd } from './toy-view';

const DASH = '—';

export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits);
}

/** "0.852 ± 0.031" (the ± part left out for a single seed, whose std says nothing). */
export function formatMeanStd(s: MeanStd | null, digits: number): string {
  if (!s || !Number.isFinite(s.mean)) return DASH;
  return s.n > 1 && Number.isFinite(s.std) ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** "3 of 5" runs. */
export function formatReached(reached: number, runs: number): string {
  return `${reached} of ${runs}`;
}

/** A whole count with separators: 104,960. */
export function formatInt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : Math.round(v).toLocaleString('en-US');
}

/** Binary units for the toy's tensor memory (KiB, MiB), as the playground reports it. */
export function formatBinaryBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return DASH;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Compact counts for axes and labels: 12.3 K, 4.19 M, 6.74 B. */
export function formatCompactCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  for (const [size, unit] of [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ] as const) {
    if (Math.abs(n) >= size) return `${(n / size).toPrecision(3)} ${unit}`;
  }
  return String(Math.round(n));
}

/** A signed relative difference: "+2.1%", "−0.4%". */
export function formatRelative(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return DASH;
  const pct = share * 100;
  const text = Math.abs(pct) < 0.1 ? Math.abs(pct).toPrecision(2) : Math.abs(pct).toFixed(1);
  return `${share < 0 ? '−' : '+'}${text}%`;
}
