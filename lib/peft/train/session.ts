import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../method-api/config';
import { findPeftMethod } from '../registry';
import { generate } from '../model/generate';
import { createRng } from '../model/random';
import { type Batch, exampleBatch, findTask, type Example, type Task, taskBatch, taskProblem } from '../model/tasks';
import type { ToyModel } from '../model/transformer';
import type { FromWorker, RunRequest, Sample } from './protocol';
import { DivergedError, Trainer, evalScores, evaluate, trainableCount } from './trainer';
import { predictedClasses } from './loss';
import type { AppliedMethod } from '../method-api/types';

export interface RunControl {
  stopped(): boolean;
  /** Resolves when the run may take its next step (immediately unless paused). */
  proceed(): Promise<void>;
}

const EVAL_SIZE = 128;
const SAMPLES = 4;

const CALIBRATION_BATCHES = 8;

/** Training batches whose exact match (scored before each update) tells whether the target is near. */
const RECENT_BATCHES = 5;
/** How far below the target the recent batches' mean may be for "near". */
const NEAR_TARGET = 0.15;
/** Away from the target, evaluate every this many `evalEvery` periods (the chart still gets points). */
const FAR_PERIODS = 3;

/**
 * Whether to evaluate on the held-out set after `step` of a run that stops at its target: every
 * `evalEvery` steps once the mean exact match of the last training batches (fresh examples, each
 * scored before its update) is within `NEAR_TARGET` of the target, else every `FAR_PERIODS` ×
 * `evalEvery`. Only a held-out evaluation decides that the target is reached.
 */
export function evalDue(step: number, evalEvery: number, recentBatchAccuracy: readonly number[], target: number): boolean {
  if (step % evalEvery !== 0) return false;
  const n = recentBatchAccuracy.length;
  const near = n > 0 && recentBatchAccuracy.reduce((a, b) => a + b, 0) / n >= target - NEAR_TARGET;
  return near || step % (evalEvery * FAR_PERIODS) === 0;
}

/** Task batches a method may calibrate on before training (FISH Mask's Fisher information), from
 * their own seeded stream, so they never change the training batches or the held-out set. */
export function calibrationBatches(taskId: RunRequest['task'], seed: number, context: number, batchSize = 16): Batch[] {
  const task = findTask(taskId);
  const rng = createRng(seed + 104_729);
  return Array.from({ length: CALIBRATION_BATCHES }, () => taskBatch(task, rng, batchSize, context));
}

/** What the tuned model answers to `prompt`: greedy decoding, or its class head's top class. */
function answer(model: ToyModel, applied: AppliedMethod, task: Task, prompt: string): string {
  if (!applied.classifier || !task.classes) return generate(model, prompt, applied.hooks);
  const batch = exampleBatch([{ prompt, target: `${task.classes[0]}.` }], model.dims.context, task.classes);
  const scores = evalScores(model, applied, batch) as tf.Tensor2D;
  const [id] = predictedClasses(scores);
  scores.dispose();
  return `${task.classes[id as number]}.`;
}

/** Held-out examples come from their own seeded stream, so they never depend on the batch order. */
export function heldOutExamples(taskId: RunRequest['task'], seed: number, count = EVAL_SIZE): Example[] {
  const task = findTask(taskId);
  const rng = createRng(seed + 7919);
  return Array.from({ length: count }, () => task.sample(rng));
}

/**
 * One playground run: evaluate the base model, apply the method, train, evaluate again. Reports
 * through `emit`, so the same code runs in the Web Worker, in Node benchmarks and in tests.
 * The model's weights are changed by methods that train them; load fresh weights per run.
 */
export async function runFineTune(model: ToyModel, request: RunRequest, emit: (m: FromWorker) => void, control: RunControl): Promise<void> {
  const method = findPeftMethod(request.method);
  const config = resolveConfig(method, model.arch, request.config);
  const task = findTask(request.task);
  const problem = taskProblem(method, task);
  if (problem) {
    emit({ type: 'error', message: problem, diverged: false });
    return;
  }
  const heldOut = heldOutExamples(request.task, request.seed);
  const evalBatch = exampleBatch(heldOut, model.dims.context, task.classes);
  const shown = heldOut.slice(0, SAMPLES);

  const baseline = evaluate(model, { hooks: {} }, evalBatch);
  const samples: Sample[] = shown.map((e) => ({ prompt: e.prompt, expected: e.target, base: generate(model, e.prompt), tuned: null }));
  const applied = method.apply(model, config, { seed: request.seed, task });
  const calibration = applied.calibrate ? calibrationBatches(request.task, request.seed, model.dims.context) : undefined;
  if (calibration) emit({ type: 'preparing' });
  const trainer = new Trainer(model, applied, { steps: request.steps, learningRate: request.learningRate, task, seed: request.seed, ...(calibration ? { calibration } : {}) });
  emit({ type: 'ready', trainable: trainableCount(applied), total: model.parameterCount(), baseline, samples });
  const rng = createRng(request.seed);
  let peakBytes = tf.memory().numBytes;
  let last = baseline;
  let lastAt = 0;
  const target = request.target ?? task.target;
  let reachedAtStep: number | null = null;
  // Stopping at the target: held-out evaluation (128 examples, the cost of a few steps) runs
  // sparsely until the training batches say the target is near.
  const watchTarget = request.stopAtTarget === true;
  let recent: number[] = [];
  let stoppedAtTarget = false;
  try {
    while (trainer.stepsDone < request.steps && !control.stopped()) {
      await control.proceed();
      if (control.stopped()) break;
      const batch = taskBatch(task, rng, request.batchSize, model.dims.context);
      const started = performance.now();
      const stats = trainer.step(batch, watchTarget);
      const msPerStep = performance.now() - started;
      const memory = tf.memory();
      peakBytes = Math.max(peakBytes, memory.numBytes);
      if (stats.batchAccuracy !== undefined) recent = [...recent.slice(1 - RECENT_BATCHES), stats.batchAccuracy];
      const due = stats.step === request.steps || (watchTarget ? evalDue(stats.step, request.evalEvery, recent, target) : stats.step % request.evalEvery === 0);
      if (due) {
        last = evaluate(model, applied, evalBatch);
        lastAt = stats.step;
      }
      const targetReached = due && reachedAtStep === null && last.accuracy >= target;
      if (targetReached) reachedAtStep = stats.step;
      emit({
        type: 'progress',
        step: stats.step,
        loss: stats.loss,
        learningRate: stats.learningRate,
        msPerStep,
        tensors: memory.numTensors,
        bytes: memory.numBytes,
        eval: due ? last : null,
        ...(targetReached ? { targetReached } : {}),
      });
      if (targetReached && request.stopAtTarget) {
        stoppedAtTarget = true;
        break;
      }
    }
    // The last evaluation already scored the model as it is now when it ran after the last step.
    const final = lastAt === trainer.stepsDone && lastAt > 0 ? last : evaluate(model, applied, evalBatch);
    if (reachedAtStep === null && final.accuracy >= target) reachedAtStep = trainer.stepsDone;
    for (const s of samples) s.tuned = answer(model, applied, task, s.prompt);
    emit({
      type: 'finished',
      stopped: control.stopped(),
      final,
      samples,
      peakBytes,
      steps: trainer.stepsDone,
      target: { value: target, reachedAtStep },
      stoppedAtTarget,
    });
  } catch (err) {
    const diverged = err instanceof DivergedError;
    emit({ type: 'error', message: err instanceof Error ? err.message : String(err), diverged });
  } finally {
    trainer.dispose();
    applied.dispose();
  }
}
