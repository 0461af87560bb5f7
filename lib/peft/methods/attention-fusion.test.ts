import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import type { ForwardContext } from '../model/hooks';
import { findTask } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { attentionFusion } from './attention-fusion';

methodContract(attentionFusion, { configs: [{ classes: 6 }] });

beforeAll(useTestBackend);

const ctx: ForwardContext = { batch: 1, seq: 3, prefixLength: 0, positions: [0, 1, 2], mode: 'eval', step: 0 };

/** Runs the fusion hooks on given layer outputs and returns the fused state. */
function fuse(hooks: ReturnType<typeof attentionFusion.apply>['hooks'], outputs: tf.Tensor2D[]): Float32Array {
  return tf.tidy(() => {
    outputs.forEach((h, l) => hooks.blockOutput!(l, h, ctx));
    return hooks.finalHidden!(outputs[outputs.length - 1]!, ctx).dataSync() as Float32Array;
  });
}

describe('Attention Fusion on the toy', () => {
  it('fuses the layer outputs with per-token softmax weights: the plain mean at q = 0, the best-aligned layer for a large q', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const applied = attentionFusion.apply(model, resolveConfig(attentionFusion, model.arch));
    const d = TINY_DIMS.hiddenSize;
    const layers = TINY_DIMS.layers;
    const outputs = Array.from({ length: layers }, (_, l) => tf.randomNormal([3, d], 0, 1, 'float32', 10 + l) as tf.Tensor2D);
    const mean = tf.tidy(() => tf.div(outputs.reduce((a, b) => tf.add(a, b)), layers).dataSync() as Float32Array);
    expect(maxAbsDiff(fuse(applied.hooks, outputs), mean)).toBeLessThan(1e-5);

    // q along layer 0's first token: that token's weights go (almost) all to layer 0.
    const query = applied.trainable[0]!;
    query.assign(tf.tidy(() => tf.mul(tf.reshape(tf.slice(outputs[0]!, [0, 0], [1, d]), [d]), 200)));
    const fused = fuse(applied.hooks, outputs);
    const first = outputs[0]!.dataSync().slice(0, d) as Float32Array;
    expect(maxAbsDiff(fused.slice(0, d), first)).toBeLessThan(1e-3);
    // The weights are per token: another token's fusion differs from its layer-0 output.
    expect(maxAbsDiff(fused.slice(d), outputs[0]!.dataSync().slice(d) as Float32Array)).toBeGreaterThan(1e-2);
    tf.dispose(outputs);
    applied.dispose();
    model.dispose();
  });

  it('sends no gradient into the backbone: only the query and the head change, and the base weights get none', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const applied = attentionFusion.apply(model, resolveConfig(attentionFusion, model.arch));
    const trainer = trainerFor(model, applied, { steps: 4, learningRate: 3e-2, warmupSteps: 1 });
    const before = applied.trainable.map((v) => v.dataSync().slice());
    for (let i = 0; i < 4; i++) trainer.step(fixedBatch(i));
    applied.trainable.forEach((v, i) => expect(maxAbsDiff(v.dataSync() as Float32Array, before[i] as Float32Array)).toBeGreaterThan(0));
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('scores only the task’s classes with a wider head, and refuses a head narrower than the task', () => {
    const model = ToyModel.init(TINY_DIMS, 5);
    const pair = findTask('pair');
    const applied = attentionFusion.apply(model, resolveConfig(attentionFusion, model.arch), { task: pair });
    const scores = tf.tidy(() => applied.classifier!(tf.ones([3, TINY_DIMS.hiddenSize])).shape);
    expect(scores).toEqual([3, 2]);
    applied.dispose();
    expect(() => attentionFusion.apply(model, resolveConfig(attentionFusion, model.arch, { classes: 2 }), { task: findTask('topic') })).toThrow(/needs 4/);
    model.dispose();
  });

  it('with a source task, trains the fusion module there first and starts the run from it with a fresh head', () => {
    const model = ToyModel.init(TINY_DIMS, 6);
    const topic = findTask('topic');
    for (const [source, moved] of [
      ['stray', true],
      ['pair', true],
      ['topic', false], // the run's own task: ignored
      ['none', false],
    ] as const) {
      const applied = attentionFusion.apply(model, resolveConfig(attentionFusion, model.arch, { source, sourceSteps: 5 }), { task: topic });
      const start = tf.memory().numTensors;
      const trainer = trainerFor(model, applied, { steps: 1, learningRate: 3e-2, task: topic });
      const [query, w, b] = applied.trainable;
      expect(Math.max(...(query!.dataSync() as Float32Array).map(Math.abs)) > 0, source).toBe(moved);
      expect(Math.max(...(w!.dataSync() as Float32Array).map(Math.abs), ...(b!.dataSync() as Float32Array).map(Math.abs)), source).toBe(0);
      trainer.dispose();
      // The source head and the source phase's optimizer are freed. The one tensor allowed is
      // fit()'s held-out evaluation keeping the class head's input (trainer.ts `evaluate`).
      expect(tf.memory().numTensors).toBeLessThanOrEqual(start + 1);
      applied.dispose();
    }
    model.dispose();
  });
});

describe('Attention Fusion on real models (counted from the paper’s description: query, head)', () => {
  // The paper has no reference implementation and its full text was not retrievable; these are
  // our reading's counts (d + d·classes + classes), checked by hand.
  it('BERT-base, a binary task: 768 + 768·2 + 2 = 2,306', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(attentionFusion.trainableParams(arch, resolveConfig(attentionFusion, arch, { classes: 2 }))).toBe(2_306);
  });

  it('Llama 2 7B, a binary task: 4096 + 4096·2 + 2 = 12,290; the fusion module alone is d', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(attentionFusion.trainableParams(arch, resolveConfig(attentionFusion, arch, { classes: 2 }))).toBe(12_290);
    const head = 4096 * 2 + 2;
    expect(attentionFusion.trainableParams(arch, resolveConfig(attentionFusion, arch, { classes: 2 })) - head).toBe(4096);
  });

  it('needs no backward pass through the backbone', () => {
    expect(attentionFusion.traits.backpropThroughBackbone).toBe(false);
    expect(attentionFusion.toyTasks).toBe('classification');
  });
});
