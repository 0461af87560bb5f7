import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Architecture, normParams, totalParams } from '../arch';
import { checkApplies, resolveConfig } from '../method-api/config';
import { kron } from '../method-api/linalg';
import type { PhmAdapterParts } from '../method-api/phm';
import type { ForwardContext } from '../model/hooks';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { phmAdapter } from './phm-adapter';

methodContract(phmAdapter, {
  configs: [
    { reductionFactor: 4, phmDim: 2, placement: 'mlp' },
    // n = 8 on the 16-wide tiny toy: Bᵢ of 2 × 1 (down) and 1 × 2 (up); m rounds 16/16 = 1 up to 8 there.
    { reductionFactor: 16, phmDim: 8 },
  ],
});

beforeAll(useTestBackend);

const ctx = {} as ForwardContext;
const partsOf = (applied: ReturnType<typeof phmAdapter.apply>) => (applied as unknown as { parts: PhmAdapterParts }).parts;

describe('PHM Adapter on the toy', () => {
  it('gives every PHM layer a rule {Aᵢ} and full blocks Bᵢ of its own: nothing shared, nothing factorised', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const applied = phmAdapter.apply(model, resolveConfig(phmAdapter, model.arch, { reductionFactor: 4, phmDim: 4 }), { seed: 2 });
    const { sharedRule, adapters } = partsOf(applied);
    expect(sharedRule).toBeNull();
    const layers = [...adapters.values()].flatMap((a) => [a.down, a.up]);
    expect(layers).toHaveLength(2 * 2 * 2); // 2 layers × 2 sites × down and up
    expect(new Set(layers.map((l) => l.rule)).size).toBe(layers.length);
    for (const l of layers) {
      expect(l.rule.shape).toEqual([4, 4, 4]);
      expect(l.left).toBeUndefined();
      expect(applied.trainable).toContain(l.rule);
    }
    // Down 16 → 4: Bᵢ 4 × 1; up 4 → 16: Bᵢ 1 × 4.
    expect(adapters.get('0.attention')!.down.blocks!.shape).toEqual([4, 4, 1]);
    expect(adapters.get('0.attention')!.up.blocks!.shape).toEqual([4, 1, 4]);
    applied.dispose();
    model.dispose();
  });

  it('computes each projection with W = Σᵢ Aᵢ ⊗ Bᵢ formed by kron', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const applied = phmAdapter.apply(model, resolveConfig(phmAdapter, model.arch, { reductionFactor: 2, phmDim: 4, placement: 'mlp' }), { seed: 5 });
    const a = partsOf(applied).adapters.get('0.mlp')!;
    a.down.rule.assign(tf.randomNormal([4, 4, 4], 0, 1, 'float32', 9));
    a.up.bias.assign(tf.randomNormal([16], 0, 1, 'float32', 11));
    const x = tf.randomNormal([6, 16], 0, 1, 'float32', 12) as tf.Tensor2D;
    const formed = (layer: typeof a.down) =>
      tf.tidy(() => {
        const [n, p, q] = layer.blocks!.shape;
        let w: tf.Tensor2D | null = null;
        for (let i = 0; i < n; i++) {
          const ai = tf.reshape(tf.slice(layer.rule, [i, 0, 0], [1, n, n]), [n, n]) as tf.Tensor2D;
          const bi = tf.reshape(tf.slice(layer.blocks!, [i, 0, 0], [1, p, q]), [p, q]) as tf.Tensor2D;
          w = w ? (tf.add(w, kron(tf, ai, bi)) as tf.Tensor2D) : kron(tf, ai, bi);
        }
        return w!;
      });
    const got = tf.tidy(() => applied.hooks.sublayerOutput!(0, 'mlp', x, x, ctx).dataSync() as Float32Array);
    const want = tf.tidy(() => {
      const z = tf.add(tf.matMul(x, formed(a.down)), a.down.bias);
      const g = tf.mul(tf.mul(0.5, z), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
      return tf.add(x, tf.add(tf.matMul(g, formed(a.up)), a.up.bias)).dataSync() as Float32Array;
    });
    expect(maxAbsDiff(got, want)).toBeLessThan(5e-3);
    expect(maxAbsDiff(want, x.dataSync() as Float32Array)).toBeGreaterThan(0.1);
    // The attention sublayer has no adapter with this placement.
    const untouched = tf.tidy(() => applied.hooks.sublayerOutput!(0, 'attention', x, x, ctx).dataSync() as Float32Array);
    expect(maxAbsDiff(untouched, x.dataSync() as Float32Array)).toBe(0);
    x.dispose();
    applied.dispose();
    model.dispose();
  });

  it('starts near the identity (rules std 0.01) and changes the output once trained', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const base = logitsOf(model);
    const applied = phmAdapter.apply(model, resolveConfig(phmAdapter, model.arch, { reductionFactor: 4 }));
    const atInit = maxAbsDiff(logitsOf(model, applied.hooks), base);
    expect(atInit).toBeGreaterThan(0);
    expect(atInit).toBeLessThan(0.05);
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeGreaterThan(5 * atInit);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

const normCount = (arch: Architecture) =>
  arch.stacks.reduce((sum, s) => sum + s.layers * s.norms.reduce((n, norm) => n + normParams(norm), 0) + (s.finalNorm ? normParams(s.finalNorm) : 0), 0);

describe('PHM Adapter on real models', () => {
  const count = (id: string, input: Record<string, number | string> = {}) => {
    const arch = findModel(id).arch;
    return phmAdapter.trainableParams(arch, resolveConfig(phmAdapter, arch, input));
  };

  // The paper's §4: 4L(kd/n + n³) for L layers per stack summed over both stacks (k = d_model,
  // d = bottleneck), biases left out; the adapters library's PHMLayer adds a bias of `out` to each
  // PHM layer (phm_bias), m + k per adapter.
  it('matches the paper’s 4L(kd/n + n³) plus the biases on T5-base with the paper’s n = 12', () => {
    const [L, k, d, n] = [24, 768, 24, 12];
    expect(count('t5-base', { phmDim: 12 })).toBe(4 * L * ((k * d) / n + n ** 3) + 2 * L * (d + k));
    expect(count('t5-base', { phmDim: 12 })).toBe(351_360);
  });

  // §5.3 and Table 1 of the paper: PHM-Adapter (n = 12) trains 0.179% of T5-base, layer norms
  // included (the paper trained them; 47,616 on T5-base).
  it('gives the paper’s 0.179% of T5-base with the layer norms it trained', () => {
    const arch = findModel('t5-base').arch;
    expect(((100 * (count('t5-base', { phmDim: 12 }) + normCount(arch))) / totalParams(arch)).toFixed(3)).toBe('0.179');
  });

  it.each([
    // Per PHM layer in → out: rule n³, blocks n·(in/n)·(out/n) = in·out/n, bias out. Per adapter
    // (d → m → d): 2n³ + 2dm/n + m + d.
    // Llama 2 7B, n = 4: 64 adapters, d = 4,096, m = 128.
    ['meta-llama/Llama-2-7b-hf', {}, 64 * (2 * 64 + (2 * 4096 * 128) / 4 + 128 + 4096)],
    // T5-Large as the library's Houlsby placement would run it (n = 4, m = 32): 96 adapters.
    ['t5-large', {}, 96 * (2 * 64 + (2 * 1024 * 32) / 4 + 32 + 1024)],
    // GPT-2 after the FFN only, n = 12: 12 adapters, d = 768, m = 24.
    ['gpt2', { placement: 'mlp', phmDim: 12 }, 12 * (2 * 1728 + (2 * 768 * 24) / 12 + 24 + 768)],
  ] as const)('%s with %j: %i', (id, input, expected) => {
    expect(count(id, input)).toBe(expected);
  });

  it('trains about 1/n of a plain adapter of the same bottleneck (§4)', () => {
    // Houlsby adapter with m = 128 on Llama 2 7B: 64 · (2·4096·128 + 128 + 4096).
    const adapter = 64 * (2 * 4096 * 128 + 128 + 4096);
    const ratio = count('meta-llama/Llama-2-7b-hf', { phmDim: 8 }) / adapter;
    expect(ratio).toBeGreaterThan(1 / 8);
    expect(ratio).toBeLessThan(1 / 8 + 0.01);
  });

  it('is not applicable where n does not divide the hidden size', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(() => checkApplies(phmAdapter, arch, resolveConfig(phmAdapter, arch, { phmDim: 12 }))).toThrow(/4096 is not a multiple of n = 12/);
    expect(phmAdapter.trainableParams(arch, resolveConfig(phmAdapter, arch, { phmDim: 12 }))).toBe(0);
  });
});
