import raw from '@/content/data/cost-validation.json';
import { OVERHEAD_FIXED_BYTES } from '@/lib/peft/cost/memory';
import { DEFAULT_SETUP, type TrainingSetup } from '@/lib/peft/cost/setup';
import { estimate, type Estimate } from '@/lib/peft/estimate';
import type { HyperValue } from '@/lib/peft/method-api/types';

/**
 * The cost model checked against published measurements (content/data/cost-validation.json): for
 * every row whose settings are stated well enough to reproduce, our figure for the same model,
 * method and setup, and the signed error. /about/cost-model/ shows this table and
 * cost-validation.test.ts asserts each row, so the page and the tests cannot disagree.
 */

export type MeasuredAs = 'max_memory_allocated' | 'max_memory_reserved' | 'nvidia-smi' | 'file-size' | 'printed' | 'unknown';

export interface ValidationRow {
  id: string;
  source: { title: string; url: string; locator: string; quote: string };
  kind: 'peak-memory' | 'checkpoint-bytes' | 'trainable' | 'total';
  measured: { value: number; unit: 'GB' | 'GiB' | 'MB' | 'MiB' | 'bytes' | 'params'; what: MeasuredAs };
  model: string;
  method: string;
  hyper: Record<string, HyperValue>;
  setup: Partial<TrainingSetup>;
  assumed: Record<string, string>;
  gpu?: string;
  reproducible: boolean;
  reproducible_reason?: string;
  notes?: string;
  /** Why our figure misses by more than the tolerance, when it does. */
  miss?: string;
}

export const ROWS = (raw as unknown as { rows: ValidationRow[] }).rows;

/** A row counts as a match within this share of the measured value. */
export const TOLERANCE = 0.1;

const UNIT_BYTES = { GB: 1e9, GiB: 2 ** 30, MB: 1e6, MiB: 2 ** 20, bytes: 1, params: 1 } as const;

export interface ValidationResult {
  row: ValidationRow;
  /** In the row's unit. */
  ours: number;
  /** Signed, as a share of the measured value. */
  error: number;
  within: boolean;
}

/**
 * Our figure for what the row measured. Peak memory compares like with like: PyTorch's allocated
 * peak counts tensors only (our total without the overhead term), its reserved peak adds the
 * allocator's cache (our total without the CUDA context), nvidia-smi sees everything. A source
 * that does not say which it printed is read as the allocated peak, which is what the training
 * recipes in the table log. bitsandbytes allocates paged optimizer state with cudaMallocManaged,
 * outside PyTorch's allocator, so PyTorch's counters never include it.
 */
export function ourFigure(row: ValidationRow, e: Estimate): number {
  switch (row.kind) {
    case 'trainable':
      return e.trainable;
    case 'total':
      return e.peftTotal;
    case 'checkpoint-bytes':
      return e.checkpointBytes / UNIT_BYTES[row.measured.unit];
    case 'peak-memory': {
      const m = e.memory;
      const what = row.measured.what;
      const tensors = m.total - m.overhead;
      const bytes = what === 'nvidia-smi' ? m.total : (what === 'max_memory_reserved' ? m.total - OVERHEAD_FIXED_BYTES : tensors) - m.pageable;
      return bytes / UNIT_BYTES[row.measured.unit];
    }
  }
}

export function estimateRow(row: ValidationRow): Estimate {
  const setup: TrainingSetup = { ...DEFAULT_SETUP, ...row.setup };
  return estimate(row.model, row.method, row.hyper, setup);
}

/** Every reproducible row with our figure and its error. */
export function validationResults(): ValidationResult[] {
  return ROWS.filter((r) => r.reproducible).map((row) => {
    const ours = ourFigure(row, estimateRow(row));
    const error = (ours - row.measured.value) / row.measured.value;
    return { row, ours, error, within: Math.abs(error) <= TOLERANCE };
  });
}
