import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { dora } from './dora';
import { lora } from './lora';

methodContract(dora, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
    { r: 5, targets: ['mlp.fc2'] },
    // Per-module ranks and α, and the biases of the targeted maps.
    { r: 2, targets: ['q_proj', 'v_proj', 'fc1'], rankPattern: 'q_proj=3,fc.*=5', alphaPattern: 'v_proj=1', bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

type DoraConfig = Parameters<typeof dora.trainableParams>[1];
const HIDDEN = TINY_DIMS.hiddenSize;

/** Norms of the columns of a row-major [rows, cols] matrix, in double precision. */
function columnNorms(w: Float32Array, rows: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, j) => Math.sqrt(Array.from({ length: rows }, (_, i) => w[i * cols + j]! ** 2).reduce((s, v) => s + v, 0)));
}

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

describe('DoRA on the toy', () => {
  it('starts the magnitude at the column norms of W (one per output feature) and leaves the outputs unchanged', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = dora.apply(model, resolveConfig<DoraConfig>(dora, model.arch, { r: 2, targets: ['q_proj', 'fc1'] }));
    // Per layer and target: A, B, m.
    const [, , mQ, , , mFc1] = applied.trainable;
    expect(mQ!.shape).toEqual([HIDDEN]);
    expect(mFc1!.shape).toEqual([TINY_DIMS.ffnSize]);
    const expectNorms = (m: tf.Variable, name: string, rows: number, cols: number) => {
      const expected = columnNorms(model.snapshot().get(name)!, rows, cols);
      values(m).forEach((v, j) => expect(v, `${name} column ${j}`).toBeCloseTo(expected[j]!, 6));
    };
    expectNorms(mQ!, 'h.0.q_proj.weight', HIDDEN, HIDDEN);
    expectNorms(mFc1!, 'h.0.fc1.weight', HIDDEN, TINY_DIMS.ffnSize);
    // B = 0 and m = ‖W‖: c = 1 and the update is zero, so the forward pass is the base one.
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('merges to W′ = m·(W + s·AB)/‖W + s·AB‖ with the outputs unchanged, and unmerging restores W bit for bit', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const scale = 8 / 4;
    // Biases trained too, so the merge is checked with biases that the magnitude must not rescale.
    const config = resolveConfig<DoraConfig>(dora, model.arch, { r: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'fc2'], bias: 'lora_only' });
    const applied = dora.apply(model, config);
    const [a, b, m] = applied.trainable as tf.Variable[];
    const m0 = values(m!).slice();
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(values(m!), m0), 'the magnitude is trained').toBeGreaterThan(1e-4);
    expect(maxAbsDiff(values(model.weight('h.0.q_proj.bias')), new Float32Array(HIDDEN)), 'the bias is trained').toBeGreaterThan(1e-4);

    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model)), 'the update is not trivial').toBeGreaterThan(1e-4);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);

    // The merged q_proj of layer 0, computed here in double precision.
    const w = original.get('h.0.q_proj.weight')!;
    const [av, bv, mv] = [values(a!), values(b!), values(m!)];
    const v = Float64Array.from(w, (x, k) => {
      const [i, j] = [Math.floor(k / HIDDEN), k % HIDDEN];
      let ab = 0;
      for (let t = 0; t < 4; t++) ab += av[i * 4 + t]! * bv[t * HIDDEN + j]!;
      return x + scale * ab;
    });
    const norms = columnNorms(Float32Array.from(v), HIDDEN, HIDDEN);
    const expected = Float32Array.from(v, (x, k) => (mv[k % HIDDEN]! * x) / norms[k % HIDDEN]!);
    const merged = model.snapshot().get('h.0.q_proj.weight')!;
    expect(maxAbsDiff(merged, expected)).toBeLessThan(1e-6);
    // After the merge each output feature's weights have the trained magnitude as their norm.
    columnNorms(merged, HIDDEN, HIDDEN).forEach((n, j) => expect(n).toBeCloseTo(mv[j]!, 5));

    applied.unmerge!();
    for (const [name, vals] of model.snapshot()) expect(maxAbsDiff(vals, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('holds the norm constant for the gradient (§4.3): A and B get only the gradient through the numerator', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const applied = dora.apply(model, resolveConfig<DoraConfig>(dora, model.arch, { r: 3, alpha: 6, targets: ['q_proj'] }), { seed: 4 });
    const [a, b, m] = applied.trainable as tf.Variable[];
    b!.assign(tf.randomNormal([3, HIDDEN], 0, 0.1, 'float32', 1));
    m!.assign(tf.mul(m!, 1.3));
    const linear = model.arch.stacks[0]!.linears.find((l) => l.name === 'q_proj')!;
    const site = { layer: 0, name: linear.name, path: linear.path, role: linear.role };
    const x = tf.randomNormal<tf.Rank.R2>([5, HIDDEN], 0, 1, 'float32', 2);
    const w = model.weight('h.0.q_proj.weight') as tf.Tensor2D;
    const readout = tf.randomNormal<tf.Rank.R2>([5, HIDDEN], 0, 1, 'float32', 3);
    const loss = (out: () => tf.Tensor) => () => tf.sum(tf.mul(out(), readout)) as tf.Scalar;
    const ctx = { batch: 1, seq: 5, prefixLength: 0, positions: [0, 1, 2, 3, 4], mode: 'train' as const, step: 0 };
    const ours = tf.variableGrads(loss(() => applied.hooks.linear!(site, x, tf.matMul(x, w), ctx)), [a!, b!, m!]);
    // The same output with ‖W + s·AB‖ as a plain constant: gradients must agree.
    const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.add(w, tf.mul(tf.matMul(a!, b!), 2))), 0)));
    const constant = tf.variableGrads(loss(() => tf.mul(tf.div(m!, norm), tf.add(tf.matMul(x, w), tf.mul(tf.matMul(tf.matMul(x, a!), b!), 2)))), [a!, b!, m!]);
    for (const v of [a!, b!, m!]) expect(maxAbsDiff(values(ours.grads[v.name]!), values(constant.grads[v.name]!))).toBeLessThan(1e-5);
    expect(maxAbsDiff(values(ours.grads[a!.name]!), new Float32Array(HIDDEN * 3))).toBeGreaterThan(1e-3);
    tf.dispose([x, readout, norm, ours.value, constant.value, ...Object.values(ours.grads), ...Object.values(constant.grads)]);
    applied.dispose();
    model.dispose();
  });
});

/*
 * Exact counts on real models. HF PEFT (commit 5d602fdb, src/peft/tuners/lora/variants.py
 * DoraLinearVariant.init → dora.py DoraLinearLayer.update_layer) wraps each targeted Linear in
 * lora_A (r × in) and lora_B (out × r) as LoRA does, plus lora_magnitude_vector of
 * `torch.linalg.norm(weight, dim=1)`: out_features values. So per targeted map r·(in + out) + out,
 * written out below from each config.json's shapes.
 */
describe('DoRA on real models (HF PEFT LoraConfig(use_dora=True))', () => {
  const count = (id: string, input: Record<string, string | number | string[]>) => {
    const arch = findModel(id).arch;
    return dora.trainableParams(arch, resolveConfig<DoraConfig>(dora, arch, { r: 8, ...input }));
  };

  it.each([
    // 32 layers × (q 4,096→4,096 and v 4,096→4,096): 32 × 2 × (8 × (4,096 + 4,096) + 4,096)
    ['meta-llama/Llama-2-7b-hf', ['q_proj', 'v_proj'], 32 * 2 * (8 * (4096 + 4096) + 4096), 4_456_448],
    // 24 layers × (q 896→896, v 896→128 under grouped-query attention)
    ['Qwen/Qwen2.5-0.5B', ['q_proj', 'v_proj'], 24 * (8 * (896 + 896) + 896 + 8 * (896 + 128) + 128), 565_248],
    // 32 layers × (q 4,096→4,096, v 4,096→1,024)
    ['mistralai/Mistral-7B-v0.1', ['q_proj', 'v_proj'], 32 * (8 * (4096 + 4096) + 4096 + 8 * (4096 + 1024) + 1024), 3_571_712],
    // q and v match the encoder's self-attention (12 layers) and the decoder's self- and
    // cross-attention (12 layers × 2): 72 maps of 768 → 768.
    ['t5-base', ['q', 'v'], (12 * 2 + 12 * 4) * (8 * (768 + 768) + 768), 940_032],
    // The fused c_attn (Conv1D, fan_in_fan_out: the norm is still per output feature): 768 → 2,304.
    ['gpt2', ['c_attn'], 12 * (8 * (768 + 2304) + 2304), 322_560],
    ['bert-base-uncased', ['query', 'value'], 12 * 2 * (8 * (768 + 768) + 768), 313_344],
    ['facebook/opt-125m', ['q_proj', 'v_proj'], 12 * 2 * (8 * (768 + 768) + 768), 313_344],
  ] as const)('%s, r = 8 on %j: %i', (id, targets, formula, written) => {
    expect(formula).toBe(written);
    expect(count(id, { targets: [...targets] })).toBe(formula);
  });

  it("matches HF PEFT's printed count for OPT-125m with every linear map of its blocks: 1,410,048", () => {
    // huggingface/peft pull request #1806 (the DoRA refactor for FSDP), training log:
    // "trainable params: 1,410,048 || all params: 126,649,344". The config is not in the log; the
    // count is r = 8 on q, k, v, out_proj, fc1, fc2 (all params = OPT-125m's 125,239,296 + these).
    const perLayer = 4 * (8 * (768 + 768) + 768) + (8 * (768 + 3072) + 3072) + (8 * (3072 + 768) + 768);
    expect(12 * perLayer).toBe(1_410_048);
    expect(count('facebook/opt-125m', { targets: ['q_proj', 'k_proj', 'v_proj', 'out_proj', 'fc1', 'fc2'] })).toBe(1_410_048);
  });

  it('adds exactly Σ out_features to LoRA on the same targets (Llama 2 7B, every linear map)', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const targets = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
    const loraCount = lora.trainableParams(llama, resolveConfig(lora, llama, { r: 8, targets }));
    // 32 × (4 × 4,096 + 2 × 11,008 + 4,096) magnitudes
    expect(count('meta-llama/Llama-2-7b-hf', { targets }) - loraCount).toBe(32 * (4 * 4096 + 2 * 11008 + 4096));
    expect(count('meta-llama/Llama-2-7b-hf', { targets })).toBe(19_988_480 + 1_359_872);
  });

  it('on the token embedding (DoraEmbeddingLayer) adds one magnitude per embedding dimension, on the LM head one per vocabulary entry', () => {
    // Embedding: lora_embedding_A 8 × 32,000, lora_embedding_B 4,096 × 8, and the norm of
    // (W + ΔW)ᵀ over the vocabulary (fan_in_fan_out=True): 4,096 magnitudes.
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['embed_tokens'] })).toBe(8 * (32_000 + 4096) + 4096);
    // LM head: a Linear(4,096 → 32,000), so 32,000 magnitudes.
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['lm_head'] })).toBe(8 * (4096 + 32_000) + 32_000);
    // OPT-350m's embedding is 512 wide (project_in maps it to 1,024).
    expect(count('facebook/opt-350m', { targets: ['embed_tokens'] })).toBe(8 * (50_272 + 512) + 512);
  });

  it('follows the rank pattern for A and B; the magnitude stays one per output feature', () => {
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['q_proj', 'v_proj'], rankPattern: 'q_proj=16' })).toBe(32 * (16 * 8192 + 8 * 8192 + 2 * 4096));
  });

  it('exports LoraConfig with use_dora=True and LoRA’s other arguments', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const exported = dora.peft!(resolveConfig<DoraConfig>(dora, llama, { r: 16, alpha: 32 }), llama);
    expect(exported.configClass).toBe('LoraConfig');
    expect(exported.args).toMatchObject({ r: 16, lora_alpha: 32, use_dora: true, target_modules: ['q_proj', 'v_proj'], bias: 'none' });
  });

  it("defaults to HF PEFT's LoraConfig: r = 8, lora_alpha = 8, q and v", () => {
    const config = resolveConfig<DoraConfig>(dora, findModel('meta-llama/Llama-2-7b-hf').arch);
    expect([config.r, config.alpha, config.targets]).toEqual([8, 8, ['q_proj', 'v_proj']]);
  });

  it('keeps, per token, LoRA’s x·A plus both terms the magnitude multiplies (2 × out per map)', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const config = resolveConfig<DoraConfig>(dora, llama, { r: 8, targets: ['q_proj', 'v_proj'] });
    expect(dora.profile(llama, config).extraActivationValues!(llama.stacks[0]!, 512)).toBe(2 * 8 + 2 * 2 * 4096);
  });
});
