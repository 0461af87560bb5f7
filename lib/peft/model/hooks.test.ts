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

  it('weight: every weight the forward pass reads goes through it, once per forward pass', () => {
    const model = ToyModel.init(TINY_DIMS, 5);
    const base = logits(model);
    const reads = new Map<string, number>();
    const identity = logits(model, {
      weight: (name, w) => {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return w;
      },
    });
    expect(maxDiff(identity, base)).toBe(0);
    expect(new Set(reads.keys())).toEqual(new Set(model.weights.keys()));
    expect(reads.get('wte')).toBe(1); // read once, for the input embedding and the tied LM head alike
    expect(reads.get('h.1.fc2.weight')).toBe(1);
    expect(maxDiff(logits(model, { weight: (name, w) => (name === 'h.0.fc1.weight' ? tf.mul(w, 0.5) : w) }), base)).toBeGreaterThan(1e-4);
  });

  it('blockOutput and finalHidden see the residual stream, with a context that describes the batch', () => {
    const model = ToyModel.init(TINY_DIMS, 6);
    const prompt = tf.zeros([2, TINY_DIMS.hiddenSize]) as tf.Tensor2D;
    const calls: string[] = [];
    const contexts: { batch: number; seq: number; prefixLength: number; positions: number; mode: string }[] = [];
    logits(model, {
      inputPrefix: () => prompt,
      blockOutput: (layer, h, ctx) => {
        calls.push(`block ${layer} ${h.shape.join('×')}`);
        contexts.push({ batch: ctx.batch, seq: ctx.seq, prefixLength: ctx.prefixLength, positions: ctx.positions.length, mode: ctx.mode });
        return h;
      },
      finalHidden: (h) => {
        calls.push(`final ${h.shape.join('×')}`);
        return h;
      },
    });
    const rows = batch.size * (batch.length + 2);
    expect(calls).toEqual([`block 0 ${rows}×${TINY_DIMS.hiddenSize}`, `block 1 ${rows}×${TINY_DIMS.hiddenSize}`, `final ${rows}×${TINY_DIMS.hiddenSize}`]);
    expect(contexts[0]).toEqual({ batch: batch.size, seq: batch.length + 2, prefixLength: 2, positions: batch.length, mode: 'eval' });
    prompt.dispose();
  });

  it('hooks learn the training step and mode from the trainer', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const seen: string[] = [];
    const bias = model.weight('h.0.fc2.bias');
    const applied = { trainable: [bias], hooks: { finalHidden: (h: tf.Tensor2D, ctx: { mode: string; step: number }) => (seen.push(`${ctx.mode} ${ctx.step}`), h) }, dispose: () => {} };
    const trainer = new Trainer(model, applied, { steps: 2, learningRate: 1e-3 });
    trainer.step(batch);
    trainer.step(batch);
    trainer.evaluate(batch);
    expect(seen).toEqual(['train 0', 'train 1', 'eval 2']);
    trainer.dispose();
  });

  it('attentionContext: zeros leave the output unchanged, a context of its own changes it; queries arrive per head', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const shapes: number[][] = [];
    const zeros: ModelHooks = { attentionContext: (_l, q) => (shapes.push(q.shape), tf.zerosLike(q)) };
    expect(maxDiff(logits(model, zeros), logits(model))).toBe(0);
    const dh = TINY_DIMS.hiddenSize / TINY_DIMS.heads;
    expect(shapes[0]).toEqual([batch.size, TINY_DIMS.heads, batch.length, dh]);
    expect(shapes).toHaveLength(TINY_DIMS.layers);
    const ones: ModelHooks = { attentionContext: (l, q) => (l === 0 ? tf.onesLike(q) : null) };
    expect(maxDiff(logits(model, ones), logits(model))).toBeGreaterThan(1e-3);
  });

  it('hooks see where each prompt ends in training and evaluation', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const seen: (readonly number[] | undefined)[] = [];
    const bias = model.weight('h.0.fc2.bias');
    const applied = { trainable: [bias], hooks: { finalHidden: (h: tf.Tensor2D, ctx: { promptLengths?: readonly number[] }) => (seen.push(ctx.promptLengths), h) }, dispose: () => {} };
    const trainer = new Trainer(model, applied, { steps: 1, learningRate: 1e-3 });
    trainer.step(batch);
    trainer.evaluate(batch);
    expect(seen).toEqual([[...batch.promptLengths], [...batch.promptLengths]]);
    trainer.dispose();
  });
});
