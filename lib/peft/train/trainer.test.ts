import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppliedMethod } from '../method-api/types';
import { ToyModel } from '../model/transformer';
import { fixedBatch } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { DivergedError, Trainer, evaluate } from './trainer';
import { createRng } from '../model/random';
import { findTask, taskBatch } from '../model/tasks';
import { answerFeatures, classAccuracy } from './loss';

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
    // After the restart at step 4 the rate climbs again over 4 steps from zero.
    const linear = (s: number) => 1e-2 * ((10 - s) / 9);
    expect(rates[4]).toBe(0);
    expect(rates[5]).toBeCloseTo(linear(5) * 0.25, 10);
    expect(rates[7]).toBeCloseTo(linear(7) * 0.75, 10);
    trainer.dispose();
  });

  it("prunes a method's optimizer moments to the share it asks to keep", () => {
    const model = ToyModel.init(TINY_DIMS, 16);
    const bias = model.weight('h.0.fc2.bias');
    const applied = biasMethod(model, { onStep: (ctx) => (ctx.step === 3 ? { pruneOptimizer: { variables: [bias], keep: 0.25 } } : undefined) });
    const trainer = new Trainer(model, applied, { steps: 5, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 2; i++) trainer.step(fixedBatch(i));
    expect([...trainer.optimizerState(bias).m].filter((x) => x !== 0).length).toBe(TINY_DIMS.hiddenSize);
    trainer.step(fixedBatch(2));
    // 16 values, the 0.75-quantile at position 11.25: the 4 largest stay (ties aside).
    const state = trainer.optimizerState(bias);
    expect([...state.m].filter((x) => x !== 0).length).toBe(TINY_DIMS.hiddenSize / 4);
    expect([...state.v].filter((x) => x !== 0).length).toBe(TINY_DIMS.hiddenSize / 4);
    expect(state.t).toBe(3);
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

  it('trains a class head on the hidden state where each answer starts, and scores it by its top class', () => {
    const model = ToyModel.init(TINY_DIMS, 17);
    const task = findTask('pair');
    const head = tf.variable(tf.zeros([TINY_DIMS.hiddenSize, 2]));
    const applied: AppliedMethod = { trainable: [head], hooks: {}, classifier: (f) => tf.matMul(f, head), dispose: () => head.dispose() };
    const rng = createRng(3);
    const heldOut = taskBatch(task, rng, 64, TINY_DIMS.context);
    // Zero scores: cross-entropy over two classes is ln 2, and the tie goes to class 0.
    const before = evaluate(model, applied, heldOut);
    expect(before.loss).toBeCloseTo(Math.LN2, 5);
    expect(before.accuracy).toBeCloseTo([...heldOut.classIds!].filter((c) => c === 0).length / 64, 6);
    const trainer = new Trainer(model, applied, { steps: 40, learningRate: 5e-2 });
    for (let i = 0; i < 40; i++) trainer.step(taskBatch(task, rng, 16, TINY_DIMS.context));
    expect(trainer.evaluate(heldOut).loss).toBeLessThan(before.loss);
    // A batch without classes cannot train a class head.
    expect(() => trainer.step(taskBatch(findTask('echo'), rng, 4, TINY_DIMS.context))).toThrow(/needs a classification task/);
    trainer.dispose();
    applied.dispose();
  });

  it('scores a batch before its update when asked, as evaluate would, and not otherwise', () => {
    const model = ToyModel.init(TINY_DIMS, 19);
    const task = findTask('pair');
    const head = tf.variable(tf.randomNormal([TINY_DIMS.hiddenSize, 2], 0, 1, 'float32', 4));
    const applied: AppliedMethod = { trainable: [head], hooks: {}, classifier: (f) => tf.matMul(f, head), dispose: () => head.dispose() };
    const trainer = new Trainer(model, applied, { steps: 4, learningRate: 5e-2 });
    const rng = createRng(6);
    for (let i = 0; i < 3; i++) {
      const batch = taskBatch(task, rng, 32, TINY_DIMS.context);
      const expected = evaluate(model, applied, batch).accuracy;
      expect(trainer.step(batch, true).batchAccuracy).toBe(expected);
    }
    expect(trainer.step(taskBatch(task, rng, 32, TINY_DIMS.context)).batchAccuracy).toBeUndefined();
    trainer.dispose();
    applied.dispose();
  });

  it("reads each row's answer position: answerFeatures equals the features at promptLengths − 1", () => {
    const model = ToyModel.init(TINY_DIMS, 18);
    const batch = taskBatch(findTask('topic'), createRng(5), 5, TINY_DIMS.context);
    tf.tidy(() => {
      const features = model.features(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'));
      const picked = answerFeatures(features, batch).arraySync();
      const all = features.arraySync();
      picked.forEach((row, b) => row.forEach((v, j) => expect(v).toBeCloseTo(all[b]![batch.promptLengths[b]! - 1]![j]!, 6)));
      expect(classAccuracy(tf.oneHot(tf.tensor1d(batch.classIds!, 'int32'), 4) as tf.Tensor2D, batch)).toBe(1);
    });
  });

  it('lets a method train on another task before the run: fit trains the given variables and reports held-out figures', () => {
    const model = ToyModel.init(TINY_DIMS, 19);
    const prompt = tf.variable(tf.zeros([2, TINY_DIMS.hiddenSize]));
    let result = { loss: NaN, accuracy: NaN };
    let sourceHasClasses = false;
    const applied = biasMethod(model, {
      calibrate: (ctx) => {
        expect(ctx.task.id).toBe('echo');
        sourceHasClasses = ctx.batchesOf('stray', 1, 4)[0]!.classIds !== undefined;
        result = ctx.fit({ task: 'shift', trainable: [prompt], hooks: { inputPrefix: () => prompt as tf.Tensor2D }, steps: 5, learningRate: 1e-2, batchSize: 4 });
      },
    });
    const start = tf.memory().numTensors;
    const trainer = new Trainer(model, applied, { steps: 2, learningRate: 1e-3, task: findTask('echo'), seed: 1, calibration: [fixedBatch(1)] });
    expect(sourceHasClasses).toBe(true);
    expect(Number.isFinite(result.loss) && result.loss > 0).toBe(true);
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
    expect(Math.max(...(prompt.dataSync() as Float32Array).map(Math.abs))).toBeGreaterThan(0);
    // The source phase's optimizer is gone; only the trainer's own state (none yet for one bias) remains.
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
    prompt.dispose();
  });
});
