/** Words and numbers for the methods table's cost columns; pure, so the client bundle stays small. */

import type { InferenceKind } from '@/lib/content/method-costs';

export const INFERENCE_LABELS: Record<InferenceKind, string> = {
  unchanged: 'None',
  mergeable: 'None once merged',
  'extra-modules': 'Extra modules',
  'longer-input': 'Longer input',
};

/** A share as a percentage with two significant digits below 1% (0.062%, 0.00049%), so the tiny
 * shares PEFT methods train stay distinguishable instead of rounding to 0.0%. */
export function formatShare(share: number): string {
  if (share === 0) return '0%';
  const pct = share * 100;
  if (pct >= 10) return `${pct.toFixed(0)}%`;
  if (pct >= 1) return `${pct.toFixed(1)}%`;
  if (pct < 1e-6) return '< 0.000001%';
  return `${Number(pct.toPrecision(2))}%`;
}

/** Decimal units (as GPU memory and disks are sold): 16.8 MB, 4.0 KB, 27.0 GB. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
