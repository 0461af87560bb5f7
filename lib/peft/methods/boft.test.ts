import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkApplies, resolveConfig, toyConfig } from '../method-api/config';
import { toyTargetSites } from '../method-api/toy-sites';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { boft, boftBlocks, boftLayout, butterflyPermutation, butterflyPermutations, rotateRows, rotationOps, rotationSteps, rowPermutation, type BoftLayout } from './boft';

methodContract(boft, {
  configs: [
    { blockSize: 8, butterflyFactor: 2, targets: ['q_proj', 'v_proj', 'fc2'] },
    { blockSize: 0, blockNum: 4, butterflyFactor: 3, targets: ['fc1', 'fc2'] },
    { blockSize: 2, targets: ['o_proj'] }, // one factor: OFT's block-diagonal R with HF's full b × b tensors
  ],
});

beforeAll(useTestBackend);

/** HF's perm2mat: a 1 at [j, perm[j]], as a dense n × n array. */
function permMatrix(perm: readonly number[]): number[][] {
  return perm.map((p) => perm.map((_, k) => (k === p ? 1 : 0)));
}

const matmul = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((sum, v, k) => sum + v * b[k]![j]!, 0)));
const transpose = (a: number[][]) => a[0]!.map((_, j) => a.map((row) => row[j]!));

/** R [in, in] of one map from its A ([m, N, b, b] or [m·N, b, b]), by applying the engine's row steps to I. */
function rotationOf(params: tf.Tensor3D | tf.Tensor4D, layout: BoftLayout): tf.Tensor2D {
  return tf.tidy(() => {
    const ops = rotationOps(tf, rotationSteps(layout));
    const n = layout.blocks * layout.size;
    return rotateRows(tf, tf.eye(n) as tf.Tensor2D, boftBlocks(tf, params), layout, ops);
  });
}

/**
 * Each targeted map's A as a slice of the toy's block variable, which stacks the maps' boft_R
 * in map order (layer by layer), with its layout: the toy settings on the tiny toy.
 */
function mapsOf(model: ToyModel, blocks: tf.Variable): { name: string; layout: BoftLayout; a: tf.Tensor3D }[] {
  let first = 0;
  return toyTargetSites(model, boft.toyConfig!.targets as readonly string[]).map((site) => {
    const layout = boftLayout(site.inFeatures, { blockSize: 4, blockNum: 0, butterflyFactor: 3 }) as BoftLayout;
    const count = layout.factors * layout.blocks;
    const a = tf.slice(blocks, [first, 0, 0], [count, 4, 4]) as tf.Tensor3D;
    first += count;
    return { name: site.weightName, layout, a };
  });
}

/** A trained BOFT (toy settings) on the tiny toy, and its model. */
function trained(steps: number, seed = 8) {
  const model = ToyModel.init(TINY_DIMS, seed);
  const applied = boft.apply(model, toyConfig(boft, model.arch));
  const trainer = trainerFor(model, applied, { steps, learningRate: boft.toyLearningRate, warmupSteps: 1 });
  for (let i = 0; i < steps; i++) trainer.step(fixedBatch(i));
  trainer.dispose();
  return { model, applied };
}

describe('BOFT butterfly permutations', () => {
  it('equal HF’s block_butterfly_perm index lists for 16 inputs, 4 blocks of 4, 3 factors', () => {
    // Written out by hand from HF's code (layer.py at 5d602fd): factor i calls
    // block_butterfly_perm(16, 4 / 2^i, 4 / 2, 2), which reorders the half-blocks (2 entries) of
    // every run of 16 / (4 / 2^i) entries as evens then odds.
    // i = 0: runs of 4, half-blocks [0, 1]: already in order, the identity.
    // i = 1: runs of 8, half-blocks 0, 2, 1, 3.
    // i = 2: one run of 16, half-blocks 0, 2, 4, 6, 1, 3, 5, 7.
    const expected = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15],
      [0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15],
    ];
    const layout = boftLayout(16, { blockSize: 4, blockNum: 0, butterflyFactor: 3 }) as BoftLayout;
    expect(layout).toEqual({ factors: 3, blocks: 4, size: 4 });
    expect(butterflyPermutations(layout)).toEqual(expected);
    // One factor: HF skips the butterfly, every permutation is the identity.
    expect(butterflyPermutation(8, 2, 2, 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Blocks of 8 (half-blocks of 4) on 16 inputs, 2 factors: i = 1 swaps the middle half-blocks.
    expect(butterflyPermutation(16, 1, 4, 1)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15]);
  });

  it('applies them as 0/1 matrices: each step is a block of HF’s perm2mat matrix, repeated along the diagonal', () => {
    const layout = boftLayout(16, { blockSize: 4, blockNum: 0, butterflyFactor: 3 }) as BoftLayout;
    const steps = rotationSteps(layout);
    // P₀ = I is skipped: blocks 0, P₁ᵀ, blocks 1, P₂ᵀ·P₁, blocks 2, P₂.
    expect(steps.map((s) => s.kind)).toEqual(['blocks', 'permute', 'blocks', 'permute', 'blocks', 'permute']);
    const [, p1, p2] = butterflyPermutations(layout).map(permMatrix);
    const wanted = [transpose(p1!), matmul(transpose(p2!), p1!), p2!];
    const permutes = steps.filter((s) => s.kind === 'permute');
    permutes.forEach((step, i) => {
      const { chunk, block } = rowPermutation(step.source);
      expect(chunk).toBe([8, 16, 16][i]); // factor i mixes runs of b·2ⁱ inputs
      const dense = wanted[i]!;
      for (let r = 0; r < 16; r++) {
        for (let c = 0; c < 16; c++) {
          const sameChunk = Math.floor(r / chunk) === Math.floor(c / chunk);
          expect(sameChunk ? block[(r % chunk) * chunk + (c % chunk)] : 0, `${i}: [${r}, ${c}]`).toBe(dense[r]![c]);
        }
      }
    });
  });

  it('builds R = P₂·BD₂·P₂ᵀ · P₁·BD₁·P₁ᵀ · BD₀, HF’s product, from random blocks', () => {
    const layout = boftLayout(16, { blockSize: 4, blockNum: 0, butterflyFactor: 3 }) as BoftLayout;
    const params = tf.randomNormal([3, 4, 4, 4], 0, 0.2, 'float32', 5) as tf.Tensor4D;
    const r = rotationOf(params, layout);
    const q = tf.tidy(() => boftBlocks(tf, params).arraySync() as number[][][]);
    // Dense block-diagonal BD_i from the 4 blocks of factor i, then HF's product in plain JS.
    const blockDiag = (i: number) =>
      Array.from({ length: 16 }, (_, row) => Array.from({ length: 16 }, (_, col) => (Math.floor(row / 4) === Math.floor(col / 4) ? q[i * 4 + Math.floor(row / 4)]![row % 4]![col % 4]! : 0)));
    const perms = butterflyPermutations(layout).map(permMatrix);
    let expected = matmul(matmul(perms[0]!, blockDiag(0)), transpose(perms[0]!));
    for (let i = 1; i < 3; i++) expected = matmul(matmul(matmul(perms[i]!, blockDiag(i)), transpose(perms[i]!)), expected);
    expect(maxAbsDiff(r.dataSync() as Float32Array, Float32Array.from(expected.flat()))).toBeLessThan(1e-6);
    // Three factors of 4 × 4 blocks on 16 inputs: every input reaches every output (OFT's R would be 4 blocks).
    expect(expected.flat().filter((v) => Math.abs(v) < 1e-9)).toHaveLength(0);
    tf.dispose([params, r]);
  });

  it('uses HF’s Cayley transform and sign: Q = (I − S)(I + S)⁻¹ with S = ½(A − Aᵀ)', () => {
    // A 2 × 2 block: S = [[0, σ], [−σ, 0]], and by hand (I − S)(I + S)⁻¹ = [[c, −s], [s, c]] with
    // c = (1 − σ²)/(1 + σ²), s = 2σ/(1 + σ²). The opposite sign, (I + S)(I − S)⁻¹, gives [[c, s], [−s, c]].
    // σ = 1.5 is far outside the range where OFT's Neumann series converges (σ < 1).
    for (const sigma of [0.1, 1.5]) {
      const a = tf.tensor4d([0, 2 * sigma, 0, 0], [1, 1, 2, 2]); // ½(A − Aᵀ) has σ above the diagonal
      const q = tf.tidy(() => boftBlocks(tf, a).dataSync() as Float32Array);
      const c = (1 - sigma ** 2) / (1 + sigma ** 2);
      const s = (2 * sigma) / (1 + sigma ** 2);
      expect(maxAbsDiff(q, Float32Array.of(c, -s, s, c)), `σ = ${sigma}`).toBeLessThan(2e-6);
      a.dispose();
    }
  });

  it('keeps every block orthogonal to float precision for large S, where a Neumann series diverges', () => {
    const { orth, reference } = tf.tidy(() => {
      // 8 random 6 × 6 blocks with ‖S‖_F from about 0.2 to 2.
      const raw = tf.randomNormal([8, 6, 6], 0, 1, 'float32', 11);
      const sizes = tf.reshape(tf.linspace(0.05, 0.5, 8), [8, 1, 1]);
      const a = tf.reshape(tf.mul(raw, sizes), [1, 8, 6, 6]) as tf.Tensor4D;
      const q = boftBlocks(tf, a);
      const defect = tf.sub(tf.matMul(q, q, true, false), tf.eye(6));
      // The defining equation of the Cayley transform: Q(I + S) = I − S.
      const s = tf.mul(tf.sub(tf.reshape(a, [8, 6, 6]), tf.transpose(tf.reshape(a, [8, 6, 6]), [0, 2, 1])), 0.5);
      const cayley = tf.sub(tf.matMul(q, tf.add(tf.eye(6), s)), tf.sub(tf.eye(6), s));
      return { orth: tf.max(tf.abs(defect)).dataSync()[0]!, reference: tf.max(tf.abs(cayley)).dataSync()[0]! };
    });
    expect(orth).toBeLessThan(1e-5);
    expect(reference).toBeLessThan(1e-5);
  });
});

describe('BOFT on the toy', () => {
  it('starts at R = I and s = 1: the outputs are exactly the base model’s', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = boft.apply(model, toyConfig(boft, model.arch));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    for (const { layout, a } of mapsOf(model, applied.trainable[0]!)) {
      const n = layout.blocks * layout.size;
      const r = rotationOf(a, layout);
      expect(maxAbsDiff(r.dataSync() as Float32Array, tf.tidy(() => tf.eye(n).dataSync() as Float32Array))).toBe(0);
      tf.dispose([r, a]);
    }
    applied.dispose();
    model.dispose();
  });

  it('keeps R orthogonal after training (RᵀR = I to float rounding), and really rotates', () => {
    const { model, applied } = trained(15);
    // One variable holds every map's boft_R (all blocks are 4 × 4), then one boft_s [out, 1] per map.
    const [blocks, ...scales] = applied.trainable;
    // Six maps in two layers: 10 with 16 inputs (3 factors of 4 blocks) and 2 with 32 (3 of 8).
    expect(blocks!.shape).toEqual([10 * 12 + 2 * 24, 4, 4]);
    expect(scales).toHaveLength(12);
    expect(scales.map((v) => v.shape)).toContainEqual([32, 1]); // fc1 of the tiny toy has 32 outputs
    // Only ½(A − Aᵀ) reaches R, so A's symmetric part gets no gradient and stays 0.
    expect(tf.tidy(() => tf.max(tf.abs(tf.add(blocks!, tf.transpose(blocks!, [0, 2, 1])))).dataSync()[0]!)).toBe(0);
    for (const { name, layout, a } of mapsOf(model, blocks!)) {
      const n = layout.blocks * layout.size;
      const r = rotationOf(a, layout);
      const { orth, moved } = tf.tidy(() => ({
        orth: tf.max(tf.abs(tf.sub(tf.matMul(r, r, true, false), tf.eye(n)))).dataSync()[0]!,
        moved: tf.max(tf.abs(tf.sub(r, tf.eye(n)))).dataSync()[0]!,
      }));
      expect(moved, name).toBeGreaterThan(1e-2);
      expect(orth, name).toBeLessThan(1e-5); // OFT's 5-term Neumann series reached 1.6e-4 after 40 steps of this test
      tf.dispose([r, a]);
    }
    // The scales train too.
    const spread = tf.tidy(() => tf.max(tf.abs(tf.sub(scales[0]!, 1))).dataSync()[0]!);
    expect(spread).toBeGreaterThan(1e-3);
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged and unmerged, and unmerging restores W bit for bit', () => {
    const { model, applied } = trained(6);
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('computes HF’s map: ((x·R)·W)·s + b, the bias left unscaled', () => {
    const { model, applied } = trained(6);
    const x = tf.randomNormal([5, TINY_DIMS.hiddenSize], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w = model.weight('h.0.fc1.weight') as tf.Variable<tf.Rank.R2>;
    const bias = model.weight('h.0.fc1.bias');
    const ctx = { batch: 1, seq: 5, prefixLength: 0, positions: [0, 1, 2, 3, 4], mode: 'eval' as const, step: 0 };
    // Sites go by layer, then map: layer 0's fc1 is the fifth map, so its scales follow the block variable and four others.
    const { a, layout } = mapsOf(model, applied.trainable[0]!).find((m) => m.name === 'h.0.fc1.weight')!;
    const s = applied.trainable[5] as tf.Variable<tf.Rank.R2>;
    expect(layout).toEqual({ factors: 3, blocks: 4, size: 4 });
    expect(s.shape).toEqual([32, 1]);
    const r = rotationOf(a, layout);
    const [hooked, direct, biasOut] = tf.tidy(() => {
      // What the forward pass computes with the hooked weights, and HF's forward on the same input.
      const out = tf.add(tf.matMul(x, applied.hooks.weight!('h.0.fc1.weight', w, ctx) as tf.Tensor2D), applied.hooks.weight!('h.0.fc1.bias', bias, ctx));
      const ref = tf.add(tf.mul(tf.matMul(tf.matMul(x, r), w), tf.reshape(s, [1, 32])), bias);
      return [out.dataSync() as Float32Array, ref.dataSync() as Float32Array, applied.hooks.weight!('h.0.fc1.bias', bias, ctx).dataSync() as Float32Array];
    });
    expect(maxAbsDiff(hooked, direct)).toBeLessThan(1e-5);
    expect(maxAbsDiff(biasOut, bias.dataSync() as Float32Array)).toBe(0);
    expect(maxAbsDiff(s.dataSync() as Float32Array, new Float32Array(32).fill(1))).toBeGreaterThan(1e-4); // s is not 1 any more
    tf.dispose([x, r, a]);
    applied.dispose();
    model.dispose();
  });
});

describe('BOFT settings HF PEFT refuses', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  const reason = (input: Record<string, number>) => boft.notApplicable!(llama, resolveConfig(boft, llama, input));

  it('says why, in a sentence, for each of HF’s errors', () => {
    expect(reason({})).toBeNull();
    expect(reason({ blockSize: 0 })).toMatch(/^Set a block size or a number of blocks: HF PEFT refuses both at 0/);
    expect(reason({ blockSize: 8, blockNum: 8 })).toMatch(/^Set either the block size \(8\) or the number of blocks \(8\) and the other to 0/);
    expect(reason({ blockSize: 12 })).toBe('A block size of 12 does not divide the 4096 inputs of a targeted map evenly (HF PEFT requires in_features divisible by boft_block_size): self_attn.q_proj in Llama 2 7B.');
    expect(reason({ blockSize: 0, blockNum: 3 })).toMatch(/^3 blocks do not divide the 4096 inputs/);
    // m = 3 with blocks of 2048 needs 4 × 2048 inputs.
    expect(reason({ blockSize: 2048, butterflyFactor: 3 })).toMatch(/^3 butterfly factors with blocks of 2048 need an input width that is a multiple of 2048 × 2\^2 = 8192/);
    expect(reason({ blockSize: 0, blockNum: 2, butterflyFactor: 3 })).toMatch(/^3 butterfly factors need a number of blocks that is a multiple of 2\^2 = 4; 2 is not/);
  });

  it('checks that blocks and block size are even once there is a butterfly, which OFT (one factor) does not need', () => {
    const t5 = findModel('t5-base').arch; // 768 inputs
    expect(boft.notApplicable!(t5, resolveConfig(boft, t5, { blockSize: 0, blockNum: 256 }))).toBeNull(); // blocks of 3
    expect(boft.notApplicable!(t5, resolveConfig(boft, t5, { blockSize: 0, blockNum: 256, butterflyFactor: 2 }))).toMatch(/block size must be even; a targeted map with 768 inputs gets 3/);
    expect(boft.notApplicable!(t5, resolveConfig(boft, t5, { blockSize: 3 }))).toBeNull();
    // 768 = 3 · 2 · 128: the width fits two factors of blocks of 3, but a block of 3 has no halves.
    expect(boft.notApplicable!(t5, resolveConfig(boft, t5, { blockSize: 3, butterflyFactor: 2 }))).toMatch(/block size must be even; a targeted map with 768 inputs gets 3/);
    expect(() => checkApplies(boft, t5, resolveConfig(boft, t5, { blockSize: 3, butterflyFactor: 2 }))).toThrow(RangeError);
  });

  it('refuses them on the toy as well', () => {
    const model = ToyModel.init(TINY_DIMS, 1);
    expect(() => boft.apply(model, resolveConfig(boft, model.arch, { blockSize: 3 }))).toThrow(/A block size of 3 does not divide the 16 inputs/);
    model.dispose();
  });
});

describe('BOFT counts on real models (HF PEFT’s boft_R [m, N, b, b] and boft_s [out, 1] per targeted map)', () => {
  const count = (id: string, input: Record<string, number | string[]> = {}) => {
    const arch = findModel(id).arch;
    return boft.trainableParams(arch, resolveConfig(boft, arch, input));
  };

  it('HF PEFT method_comparison, boft/llama-3.2-3B-default: 802,816 trainable', () => {
    // huggingface/peft method_comparison/MetaMathQA/results/boft--llama-3.2-3B-default.json at
    // 5d602fd: "num_trainable_params": 802816 (PEFT 0.19.2.dev0; block size 4, 1 factor, q_proj, v_proj).
    expect(count('meta-llama/Llama-3.2-3B')).toBe(802_816);
    // 28 layers × (q: 768 blocks of 4 × 4 + 3072 scales, v: the same blocks + 1024 scales).
    expect(28 * (768 * 16 + 3072 + (768 * 16 + 1024))).toBe(802_816);
  });

  // HF defaults (boft_block_size 4, boft_block_num 0, boft_n_butterfly_factor 1) on each family's
  // default targets (HF's BOFT table = LoRA's), by hand: per map 1·(in/4)·4·4 + out.
  it.each([
    ['meta-llama/Llama-2-7b-hf', 32 * 2 * (1 * (4096 / 4) * 4 * 4 + 4096)], // q, v 4096 → 4096
    ['Qwen/Qwen2.5-0.5B', 24 * ((896 / 4) * 16 + 896 + ((896 / 4) * 16 + 128))], // q 896 → 896, v 896 → 128
    ['mistralai/Mistral-7B-v0.1', 32 * ((4096 / 4) * 16 + 4096 + ((4096 / 4) * 16 + 1024))], // q → 4096, v → 1024
    ['t5-base', (12 * 2 + 12 * 4) * ((768 / 4) * 16 + 768)], // q, v of encoder self-, decoder self- and cross-attention
    ['gpt2', 12 * ((768 / 4) * 16 + 2304)], // c_attn 768 → 2304 (HF refuses the Conv1D; see the export note)
    ['bert-base-uncased', 12 * 2 * ((768 / 4) * 16 + 768)], // query, value
    ['facebook/opt-125m', 12 * 2 * ((768 / 4) * 16 + 768)], // q_proj, v_proj
  ])('%s with HF defaults: %i', (id, expected) => {
    expect(count(id)).toBe(expected);
  });

  it('the seven families, written out', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(1_310_720);
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(196_608);
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(1_212_416);
    expect(count('t5-base')).toBe(276_480);
    expect(count('gpt2')).toBe(64_512);
    expect(count('bert-base-uncased')).toBe(92_160);
    expect(count('facebook/opt-125m')).toBe(92_160);
  });

  it('counts m·N·b² + out per map with butterfly factors, by block size or by number of blocks', () => {
    // Llama-2-7B q, v; b = 8, m = 2: boft_R [2, 512, 8, 8].
    expect(count('meta-llama/Llama-2-7b-hf', { blockSize: 8, butterflyFactor: 2 })).toBe(32 * 2 * (2 * 512 * 8 * 8 + 4096));
    // OPT-125m, all six maps of a layer; N = 8 blocks, m = 3: b = 96 on 768 inputs, 384 on fc2's 3072.
    const opt = 12 * (4 * (3 * 8 * 96 * 96 + 768) + (3 * 8 * 96 * 96 + 3072) + (3 * 8 * 384 * 384 + 768));
    expect(count('facebook/opt-125m', { blockSize: 0, blockNum: 8, butterflyFactor: 3, targets: ['q_proj', 'k_proj', 'v_proj', 'out_proj', 'fc1', 'fc2'] })).toBe(opt);
  });

  it('with m = 1 trains OFT’s blocks as whole b × b matrices, plus the scales', () => {
    // HF's OFT stores b(b−1)/2 per block; BOFT stores b², and uses only the skew part.
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const profile = boft.profile(arch, resolveConfig(boft, arch, { blockSize: 32 }));
    expect(profile.tensors).toEqual([
      { shape: [1, 128, 32, 32], count: 32 },
      { shape: [4096, 1], count: 32 },
      { shape: [1, 128, 32, 32], count: 32 },
      { shape: [4096, 1], count: 32 },
    ]);
  });
});
