import type { HyperValue } from '../method-api/types';
import type { Task } from '../model/tasks';

/** Messages between a playground and the Web Worker that trains for it. */

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface RunRequest {
  method: string;
  config: Record<string, HyperValue>;
  task: Task['id'];
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Evaluate on the held-out set every this many steps (and at the end). */
  evalEvery: number;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
}

export interface Sample {
  prompt: string;
  expected: string;
  base: string;
  tuned: string | null;
}

export type ToWorker =
  | { type: 'start'; request: RunRequest; backend: BackendName | 'auto'; weightsUrl: string; wasmPath: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export interface ProgressMessage {
  type: 'progress';
  step: number;
  loss: number;
  learningRate: number;
  msPerStep: number;
  tensors: number;
  bytes: number;
  eval: EvalResult | null;
}

export type FromWorker =
  | { type: 'backend'; backend: BackendName; skipped: { backend: BackendName; reason: string }[] }
  /** The method trains or measures on task data before the first step (a source prompt, Fisher scores). */
  | { type: 'preparing' }
  | { type: 'ready'; trainable: number; total: number; baseline: EvalResult; samples: Sample[] }
  | ProgressMessage
  | { type: 'finished'; stopped: boolean; final: EvalResult; samples: Sample[]; peakBytes: number; steps: number }
  | { type: 'error'; message: string; diverged: boolean };
