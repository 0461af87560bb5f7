import type { HyperValue } from '../method-api/types';
import type { Task } from '../model/tasks';

/** Messages between a playground and the Web Worker that trains for it. */

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** How the page names each backend (and the reasons `chooseBackend` gives). */
export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly (WASM)', cpu: 'CPU (plain JavaScript)' };

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
  /** End the run at the first evaluation whose exact match reaches the target. */
  stopAtTarget?: boolean;
  /** The held-out exact match the run aims for; the task's `target` when absent. */
  target?: number;
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
  /** True on the first evaluation whose exact match reaches the run's target. */
  targetReached?: boolean;
}

export type FromWorker =
  | {
      type: 'backend';
      backend: BackendName;
      skipped: { backend: BackendName; reason: string }[];
      /** Why this backend runs (see chooseBackend). */
      reason?: string;
      /** Training speed measured per backend by the automatic choice. */
      measured?: { backend: BackendName; msPerStep: number }[];
    }
  /** The method trains or measures on task data before the first step (a source prompt, Fisher scores). */
  | { type: 'preparing' }
  | { type: 'ready'; trainable: number; total: number; baseline: EvalResult; samples: Sample[] }
  | ProgressMessage
  | {
      type: 'finished';
      stopped: boolean;
      final: EvalResult;
      samples: Sample[];
      peakBytes: number;
      steps: number;
      /** The run's target exact match, and the step whose evaluation first reached it (null: never). */
      target?: { value: number; reachedAtStep: number | null };
      /** The run ended early because it reached the target (`stopAtTarget`). */
      stoppedAtTarget?: boolean;
    }
  | { type: 'error'; message: string; diverged: boolean };
