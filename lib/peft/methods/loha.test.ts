import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { checkApplies, notApplicableReason, resolveConfig } from '../method-api/config';
import { svd } from '../method-api/linalg';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { TOY_DIMS } from '../model/toy-arch';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { loha } from './loha';

const ALL_MAPS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'];

methodContract(loha, {
  configs: [
    { r: 2, alpha: 4, targets: ALL_MAPS },
    // Per-module rank and α on the toy's apply and anatomy.
    { r: 3, targets: ['q_proj', 'fc2'], rankPattern: 'fc2=5', alphaPattern: 'q_proj=1' },
  ],
});

beforeAll(useTestBackend);

type LohaConfig = Parameters<typeof loha.trainableParams>[1];
const count = (model: string, input: Record<string, string | number | string[]> = {}) => {
  const arch = findModel(model).arch;
  return loha.trainableParams(arch, resolveConfig<LohaConfig>(loha, arch, input));
};

/** Rank of a row-major matrix: singular values above a relative tolerance (float32 inputs). */
function numericalRank(values: ArrayLike<number>, rows: number, cols: number): number {
  const { s } = svd(values, rows, cols);
  return s.filter((v) => v > 1e-4 * (s[0] ?? 0)).length;
}

/** B·A in float64 for the toy's transposed factors B [in, r] and A [r, out]. */
function product(b: tfTypes.Variable, a: tfTypes.Variable): Float64Array {
  const [n, r] = b.shape as [number, number];
  const m = a.shape[1]!;
  const [B, A] = [b.dataSync(), a.dataSync()];
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < m; j++) out[i * m + j]! += B[i * r + k]! * A[k * m + j]!;
  return out;
}

/** (B1·A1) ⊙ (B2·A2): ΔW in our [in, out] layout before the α/r scale. */
function hadamardOfProducts(b1: tfTypes.Variable, a1: tfTypes.Variable, b2: tfTypes.Variable, a2: tfTypes.Variable): Float64Array {
  const second = product(b2, a2);
  return product(b1, a1).map((v, i) => v * second[i]!);
}

describe('LoHa on the toy', () => {
  it('starts with ΔW = 0: hada_w2_b is zero, so the outputs are exactly the base model’s', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = loha.apply(model, resolveConfig(loha, model.arch, { targets: ALL_MAPS }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    // Factors per map in HF's order w1_a, w1_b, w2_a, w2_b: only the last is zero.
    const norms = applied.trainable.slice(0, 4).map((v) => Math.max(...Array.from(v.dataSync(), Math.abs)));
    expect(norms.slice(0, 3).every((n) => n > 0)).toBe(true);
    expect(norms[3]).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('reaches a rank above r after training: r = 3 gives rank r² = 9 on a 64 × 64 map, a rank-3 LoRA at most 3', () => {
    const model = ToyModel.init(TOY_DIMS, 11);
    const applied = loha.apply(model, resolveConfig(loha, model.arch, { r: 3, alpha: 3, targets: ['q_proj'] }));
    const trainer = trainerFor(model, applied, { steps: 5, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i, 8, TOY_DIMS.context));
    const [w1a, w1b, w2a, w2b] = applied.trainable as tfTypes.Variable[];
    const delta = hadamardOfProducts(w1b!, w1a!, w2b!, w2a!);
    expect(numericalRank(delta, 64, 64)).toBe(9);
    // Each product alone has rank 3: the Hadamard product is what raises it.
    expect(numericalRank(product(w1b!, w1a!), 64, 64)).toBe(3);
    expect(numericalRank(product(w2b!, w2a!), 64, 64)).toBe(3);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('merges ΔW = (α/r)·(W1a W1b) ⊙ (W2a W2b) into W, same outputs, and unmerging restores W bit for bit', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = loha.apply(model, resolveConfig(loha, model.arch, { r: 2, alpha: 6, targets: ['q_proj'] }));
    const trainer = trainerFor(model, applied, { steps: 8, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 8; i++) trainer.step(fixedBatch(i));
    const before = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    applied.merge!();
    const merged = model.snapshot();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    const [w1a, w1b, w2a, w2b] = applied.trainable as tfTypes.Variable[];
    const expected = hadamardOfProducts(w1b!, w1a!, w2b!, w2a!).map((v) => (v * 6) / 2);
    const name = 'h.0.q_proj.weight';
    const delta = (merged.get(name) as Float32Array).map((v, i) => v - (before.get(name) as Float32Array)[i]!);
    expect(maxAbsDiff(delta, Float32Array.from(expected))).toBeLessThan(1e-6);
    applied.unmerge!();
    for (const [n, values] of model.snapshot()) expect(maxAbsDiff(values, before.get(n)!), n).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('LoHa on real models (HF PEFT LoHaConfig defaults: r = 8, alpha = 8, q and v)', () => {
  // HF PEFT's loha.Linear trains hada_w1_a, hada_w2_a (out × r) and hada_w1_b, hada_w2_b (r × in):
  // 2·r·(in + out) per targeted map (src/peft/tuners/loha/layer.py at 5d602fd), applied by hand.
  it('Llama 2 7B, q_proj and v_proj (4,096 → 4,096) in 32 layers: 8,388,608, twice LoRA’s 4,194,304', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(32 * 2 * (2 * 8 * (4096 + 4096)));
    expect(32 * 2 * (2 * 8 * (4096 + 4096))).toBe(8_388_608);
  });

  it('Qwen2.5-0.5B, q_proj 896 → 896 and v_proj 896 → 128 in 24 layers: 1,081,344', () => {
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(24 * (2 * 8 * (896 + 896) + 2 * 8 * (896 + 128)));
    expect(24 * (2 * 8 * (896 + 896) + 2 * 8 * (896 + 128))).toBe(1_081_344);
  });

  it('Mistral 7B, q_proj 4,096 → 4,096 and v_proj 4,096 → 1,024 in 32 layers: 6,815,744', () => {
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(32 * (2 * 8 * (4096 + 4096) + 2 * 8 * (4096 + 1024)));
    expect(32 * (2 * 8 * (4096 + 4096) + 2 * 8 * (4096 + 1024))).toBe(6_815_744);
  });

  it('T5-base, q and v of 36 attention blocks (encoder, decoder, cross), 768 → 768: 1,769,472', () => {
    expect(count('t5-base')).toBe(36 * 2 * (2 * 8 * (768 + 768)));
    expect(36 * 2 * 2 * 8 * 1536).toBe(1_769_472);
  });

  it('BERT-base, query and value in 12 layers: 589,824', () => {
    expect(count('bert-base-uncased')).toBe(12 * 2 * (2 * 8 * (768 + 768)));
  });

  it('OPT-125m, q_proj and v_proj in 12 layers: 589,824', () => {
    expect(count('facebook/opt-125m')).toBe(12 * 2 * (2 * 8 * (768 + 768)));
    expect(12 * 2 * 2 * 8 * 1536).toBe(589_824);
  });

  it('HF PEFT’s method comparison: Llama-3.2-3B, r = 32 on q_proj and v_proj trains 18,350,080', () => {
    // method_comparison/MetaMathQA/results/loha--llama-3.2-3B-rank32.json (huggingface/peft at 5d602fd):
    // "num_trainable_params": 18350080, with experiments/loha/llama-3.2-3B-rank32/adapter_config.json
    // (r 32, alpha 64, q_proj, v_proj). By hand: 28 × (2·32·(3,072 + 3,072) + 2·32·(3,072 + 1,024)).
    expect(count('meta-llama/Llama-3.2-3B', { r: 32, alpha: 64, targets: ['q_proj', 'v_proj'] })).toBe(18_350_080);
    expect(28 * (2 * 32 * (3072 + 3072) + 2 * 32 * (3072 + 1024))).toBe(18_350_080);
  });

  it('counts each module at its pattern rank, and the LM head (an nn.Linear) when named', () => {
    expect(count('meta-llama/Llama-2-7b-hf', { rankPattern: 'q_proj=16' })).toBe(32 * (2 * 16 * 8192 + 2 * 8 * 8192));
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['q_proj', 'v_proj', 'lm_head'] })).toBe(8_388_608 + 2 * 8 * (4096 + 32_000));
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(() => resolveConfig(loha, llama, { targets: ['embed_tokens'] })).toThrow(/cannot include the token embedding/);
  });

  it('refuses GPT-2, whose maps are transformers Conv1D modules that HF PEFT’s LoHa rejects', () => {
    const gpt2 = findModel('gpt2').arch;
    const config = resolveConfig<LohaConfig>(loha, gpt2);
    expect(config.targets).toEqual(['c_attn']);
    expect(() => checkApplies(loha, gpt2, config)).toThrow(/^HF PEFT's LoHa wraps only torch's Linear, Conv1d and Conv2d layers, and GPT-2 .*builds attn\.c_attn as transformers' Conv1D, so get_peft_model raises a TypeError/);
    expect(notApplicableReason(loha, gpt2, resolveConfig<LohaConfig>(loha, gpt2, { targets: ['mlp.c_fc', 'lm_head'] }))).toMatch(/mlp\.c_fc/);
    // Its LM head is an nn.Linear: that alone applies.
    const head = resolveConfig<LohaConfig>(loha, gpt2, { targets: ['lm_head'] });
    expect(notApplicableReason(loha, gpt2, head)).toBeNull();
    expect(loha.trainableParams(gpt2, head)).toBe(2 * 8 * (768 + 50_257));
    expect(loha.peft!(config, gpt2).note).toMatch(/TypeError/);
    expect(loha.peft!(head, gpt2).note).toBeUndefined();
  });

  it('exports HF PEFT’s LoHaConfig with its own argument names (alpha, not lora_alpha)', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const exported = loha.peft!(resolveConfig(loha, llama, { r: 16, alpha: 32, rankPattern: 'v_proj=4' }), llama);
    expect(exported.configClass).toBe('LoHaConfig');
    expect(exported.args).toEqual({ r: 16, alpha: 32, target_modules: ['q_proj', 'v_proj'], rank_pattern: { v_proj: 4 }, alpha_pattern: undefined });
  });
});
