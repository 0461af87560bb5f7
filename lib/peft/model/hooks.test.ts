import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { Trainer } from '../train/trainer';
import { createRng } from './random';
import { TASKS, exampleBatch } from './tasks';
import { ToyModel } from './transformer';
import type { ModelHooks } from './hooks';

/** The hook points later methods build on ((IA)³, prefix tuning, sparse selective methods). */
beforeAll(useTestBackend);

const rng = createRng(3);
const batch = exampleBatch(Array.from({ length: 6 }, () => TASKS[0]!.sample(rng)), TINY_DIMS.context);
const inputs = () => tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
const logits = (model: ToyModel, hooks: ModelHooks = {}) => tf.tidy(() => model.forward(inputs(), hooks).dataSync() as Float32Array);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('hook points', () => {
  it('activation: ones leave the output unchanged, zeros on the MLP hidden units change it', () => {
    const model = ToyModel.init(TINY_DIMS, 1);
    const base = logits(model);
    expect(maxDiff(logits(model, { activation: (_l, _s, x) => tf.mul(x, tf.onesLike(x)) }), base)).toBe(0);
    expect(maxDiff(logits(model, { activation: (_l, site, x) => (site === 'mlp.hidden' ? tf.zerosLike(x) : x) }), base)).toBeGreaterThan(1e-4);
  });

  it('key/value prefixes are attended to by every position and receive gradients', () => {
    const model = ToyModel.init(TINY_DIMS, 2);
    const key = tf.variable(tf.randomNormal<tf.Rank.R2>([3, TINY_DIMS.hiddenSize], 0, 1, 'float32', 4));
    const value = tf.variable(tf.randomNormal<tf.Rank.R2>([3, TINY_DIMS.hiddenSize], 0, 1, 'float32', 5));
    const hooks: ModelHooks = { keyValuePrefix: () => ({ key, value }) };
    expect(maxDiff(logits(model, hooks), logits(model))).toBeGreaterThan(1e-4);
    const applied = { trainable: [key, value], hooks, dispose: () => tf.dispose([key, value]) };
    const trainer = new Trainer(model, applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    const first = trainer.evaluate(batch).loss;
    for (let i = 0; i < 20; i++) trainer.step(batch);
    expect(trainer.evaluate(batch).loss).toBeLessThan(first);
    trainer.dispose();
    applied.dispose();
  });

  it('gradient masks train only the chosen elements of a weight', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const w = model.weight('h.0.fc1.weight');
    const maskValues = Float32Array.from({ length: w.size }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const mask = tf.tensor(maskValues, w.shape);
    const before = w.dataSync().slice();
    const trainer = new Trainer(model, { trainable: [w], hooks: {}, gradientMasks: new Map([[w, mask]]), dispose: () => {} }, { steps: 5, learningRate: 1e-2, weightDecay: 0.1 });
    for (let i = 0; i < 5; i++) trainer.step(batch);
    const after = w.dataSync();
    let changed = 0;
    maskValues.forEach((m, i) => {
      if (m === 0) expect(after[i]).toBe(before[i]);
      else if (after[i] !== before[i]) changed++;
    });
    expect(changed).toBeGreaterThan(0);
    trainer.dispose();
    mask.dispose();
  });

  it('sublayer outputs see the sublayer input, so a parallel module can be added', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const seen: number[][] = [];
    logits(model, {
      sublayerOutput: (layer, sublayer, output, input) => {
        seen.push([layer, sublayer === 'mlp' ? 1 : 0, ...input.shape]);
        return tf.add(output, tf.mul(input, 0.1));
      },
    });
    expect(seen).toEqual([
      [0, 0, batch.size * batch.length, TINY_DIMS.hiddenSize],
      [0, 1, batch.size * batch.length, TINY_DIMS.hiddenSize],
      [1, 0, batch.size * batch.length, TINY_DIMS.hiddenSize],
      [1, 1, batch.size * batch.length, TINY_DIMS.hiddenSize],
    ]);
  });
});
