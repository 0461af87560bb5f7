import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, toyConfig } from '../method-api/config';
import { MODELS, findModel } from '../models';
import { createRng } from '../model/random';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { randomSources } from '../method-api/permutation';
import { FastfoodBank, intrinsicSaid, saidTensorCount } from './intrinsic-said';

// d = 37 leaves θ_d a single entry beside the toy's 36 λ.
methodContract(intrinsicSaid, { configs: [{ d: 37 }, { d: 100 }] });

beforeAll(useTestBackend);

/** The Sylvester Hadamard matrix, built by the recursion H_2n = [[H, H], [H, −H]]. */
function hadamard(n: number): number[][] {
  let h = [[1]];
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h;
}

const matVec = (m: number[][], v: number[]) => m.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));

describe('Fastfood projections', () => {
  it('equal the dense H·G·Π·H·B, normalised and cropped, for every tensor (θ padded or cropped to D′)', () => {
    // Padded lengths 16, 8 (two tensors, one group) and 64; θ has 10 entries, more than 8.
    const tensors = [
      { name: 'a', shape: [3, 5] },
      { name: 'b', shape: [8] },
      { name: 'c', shape: [2, 3] },
      { name: 'e', shape: [40] },
    ];
    const bank = new FastfoodBank(tf, tensors, createRng(3));
    const theta = Array.from({ length: 10 }, (_, i) => Math.sin(i + 1));
    const lambda = [0.5, -1.5, 2, 0.25]; // group-major: 'b', 'c' (8), 'a' (16), 'e' (64)
    expect(bank.groups.map((g) => [g.padded, g.names])).toEqual([
      [8, ['b', 'c']],
      [16, ['a']],
      [64, ['e']],
    ]);
    const got = new Map<string, { shape: number[]; values: number[] }>();
    tf.tidy(() => {
      for (const [name, t] of bank.deltas(tf.tensor1d(theta), tf.tensor1d(lambda))) got.set(name, { shape: t.shape, values: Array.from(t.dataSync()) });
    });
    const lambdaOf = new Map([...bank.groups.flatMap((g) => g.names)].map((name, i) => [name, lambda[i]!]));
    for (const { name, shape } of tensors) {
      const draw = bank.draws.get(name)!;
      const n = draw.padded;
      const h = hadamard(n);
      const x = Array.from({ length: n }, (_, i) => (i < theta.length ? theta[i]! : 0));
      // H·G·Π·H·B·x̃ from dense matrices: B and G diagonal, Π[k][source[k]] = 1.
      const hb = matVec(h, x.map((v, i) => v * draw.signs[i]!));
      const perm = Array.from({ length: n }, (_, k) => hb[draw.source[k]!]!);
      const full = matVec(
        h,
        perm.map((v, k) => v * draw.gauss[k]!),
      );
      const expected = full.slice(0, draw.size).map((v) => v * draw.scale * lambdaOf.get(name)!);
      expect(got.get(name)!.shape).toEqual(shape);
      expect(maxAbsDiff(Float32Array.from(got.get(name)!.values), Float32Array.from(expected)), name).toBeLessThan(1e-5);
    }
    bank.dispose();
  });

  it('have columns of expected length 1: exactly when D is a power of two, on average when cropped', () => {
    const d = 24;
    // 4,096 values (a power of two, nothing cropped) and the toy's 44 × 64 embedding (2,816 of 4,096).
    const bank = new FastfoodBank(
      tf,
      [
        { name: 'square', shape: [64, 64] },
        { name: 'wte', shape: [44, 64] },
      ],
      createRng(4),
    );
    const norms = { square: [] as number[], wte: [] as number[] };
    for (let j = 0; j < d; j++) {
      tf.tidy(() => {
        const unit = tf.oneHot(tf.tensor1d([j], 'int32'), d).reshape([d]) as tf.Tensor1D;
        for (const [name, t] of bank.deltas(unit, null)) norms[name as keyof typeof norms].push(tf.sum(tf.square(t)).dataSync()[0]!);
      });
    }
    for (const v of norms.square) expect(v).toBeCloseTo(1, 4);
    const mean = norms.wte.reduce((s, v) => s + v, 0) / d;
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    for (const v of norms.wte) expect(Math.abs(v - 1)).toBeLessThan(0.2);
    bank.dispose();
  });
});

describe('Intrinsic SAID on the toy', () => {
  it('leaves the outputs exactly unchanged while θ_d is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = intrinsicSaid.apply(model, toyConfig(intrinsicSaid, model.arch));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('trains θ_d (d − m) and one λ per weight tensor (m = 36 on the toy), and the gradient reaches both', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = intrinsicSaid.apply(model, resolveConfig(intrinsicSaid, model.arch, { d: 100 }));
    const [theta, lambda] = applied.trainable as [tf.Variable, tf.Variable];
    expect(model.weights.size).toBe(36);
    expect([theta.size, lambda.size]).toEqual([64, 36]);
    const gradsAt = () =>
      tf.tidy(() => {
        const batch = fixedBatch(1);
        const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
        const { grads } = tf.variableGrads(() => maskedCrossEntropy(model.forward(inputs, applied.hooks, { mode: 'train', step: 0 }), batch), [theta, lambda]);
        return [Array.from(grads[theta.name]!.dataSync()), Array.from(grads[lambda.name]!.dataSync())];
      });
    // At θ_d = 0 every share P_i(θ_d) is 0, so λ has no gradient yet; θ_d has one through every λ_i = 1.
    const [g0, l0] = gradsAt();
    expect(g0!.some((v) => v !== 0)).toBe(true);
    expect(l0!.every((v) => v === 0)).toBe(true);
    const trainer = trainerFor(model, applied, { steps: 2, learningRate: intrinsicSaid.toyLearningRate, warmupSteps: 1 });
    trainer.step(fixedBatch(0));
    const [g1, l1] = gradsAt();
    expect(g1!.filter((v) => v !== 0).length).toBe(64);
    expect(l1!.filter((v) => v !== 0).length).toBe(36); // every tensor's λ
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged and unmerged, and unmerging restores every weight', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const applied = intrinsicSaid.apply(model, toyConfig(intrinsicSaid, model.arch), { seed: 2 });
    const trainer = trainerFor(model, applied, { steps: 5, learningRate: intrinsicSaid.toyLearningRate, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i));
    trainer.dispose();
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    // Every weight moved, embeddings and norms included.
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBeGreaterThan(0);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    applied.dispose();
    model.dispose();
  });
});

describe('Intrinsic SAID on real models', () => {
  it.each(MODELS.map((m) => [m.id, m] as const))('trains exactly d parameters on %s', (_, info) => {
    expect(intrinsicSaid.trainableParams(info.arch, resolveConfig(intrinsicSaid, info.arch))).toBe(1000);
    expect(intrinsicSaid.trainableParams(info.arch, { d: 5000 })).toBe(5000);
    const shapes = intrinsicSaid.profile(info.arch, { d: 1000 }).tensors.map((t) => t.shape[0]);
    expect(shapes).toEqual([1000 - saidTensorCount(info.arch), saidTensorCount(info.arch)]);
  });

  it('gives one λ per parameter tensor, as len(model.named_parameters()) counts them', () => {
    // GPT-2: wte, wpe, 12 × (ln_1, c_attn, c_proj, ln_2, c_fc, mlp c_proj: weight and bias), ln_f
    // weight and bias; the LM head is tied to wte.
    expect(saidTensorCount(findModel('gpt2').arch)).toBe(2 + 12 * 12 + 2);
    // Llama-2-7B: embed_tokens, 32 × (7 maps + 2 RMSNorms), norm, lm_head; no biases.
    expect(saidTensorCount(findModel('meta-llama/Llama-2-7b-hf').arch)).toBe(1 + 32 * 9 + 1 + 1);
  });

  it('rejects a d that leaves θ_d nothing, naming the tensor count', () => {
    const arch = findModel('gpt2').arch;
    expect(() => intrinsicSaid.trainableParams(arch, { d: 148 })).toThrow(/must exceed the 148 weight tensors/);
    expect(intrinsicSaid.trainableParams(arch, { d: 149 })).toBe(149);
  });
});
