import type { Architecture } from '../arch';
import { quoteValue } from '../input';
import type { MethodConfig, PeftMethod } from '../method-api/types';
import { trainingMemory } from './memory';
import { MAX_BATCH_SIZE, MAX_SEQUENCE_LENGTH, type TrainingSetup } from './setup';

/** GPUs people fine-tune on, smallest first, with their memory as the vendor states it (in GiB,
 * the unit GPU memory is built in; the CUDA context's share is in the cost model's overhead). */
export const GPUS = [
  { id: 't4', name: 'T4', gib: 16 },
  { id: 'rtx-4060-ti', name: 'RTX 4060 Ti 16 GB', gib: 16 },
  { id: 'rtx-4080', name: 'RTX 4080', gib: 16 },
  { id: 'rtx-3090', name: 'RTX 3090', gib: 24 },
  { id: 'rtx-4090', name: 'RTX 4090', gib: 24 },
  { id: 'l4', name: 'L4', gib: 24 },
  { id: 'a10', name: 'A10 / A10G', gib: 24 },
  { id: 'rtx-5090', name: 'RTX 5090', gib: 32 },
  { id: 'a100-40', name: 'A100 40 GB', gib: 40 },
  { id: 'a6000', name: 'RTX A6000', gib: 48 },
  { id: 'l40s', name: 'L40S', gib: 48 },
  { id: 'a100-80', name: 'A100 80 GB', gib: 80 },
  { id: 'h100', name: 'H100 80 GB', gib: 80 },
  { id: 'h200', name: 'H200', gib: 141 },
] as const;

export type Gpu = (typeof GPUS)[number];
export type GpuId = Gpu['id'];
export const DEFAULT_GPU: GpuId = 'rtx-4090';

export const gpuBytes = (gpu: Gpu): number => gpu.gib * 2 ** 30;

export function findGpu(id: string): Gpu {
  const gpu = GPUS.find((g) => g.id === id.trim().toLowerCase());
  if (!gpu) throw new RangeError(`GPU ${quoteValue(id)} is not in the list; choose one of ${GPUS.map((g) => g.id).join(', ')}`);
  return gpu;
}

export interface WhatFits {
  gpu: Gpu;
  /** Whether the setup as given fits. */
  fits: boolean;
  /** The largest micro-batch that fits at the setup's sequence length; 0 when not even one sequence does. */
  maxBatchSize: number;
  /** The longest sequence that fits at the setup's batch size; 0 when none does. */
  maxSequenceLength: number;
  /** The smallest listed GPUs (one memory size) on which the setup fits; empty when none does. */
  smallestGpus: Gpu[];
}

/**
 * Answers "what fits" by searching the memory model, which grows with batch size and sequence
 * length (a property the tests check), so a binary search finds the largest value that fits.
 */
export function whatFits(arch: Architecture, method: PeftMethod, config: MethodConfig, setup: TrainingSetup, gpu: Gpu): WhatFits {
  const capacity = gpuBytes(gpu);
  const total = (s: TrainingSetup) => trainingMemory(arch, method, config, s).total;
  const needed = total(setup);
  // A mean length cannot exceed the sequence length, so shorter sequences shorten it too.
  const withLength = (n: number): TrainingSetup => ({ ...setup, sequenceLength: n, meanLength: setup.meanLength === null ? null : Math.min(setup.meanLength, n) });
  const smallest = GPUS.find((g) => needed <= gpuBytes(g));
  return {
    gpu,
    fits: needed <= capacity,
    maxBatchSize: largestFitting(MAX_BATCH_SIZE, (b) => total({ ...setup, batchSize: b }) <= capacity),
    maxSequenceLength: largestFitting(MAX_SEQUENCE_LENGTH, (n) => total(withLength(n)) <= capacity),
    smallestGpus: smallest ? GPUS.filter((g) => g.gib === smallest.gib) : [],
  };
}

/** The largest n in 1..max with `fits(n)`, for a `fits` that holds up to some n and not beyond; 0 if none. */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
