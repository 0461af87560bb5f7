import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import type { ForwardContext } from '../model/hooks';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { parallelAdapter } from './parallel-adapter';

type AdapterConfig = Parameters<typeof parallelAdapter.trainableParams>[1];

methodContract(parallelAdapter, {
  configs: [
    { bottleneck: 3, placement: 'attention' },
    { bottleneck: 5, placement: 'both', scaling: 'learned' },
  ],
});

beforeAll(useTestBackend);

const ctx: ForwardContext = { batch: 1, seq: 3, prefixLength: 0, positions: [0, 1, 2], mode: 'eval', step: 0 };

describe('Parallel adapter on the toy', () => {
  it('starts exactly at the pretrained function (up projection zero) and changes it once trained', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const base = logitsOf(model);
    const applied = parallelAdapter.apply(model, resolveConfig(parallelAdapter, model.arch, { bottleneck: 8, placement: 'both' }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeGreaterThan(1e-2);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('adds s·up(ReLU(down(x))) of the sublayer INPUT x to the sublayer output', () => {
    const model = ToyModel.init(TINY_DIMS, 10);
    const d = TINY_DIMS.hiddenSize;
    const config = (scale: number): AdapterConfig => resolveConfig(parallelAdapter, model.arch, { bottleneck: 4, scale });
    const [one, two] = [parallelAdapter.apply(model, config(1), { seed: 5 }), parallelAdapter.apply(model, config(2), { seed: 5 })];
    // Give both the same nonzero up projection (it starts at zero).
    for (const a of [one, two]) tf.tidy(() => a.trainable[2]!.assign(tf.fill([4, d], 0.1)));
    const [down, downBias, up, upBias] = one.trainable;
    const x = tf.randomNormal([3, d], 0, 1, 'float32', 1) as tf.Tensor2D;
    const out = tf.randomNormal([3, d], 0, 1, 'float32', 2) as tf.Tensor2D;
    const expected = tf.tidy(() => tf.add(out, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, down!), downBias!)), up!), upBias!)));
    const got = one.hooks.sublayerOutput!(0, 'mlp', out, x, ctx);
    expect(maxAbsDiff(got.dataSync() as Float32Array, expected.dataSync() as Float32Array)).toBeLessThan(1e-6);
    // Scale 2 doubles the adapter's share; the attention sublayer has no adapter by default.
    const doubled = tf.tidy(() => tf.sub(two.hooks.sublayerOutput!(0, 'mlp', out, x, ctx), out));
    const single = tf.tidy(() => tf.sub(got, out));
    expect(maxAbsDiff(doubled.dataSync() as Float32Array, tf.tidy(() => tf.mul(single, 2)).dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(one.hooks.sublayerOutput!(0, 'attention', out, x, ctx)).toBe(out);
    tf.dispose([x, out, expected, got, doubled, single]);
    one.dispose();
    two.dispose();
    model.dispose();
  });

  it('with a learned scale, trains one scalar per adapter that starts at s', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const applied = parallelAdapter.apply(model, resolveConfig(parallelAdapter, model.arch, { bottleneck: 4, scaling: 'learned', scale: 1 }));
    const scalars = applied.trainable.filter((v) => v.size === 1);
    expect(scalars).toHaveLength(TINY_DIMS.layers);
    for (const s of scalars) expect(s.dataSync()[0]).toBe(1);
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    for (const s of scalars) expect(s.dataSync()[0]).not.toBe(1);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('Parallel adapter on real models', () => {
  // AdapterHub "scaled_parallel" = ParBnConfig(scaling="learned"): reduction factor 2 on
  // d_model = 1024 (bottleneck 512), beside the FFN of all 24 + 24 layers, each adapter
  // 1024·512 + 512 + 512·1024 + 1024 weights and biases plus its learned scalar.
  it.each(surveyCounts('scaled_parallel'))("reproduces the survey's scaled parallel count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(parallelAdapter.trainableParams(arch, resolveConfig(parallelAdapter, arch, { bottleneck: 512, scaling: 'learned' }))).toBe(count);
    expect(count).toBe(48 * (1024 * 512 + 512 + 512 * 1024 + 1024 + 1));
  });

  it('with a fixed scale (the paper’s s = 4, AdapterHub’s default "parallel") trains no scalar', () => {
    const arch = findModel('t5-large').arch;
    expect(parallelAdapter.trainableParams(arch, resolveConfig(parallelAdapter, arch))).toBe(48 * 1_050_112);
  });

  it('puts attention adapters beside self-attention only, not cross-attention', () => {
    const arch = findModel('t5-large').arch;
    const both: AdapterConfig = resolveConfig(parallelAdapter, arch, { bottleneck: 512, placement: 'both' });
    expect(parallelAdapter.trainableParams(arch, both)).toBe(96 * 1_050_112);
  });

  it('counts GPT-2 with d = 768', () => {
    const arch = findModel('gpt2').arch;
    const config: AdapterConfig = resolveConfig(parallelAdapter, arch, { bottleneck: 64 });
    expect(parallelAdapter.trainableParams(arch, config)).toBe(12 * (768 * 64 + 64 + 64 * 768 + 768));
    expect(parallelAdapter.profile(arch, config).addedMatmul).toBe(12 * 2 * 768 * 64);
  });

  it('rejects an unknown placement or scale kind', () => {
    const arch = findModel('gpt2').arch;
    expect(() => resolveConfig(parallelAdapter, arch, { placement: 'sideways' })).toThrow(/Placement must be one of/);
    expect(() => resolveConfig(parallelAdapter, arch, { scaling: 'gated' })).toThrow(/Scale kind must be one of/);
  });
});
