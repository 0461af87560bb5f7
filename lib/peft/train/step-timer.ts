import { resolveConfig, toyConfig } from '../method-api/config';
import { createRng } from '../model/random';
import { findTask, taskBatch } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { findPeftMethod } from '../registry';
import type { StepTimer } from './backend';
import type { BackendName, RunRequest } from './protocol';
import { Trainer } from './trainer';

const COMPILES = new Set<BackendName>(['webgpu', 'webgl']);

/** Timed steps per backend after the warm-up step: enough to see past noise, few enough to be cheap. */
export const TIMED_STEPS = 3;

/**
 * A `StepTimer` that trains the run's own method on a throwaway copy of the base model: one
 * warm-up step (kernels compile), then `TIMED_STEPS` timed ones, on batches from their own seeded
 * stream so the run's batches and held-out set stay as they are. A method that calibrates on task
 * data first is timed as LoRA, so timing does not pay for the calibration.
 */
export function trainingStepTimer(dims: ToyModel['dims'], values: ReadonlyMap<string, Float32Array>, request: RunRequest, timedSteps = TIMED_STEPS): StepTimer {
  return async (backend, limitMs) => {
    const model = ToyModel.fromValues(dims, values);
    const task = findTask(request.task);
    let method = findPeftMethod(request.method);
    let applied = method.apply(model, resolveConfig(method, model.arch, request.config), { seed: request.seed, task });
    if (applied.calibrate) {
      applied.dispose();
      method = findPeftMethod('lora');
      applied = method.apply(model, toyConfig(method, model.arch), { seed: request.seed, task });
    }
    const trainer = new Trainer(model, applied, { steps: timedSteps + 1, learningRate: request.learningRate, task, seed: request.seed });
    const rng = createRng(request.seed + 3_571);
    try {
      const warmStart = performance.now();
      trainer.step(taskBatch(task, rng, request.batchSize, model.dims.context));
      const warmUp = performance.now() - warmStart;
      // WebGPU and WebGL compile shaders in their first step; the others' first step is a fair sample.
      if (!COMPILES.has(backend) && warmUp > limitMs) return { msPerStep: warmUp, complete: false };
      const times: number[] = [];
      for (let i = 0; i < timedSteps; i++) {
        const batch = taskBatch(task, rng, request.batchSize, model.dims.context);
        const started = performance.now();
        trainer.step(batch);
        const ms = performance.now() - started;
        times.push(ms);
        if (ms > limitMs) return { msPerStep: ms, complete: false };
        // A macrotask between steps, as in a run, so timing does not starve the worker's messages.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      times.sort((a, b) => a - b);
      return { msPerStep: times[Math.floor(times.length / 2)] as number, complete: true };
    } finally {
      trainer.dispose();
      applied.dispose();
      model.dispose();
    }
  };
}
