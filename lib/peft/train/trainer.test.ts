import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppliedMethod } from '../method-api/types';
import { ToyModel } from '../model/transformer';
import { fixedBatch } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { DivergedError, Trainer } from './trainer';

/** The trainer's method lifecycle, driven by small hand-written methods. */
beforeAll(useTestBackend);

function biasMethod(model: ToyModel, extra: Partial<AppliedMethod> = {}): AppliedMethod {
  return { trainable: [model.weight('h.0.fc2.bias')], hooks: {}, dispose: () => {}, ...extra };
}

describe('the trainer', () => {
  it('stops with DivergedError when the loss becomes NaN', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const prompt = tf.variable(tf.fill([2, TINY_DIMS.hiddenSize], NaN));
    const applied: AppliedMethod = { trainable: [prompt], hooks: { inputPrefix: () => prompt as tf.Tensor2D }, dispose: () => prompt.dispose() };
    const trainer = new Trainer(model, applied, { steps: 5, learningRate: 1e-3 });
    expect(() => trainer.step(fixedBatch(1))).toThrow(DivergedError);
    trainer.dispose();
    applied.dispose();
  });

  it('refuses a calibrating method without calibration batches, and calibrates once with them', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    let seen = 0;
    let lossValue = NaN;
    const applied = biasMethod(model, {
      calibrate: (ctx) => {
        seen += ctx.batches.length;
        lossValue = tf.tidy(() => ctx.loss(ctx.batches[0]!).dataSync()[0] as number);
      },
    });
    expect(() => new Trainer(model, applied, { steps: 2, learningRate: 1e-3 })).toThrow(/calibration/);
    const trainer = new Trainer(model, applied, { steps: 2, learningRate: 1e-3, calibration: [fixedBatch(1), fixedBatch(2)] });
    expect(seen).toBe(2);
    expect(lossValue).toBeGreaterThan(0);
    trainer.dispose();
  });

  it('adds the regularizer to the loss it differentiates but reports the task loss', () => {
    const model = ToyModel.init(TINY_DIMS, 14);
    const bias = model.weight('h.0.fc2.bias');
    // A penalty of 1000·Σb² dominates the gradient: one step moves b against its sign.
    bias.assign(tf.fill(bias.shape, 0.5));
    const applied = biasMethod(model, { regularizer: () => tf.mul(1000, tf.sum(tf.square(bias))) });
    const plain = new Trainer(model, biasMethod(model), { steps: 1, learningRate: 1e-3 });
    const withPenalty = new Trainer(model, applied, { steps: 1, learningRate: 1e-3 });
    const batch = fixedBatch(3);
    const a = tf.tidy(() => plain.evaluate(batch).loss);
    const stats = withPenalty.step(batch);
    expect(stats.loss).toBeCloseTo(a, 5);
    expect(Math.max(...(bias.dataSync() as Float32Array))).toBeLessThan(0.5);
    plain.dispose();
    withPenalty.dispose();
  });

  it('calls onStep after each update with the gradients, and honours optimizer resets and schedule restarts', () => {
    const model = ToyModel.init(TINY_DIMS, 15);
    const steps: number[] = [];
    let gradShape: number[] = [];
    const applied = biasMethod(model, {
      onStep: (ctx) => {
        steps.push(ctx.step);
        gradShape = [...(ctx.grads.get(model.weight('h.0.fc2.bias'))?.shape ?? [])];
        return ctx.step === 4 ? { resetOptimizer: [model.weight('h.0.fc2.bias')], restartSchedule: { warmupSteps: 4 } } : undefined;
      },
    });
    const trainer = new Trainer(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    const rates = Array.from({ length: 8 }, (_, i) => trainer.step(fixedBatch(i)).learningRate);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(gradShape).toEqual([TINY_DIMS.hiddenSize]);
    // After the restart at step 4 the rate climbs again over 4 steps from a quarter of the schedule.
    const linear = (s: number) => 1e-2 * ((10 - s) / 9);
    expect(rates[4]).toBeCloseTo(linear(4) * 0.25, 10);
    expect(rates[7]).toBeCloseTo(linear(7), 10);
    trainer.dispose();
  });

  it('masks updates to the elements a method lets through', () => {
    const model = ToyModel.init(TINY_DIMS, 16);
    const w = model.weight('h.1.fc1.weight');
    const mask = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(w.shape, 0, 1, 'float32', 1), 0.9), 'float32'));
    const before = w.dataSync().slice();
    const trainer = new Trainer(model, { trainable: [w], hooks: {}, gradientMasks: new Map([[w, mask]]), dispose: () => {} }, { steps: 3, learningRate: 1e-2 });
    for (let i = 0; i < 3; i++) trainer.step(fixedBatch(i));
    const m = mask.dataSync();
    const after = w.dataSync();
    let changed = 0;
    m.forEach((keep, i) => {
      if (keep === 0) expect(after[i]).toBe(before[i]);
      else if (after[i] !== before[i]) changed++;
    });
    expect(changed).toBeGreaterThan(0);
    trainer.dispose();
    mask.dispose();
  });
});
