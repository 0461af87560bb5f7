import type { StackSegment } from '@/components/charts/StackedBars';
import type { MemoryBreakdown } from '@/lib/peft/cost/memory';

/** The parts of GPU memory in training, in stacking order, with colours that read in both themes
 * (CPU memory and the pageable share of the optimizer state are shown in words beside the chart). */
export const MEMORY_SEGMENTS: readonly (StackSegment & { key: Exclude<keyof MemoryBreakdown, 'total' | 'cpu' | 'pageable'> })[] = [
  { key: 'weights', label: 'weights', color: '#64748b' },
  { key: 'masterWeights', label: 'fp32 master weights', color: '#94a3b8' },
  { key: 'gradients', label: 'gradients', color: '#f59e0b' },
  { key: 'optimizerState', label: 'optimizer state', color: '#ef4444' },
  { key: 'activations', label: 'activations', color: '#3b82f6' },
  { key: 'overhead', label: 'overhead', color: '#a855f7' },
];

export function memoryValues(m: MemoryBreakdown): Record<string, number> {
  return Object.fromEntries(MEMORY_SEGMENTS.map((s) => [s.key, m[s.key]]));
}
