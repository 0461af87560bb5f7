import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../model/tasks';
import type { ToyModel } from '../model/transformer';
import type { AppliedMethod } from '../methods/types';
import { AdamW } from './adamw';
import { exactMatch, maskedCrossEntropy } from './loss';
import { learningRateAt } from './schedule';

export interface TrainerOptions {
  steps: number;
  learningRate: number;
  /** Defaults to 6% of the steps, the survey's protocol. */
  warmupSteps?: number;
  clipNorm?: number;
  weightDecay?: number;
}

export interface StepStats {
  step: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
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

/** Trains the variables a method exposes, one batch per `step`. */
export class Trainer {
  private readonly optimizer: AdamW;
  private done = 0;
  private readonly warmup: number;

  constructor(
    private readonly model: ToyModel,
    private readonly method: AppliedMethod,
    private readonly options: TrainerOptions,
  ) {
    this.optimizer = new AdamW(method.trainable, {
      clipNorm: options.clipNorm ?? 1,
      weightDecay: options.weightDecay ?? 0.01,
      masks: method.gradientMasks,
    });
    this.warmup = options.warmupSteps ?? Math.max(1, Math.round(options.steps * 0.06));
  }

  get stepsDone(): number {
    return this.done;
  }

  step(batch: Batch): StepStats {
    const step = this.done;
    const learningRate = learningRateAt(step, this.options.learningRate, this.warmup, this.options.steps);
    const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
    const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(this.model.forward(inputs, this.method.hooks), batch), this.method.trainable);
    inputs.dispose();
    const ordered = this.method.trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
    const normTensor = AdamW.globalNorm(ordered);
    const [loss, gradNorm] = [value.dataSync()[0] as number, normTensor.dataSync()[0] as number];
    value.dispose();
    normTensor.dispose();
    try {
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw new DivergedError(step + 1, Number.isFinite(loss) ? gradNorm : loss);
      this.optimizer.apply(ordered, learningRate, gradNorm);
    } finally {
      tf.dispose(ordered);
      tf.dispose(Object.values(grads));
    }
    this.done += 1;
    return { step: this.done, loss, gradNorm, learningRate };
  }

  /** Loss and exact-match accuracy on a held-out batch, without changing anything. */
  evaluate(batch: Batch): { loss: number; accuracy: number } {
    return evaluate(this.model, this.method, batch);
  }

  /** Frees the optimizer state; the method's own tensors belong to whoever applied it. */
  dispose(): void {
    this.optimizer.dispose();
  }
}

export function evaluate(model: ToyModel, method: Pick<AppliedMethod, 'hooks'>, batch: Batch): { loss: number; accuracy: number } {
  const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
  const logits = model.forward(inputs, method.hooks);
  const lossTensor = maskedCrossEntropy(logits, batch);
  const loss = lossTensor.dataSync()[0] as number;
  const accuracy = exactMatch(logits, batch);
  tf.dispose([inputs, logits, lossTensor]);
  return { loss, accuracy };
}
