import * as tf from '@tensorflow/tfjs';
import { createRng } from '../model/random';
import { type Batch, TASKS, type Task, findTask, taskBatch } from '../model/tasks';
import type { ForwardRun, ToyModel } from '../model/transformer';
import type { AppliedMethod, CalibrationContext, FitOptions } from '../method-api/types';
import { AdamW } from './adamw';
import { answerFeatures, classAccuracy, classCrossEntropy, exactMatch, maskedCrossEntropy } from './loss';
import { learningRateAt } from './schedule';

export interface TrainerOptions {
  steps: number;
  learningRate: number;
  /** Defaults to 6% of the steps, the survey's protocol. */
  warmupSteps?: number;
  clipNorm?: number;
  weightDecay?: number;
  /** Task batches for a method that calibrates before training (required by such a method). */
  calibration?: readonly Batch[];
  /** The run's task and seed, which a calibrating method may read (tests: the first task, 0). */
  task?: Task;
  seed?: number;
}

/** What a method's outputs are scored by: the LM head's tokens, or its class head's classes. */
type Scored = Pick<AppliedMethod, 'hooks' | 'classifier'>;

function runOf(batch: Batch, mode: ForwardRun['mode'], step: number): ForwardRun {
  return { mode, step, promptLengths: [...batch.promptLengths] };
}

/** What `method` scores a batch with: LM logits `[batch, length, vocab]`, or its class head's
 * scores `[batch, classes]`. */
function taskScores(model: ToyModel, method: Scored, batch: Batch, inputs: tf.Tensor2D, run: ForwardRun): tf.Tensor {
  return tf.tidy(() => (method.classifier ? method.classifier(answerFeatures(model.features(inputs, method.hooks, run), batch)) : model.forward(inputs, method.hooks, run)));
}

function scoresLoss(method: Scored, scores: tf.Tensor, batch: Batch): tf.Scalar {
  return method.classifier ? classCrossEntropy(scores as tf.Tensor2D, batch) : maskedCrossEntropy(scores as tf.Tensor3D, batch);
}

export interface StepStats {
  step: number;
  /** The task loss (without a method's regularizer). */
  loss: number;
  gradNorm: number;
  learningRate: number;
  /** Exact match on this step's batch before the update (when asked for: `step(batch, true)`). */
  batchAccuracy?: number;
}

/** A run produced a loss or gradient that is NaN or infinite; training cannot go on. */
export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`Training diverged at step ${step}: the loss became ${loss}. Try a lower learning rate.`);
    this.name = 'DivergedError';
  }
}

/**
 * Trains the variables a method exposes, one batch per `step`, and runs the method's lifecycle:
 * `calibrate` before the first step, `regularizer` inside the loss, `onStep` after each update
 * (which may reset optimizer state or restart the schedule). Nothing here knows a method by name.
 */
export class Trainer {
  private readonly optimizer: AdamW;
  private done = 0;
  private readonly warmup: number;
  /** A restarted schedule: its first step, warmup length, and whether it is a schedule of its own. */
  private restart: { at: number; warmup: number; fresh: boolean } | null = null;

  constructor(
    private readonly model: ToyModel,
    private readonly method: AppliedMethod,
    private readonly options: TrainerOptions,
  ) {
    this.warmup = options.warmupSteps ?? Math.max(1, Math.round(options.steps * 0.06));
    // Calibration comes first, so a method may settle what it trains there (FISH Mask keeps only
    // the weights its mask reaches); the optimizer is then built for exactly those variables.
    if (method.calibrate) {
      const batches = options.calibration;
      if (!batches || batches.length === 0) throw new Error('this method calibrates on task data before training: pass `calibration` batches');
      method.calibrate(calibrationContext(model, batches, options.task ?? (TASKS[0] as Task), options.seed ?? 0));
    }
    this.optimizer = new AdamW(method.trainable, { clipNorm: options.clipNorm ?? 1, weightDecay: options.weightDecay ?? 0.01 });
  }

  get stepsDone(): number {
    return this.done;
  }

  private learningRate(step: number): number {
    const base = learningRateAt(step, this.options.learningRate, this.warmup, this.options.steps);
    if (!this.restart) return base;
    // A new phase: warmup from its first step, then decay from the peak to zero at the run's end.
    if (this.restart.fresh) return learningRateAt(step - this.restart.at, this.options.learningRate, this.restart.warmup, this.options.steps - this.restart.at);
    // From zero, as ReLoRA's jagged schedule (its Figure 2; the reference code's restart warmup
    // gives its first step after a restart the rate 0): Adam's moments refill before it moves.
    return base * Math.min(1, (step - this.restart.at) / this.restart.warmup);
  }

  /** One update on `batch`. With `scoreBatch`, also the batch's exact match from the same forward
   * pass (fresh examples, scored before the update: a free, noisy read of held-out accuracy). */
  step(batch: Batch, scoreBatch = false): StepStats {
    const step = this.done;
    const learningRate = this.learningRate(step);
    const inputs = inputsOf(batch);
    const { regularizer } = this.method;
    let scoredLoss: tf.Scalar | null = null;
    let batchAccuracy: number | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const run = runOf(batch, 'train', step);
      const scores = taskScores(this.model, this.method, batch, inputs, run);
      const task = scoresLoss(this.method, scores, batch);
      scoredLoss = tf.keep(task.clone());
      if (scoreBatch) batchAccuracy = this.method.classifier ? classAccuracy(scores as tf.Tensor2D, batch) : exactMatch(scores as tf.Tensor3D, batch);
      if (!regularizer) return task;
      return tf.add(task, regularizer({ batch, scores, rerun: () => taskScores(this.model, this.method, batch, inputs, run) }));
    }, this.method.trainable);
    inputs.dispose();
    const ordered = this.method.trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
    const normTensor = AdamW.globalNorm(ordered);
    const lossTensor = scoredLoss as tf.Scalar | null;
    const [loss, total, gradNorm] = [lossTensor?.dataSync()[0] as number, value.dataSync()[0] as number, normTensor.dataSync()[0] as number];
    tf.dispose([value, normTensor, ...(lossTensor ? [lossTensor] : [])]);
    try {
      const bad = [loss, total, gradNorm].find((x) => !Number.isFinite(x));
      if (bad !== undefined) throw new DivergedError(step + 1, bad);
      this.optimizer.apply(ordered, learningRate, gradNorm, this.method.gradientMasks);
      this.done += 1;
      const action = this.method.onStep?.({
        step: this.done,
        totalSteps: this.options.steps,
        grads: new Map(this.method.trainable.map((v, i) => [v, ordered[i] as tf.Tensor])),
      });
      if (action?.resetOptimizer) this.optimizer.reset(action.resetOptimizer);
      if (action?.pruneOptimizer) this.optimizer.prune(action.pruneOptimizer.variables, action.pruneOptimizer.keep);
      if (action?.restartSchedule) this.restart = { at: this.done, warmup: Math.max(1, action.restartSchedule.warmupSteps), fresh: action.restartSchedule.fresh === true };
    } finally {
      tf.dispose(ordered);
      tf.dispose(Object.values(grads));
    }
    return { step: this.done, loss, gradNorm, learningRate, ...(batchAccuracy === undefined ? {} : { batchAccuracy }) };
  }

  /** Loss and exact-match accuracy on a held-out batch, without changing anything. */
  evaluate(batch: Batch): { loss: number; accuracy: number } {
    return evaluate(this.model, this.method, batch, this.done);
  }

  /** A copy of the optimizer's moments and step count for one trained variable. */
  optimizerState(variable: tf.Variable): { m: Float32Array; v: Float32Array; t: number } {
    return this.optimizer.state(variable);
  }

  /** Frees the optimizer state; the method's own tensors belong to whoever applied it. */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Scalars a method trains: every element of its variables, or of a masked variable only those
 * its gradient mask lets through (known after calibration), or the final count a method with an
 * earlier, wider phase declares (`trainedCount`). */
export function trainableCount(method: Pick<AppliedMethod, 'trainable' | 'gradientMasks' | 'trainedCount'>): number {
  if (method.trainedCount !== undefined) return method.trainedCount;
  return method.trainable.reduce((sum, v) => {
    const mask = method.gradientMasks?.get(v);
    return sum + (mask ? tf.tidy(() => tf.sum(mask).dataSync()[0] as number) : v.size);
  }, 0);
}

function inputsOf(batch: Batch): tf.Tensor2D {
  return tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
}

/** What `method` scores a batch with in evaluation (LM logits, or class scores with a class
 * head); the caller disposes them. */
export function evalScores(model: ToyModel, method: Scored, batch: Batch, step = 0): tf.Tensor {
  const inputs = inputsOf(batch);
  const scores = taskScores(model, method, batch, inputs, runOf(batch, 'eval', step));
  inputs.dispose();
  return scores;
}

export function evaluate(model: ToyModel, method: Scored, batch: Batch, step = 0): { loss: number; accuracy: number } {
  const outputs = evalScores(model, method, batch, step);
  const lossTensor = scoresLoss(method, outputs, batch);
  const loss = lossTensor.dataSync()[0] as number;
  const accuracy = method.classifier ? classAccuracy(outputs as tf.Tensor2D, batch) : exactMatch(outputs as tf.Tensor3D, batch);
  tf.dispose([outputs, lossTensor]);
  return { loss, accuracy };
}

const FIT_EVAL_SIZE = 64;

/** What `calibrate` receives: the run's data, the base model's loss, and a way to train on any task. */
function calibrationContext(model: ToyModel, batches: readonly Batch[], task: Task, seed: number): CalibrationContext {
  const context = model.dims.context;
  // One stream per context, apart from the run's training (seed), held-out (seed + 7919) and
  // calibration (seed + 104,729) streams.
  const rng = createRng(seed + 15_485_863);
  const batchesOf = (id: string, count: number, size = 16) => {
    const t = findTask(id);
    return Array.from({ length: count }, () => taskBatch(t, rng, size, context));
  };
  return {
    model,
    task,
    batches,
    loss: (batch, hooks = {}) => tf.tidy(() => maskedCrossEntropy(model.forward(inputsOf(batch), hooks, runOf(batch, 'eval', 0)), batch)),
    batchesOf,
    fit(options: FitOptions) {
      const { trainable, hooks, classifier, regularizer, steps, learningRate, batchSize = 16 } = options;
      const phase: AppliedMethod = { trainable, hooks, ...(classifier ? { classifier } : {}), ...(regularizer ? { regularizer } : {}), dispose: () => {} };
      const trainer = new Trainer(model, phase, { steps, learningRate });
      try {
        for (const batch of batchesOf(options.task, steps, batchSize)) trainer.step(batch);
        const [heldOut] = batchesOf(options.task, 1, FIT_EVAL_SIZE);
        return trainer.evaluate(heldOut as Batch);
      } finally {
        trainer.dispose();
      }
    },
  };
}
