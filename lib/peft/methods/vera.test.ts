import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { profileSaved } from '../method-api/profile';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';
import { type VeraConfig, applyVera, vera } from './vera';

methodContract(vera, {
  configs: [
    // Maps of different shapes share one pair, sliced per map; biases of the targeted maps.
    { r: 8, targets: ['q_proj', 'v_proj', 'fc1', 'fc2'], bias: 'vera_only' },
    { r: 3, dInitial: 1, targets: ['mlp.fc2'], saveProjection: 'true' },
  ],
});

beforeAll(useTestBackend);

const resolve = (arch: Parameters<typeof vera.trainableParams>[0], input: Record<string, string | number | string[]> = {}) => resolveConfig<VeraConfig>(vera, arch, input);
const count = (modelId: string, input: Record<string, string | number | string[]> = {}) => {
  const arch = findModel(modelId).arch;
  return vera.trainableParams(arch, resolve(arch, input));
};
const saved = (modelId: string, input: Record<string, string | number | string[]> = {}) => {
  const arch = findModel(modelId).arch;
  return vera.savedParams(arch, resolve(arch, input));
};

describe('VeRA on the toy', () => {
  // fc1 (16 → 32) and fc2 (32 → 16) make the shared pair 32 wide on both sides.
  const targets = ['q_proj', 'v_proj', 'fc1', 'fc2'];

  it('makes one shared pair, sized by the largest in and out, and nothing else but the vectors', () => {
    const model = ToyModel.init(TINY_DIMS, 1);
    const before = tf.memory().numTensors;
    const applied = applyVera(model, resolve(model.arch, { r: 5, targets }), { seed: 2 });
    expect(applied.shared.a.shape).toEqual([5, TINY_DIMS.ffnSize]);
    expect(applied.shared.b.shape).toEqual([TINY_DIMS.ffnSize, 5]);
    // Two vectors per targeted map and layer, plus the two shared matrices: no per-layer copies.
    expect(applied.vectors.size).toBe(TINY_DIMS.layers * targets.length);
    expect(tf.memory().numTensors - before).toBe(2 * applied.vectors.size + 2);
    expect(applied.trainable).not.toContain(applied.shared.a);
    expect(applied.trainable).not.toContain(applied.shared.b);
    const q = applied.vectors.get('0.q_proj')!;
    expect([q.d.shape, q.b.shape]).toEqual([[5], [TINY_DIMS.hiddenSize]]);
    expect([...q.d.dataSync()].every((v) => Math.abs(v - 0.1) < 1e-7)).toBe(true); // λ_d = d_initial
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBe(0); // λ_b = 0: ΔW = 0
    applied.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('draws the pair Kaiming-uniform from the seed: bounds √(6/in) and √(6/r), the same for the same seed', () => {
    const model = ToyModel.init(TINY_DIMS, 1);
    const config = resolve(model.arch, { r: 4, targets });
    const [one, two, other] = [applyVera(model, config, { seed: 7 }), applyVera(model, config, { seed: 7 }), applyVera(model, config, { seed: 8 })];
    const a = one.shared.a.dataSync() as Float32Array;
    const b = one.shared.b.dataSync() as Float32Array;
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / TINY_DIMS.ffnSize));
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.8 * Math.sqrt(6 / TINY_DIMS.ffnSize));
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 4));
    expect(maxAbsDiff(a, two.shared.a.dataSync() as Float32Array)).toBe(0);
    expect(maxAbsDiff(b, two.shared.b.dataSync() as Float32Array)).toBe(0);
    expect(maxAbsDiff(a, other.shared.a.dataSync() as Float32Array)).toBeGreaterThan(0);
    for (const x of [one, two, other]) x.dispose();
    model.dispose();
  });

  it('trains only the vectors: the shared pair stays bit-identical, every λ_b moves', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const applied = applyVera(model, resolve(model.arch, { r: 6, targets }), { seed: 1 });
    const a0 = applied.shared.a.dataSync().slice();
    const b0 = applied.shared.b.dataSync().slice();
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 2e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    expect(maxAbsDiff(applied.shared.a.dataSync() as Float32Array, a0 as Float32Array)).toBe(0);
    expect(maxAbsDiff(applied.shared.b.dataSync() as Float32Array, b0 as Float32Array)).toBe(0);
    for (const [site, { b }] of applied.vectors) expect(Math.max(...(b.dataSync() as Float32Array).map(Math.abs)), site).toBeGreaterThan(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('every layer’s update is Λ_b B Λ_d A built from leading slices of the same pair; merge equals the unmerged forward; unmerge restores W exactly', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const r = 6;
    const applied = applyVera(model, resolve(model.arch, { r, targets }), { seed: 9 });
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 2e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4); // the update is not trivial
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    // ΔW[i][o] = Σ_k A[k][i] · λ_d[k] · B[o][k] · λ_b[o], with A [r, 32] and B [32, r] in HF's layout.
    const [A, B] = [applied.shared.a.dataSync(), applied.shared.b.dataSync()];
    const width = TINY_DIMS.ffnSize;
    const merged = model.snapshot();
    for (const [key, { d, b }] of applied.vectors) {
      const [layer, name] = key.split('.');
      const weight = `h.${layer}.${name}.weight`;
      const out = b.size;
      const inF = (original.get(weight) as Float32Array).length / out;
      const [ld, lb] = [d.dataSync(), b.dataSync()];
      let worst = 0;
      for (let i = 0; i < inF; i++) {
        for (let o = 0; o < out; o++) {
          let sum = 0;
          for (let k = 0; k < r; k++) sum += A[k * width + i]! * ld[k]! * B[o * r + k]! * lb[o]!;
          const actual = merged.get(weight)![i * out + o]! - original.get(weight)![i * out + o]!;
          worst = Math.max(worst, Math.abs(actual - sum));
        }
      }
      expect(worst, key).toBeLessThan(1e-5);
    }
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('VeRA counts on real models (HF PEFT VeraConfig defaults: r = 256, LoRA’s default targets)', () => {
  // HF PEFT trains vera_lambda_d (r) and vera_lambda_b (out_features) per wrapped module
  // (tuners/vera/layer.py, update_layer, at 5d602fd); vera_A and vera_B are buffers.
  it.each([
    // q_proj 4,096 → 4,096 and v_proj 4,096 → 4,096 in 32 layers.
    ['meta-llama/Llama-2-7b-hf', 32 * 2 * (256 + 4_096)],
    // Qwen2.5-0.5B: 24 layers, q_proj 896 → 896, v_proj 896 → 128 (2 KV heads × 64).
    ['Qwen/Qwen2.5-0.5B', 24 * ((256 + 896) + (256 + 128))],
    // Mistral 7B: 32 layers, q_proj 4,096 → 4,096, v_proj 4,096 → 1,024 (8 KV heads × 128).
    ['mistralai/Mistral-7B-v0.1', 32 * ((256 + 4_096) + (256 + 1_024))],
    // T5-base: q and v of the encoder's self-attention (12 layers) and of the decoder's self- and
    // cross-attention (12 layers), all 768 → 768.
    ['t5-base', 12 * 2 * (256 + 768) + 12 * 4 * (256 + 768)],
    // GPT-2: c_attn (a Conv1D, 768 → 2,304) in 12 layers.
    ['gpt2', 12 * (256 + 2_304)],
    // BERT base: query and value, 768 → 768, 12 layers.
    ['bert-base-uncased', 12 * 2 * (256 + 768)],
    // OPT-125m: q_proj and v_proj, 768 → 768, 12 layers.
    ['facebook/opt-125m', 12 * 2 * (256 + 768)],
  ])('%s: %i', (modelId, expected) => {
    expect(count(modelId)).toBe(expected);
    // Nothing beyond the vectors is saved by default (save_projection=False).
    expect(saved(modelId)).toBe(expected);
  });

  it('spells out the seven sums', () => {
    expect([32 * 2 * (256 + 4_096), 24 * (1_152 + 384), 32 * (4_352 + 1_280), 36 * 1_024 * 2, 12 * 2_560, 24 * 1_024]).toEqual([278_528, 36_864, 180_224, 73_728, 30_720, 24_576]);
  });

  it('HF PEFT method comparison (MetaMathQA, vera--llama-3.2-3B-default.json at 5d602fd): 129,024 trainable, and a 6,821,968-byte checkpoint with save_projection=True', () => {
    // 28 layers × (q_proj 256 + 3,072, v_proj 256 + 1,024) = 129,024, the run's num_trainable_params.
    expect(count('meta-llama/Llama-3.2-3B')).toBe(129_024);
    // The run saved the pair too: A 256 × 3,072 and B 3,072 × 256 in fp32, beside the vectors. The
    // safetensors file adds a JSON header (key names and offsets) of the remaining 14,416 bytes.
    const withPair = saved('meta-llama/Llama-3.2-3B', { saveProjection: 'true' });
    expect(withPair).toBe(129_024 + 2 * 256 * 3_072);
    expect(6_821_968 - 4 * withPair).toBe(14_416);
  });

  it('saves the shared pair with saveProjection (HF’s default), sized by the largest in and out among the targets', () => {
    // Llama 2 7B: A 256 × 4,096 and B 4,096 × 256.
    expect(saved('meta-llama/Llama-2-7b-hf', { saveProjection: 'true' }) - count('meta-llama/Llama-2-7b-hf')).toBe(2 * 256 * 4_096);
    // GPT-2's c_attn: A 256 × 768, B 2,304 × 256.
    expect(saved('gpt2', { saveProjection: 'true' }) - count('gpt2')).toBe(256 * 768 + 2_304 * 256);
    // Llama 2 7B on all seven maps: largest in is down_proj's 11,008, largest out gate/up_proj's 11,008.
    const all = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
    expect(count('meta-llama/Llama-2-7b-hf', { targets: all })).toBe(32 * (7 * 256 + 4 * 4_096 + 2 * 11_008 + 4_096));
    expect(saved('meta-llama/Llama-2-7b-hf', { targets: all, saveProjection: 'true' }) - count('meta-llama/Llama-2-7b-hf', { targets: all })).toBe(2 * 256 * 11_008);
  });

  it('holds the pair in memory as frozen tensors whatever is saved, and trains none of it', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    for (const saveProjection of ['false', 'true']) {
      const p = vera.profile(llama, resolve(llama, { saveProjection }));
      expect(p.frozen).toEqual([
        { shape: [256, 4_096], count: 1 },
        { shape: [4_096, 256], count: 1 },
      ]);
      expect(p.tensors.every((t) => t.shape.length === 1)).toBe(true);
      expect(profileSaved(p)).toBe(saveProjection === 'true' ? 278_528 + 2_097_152 : 278_528);
    }
  });

  it('trains far fewer parameters than LoRA at its default rank: Llama 2 7B, q and v, 278,528 against 4,194,304', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(lora.trainableParams(llama, resolveConfig(lora, llama, { r: 8 }))).toBe(4_194_304);
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(278_528);
  });

  it('can wrap the LM head (an nn.Linear), which widens B to the vocabulary; the embedding it cannot', () => {
    // Llama 2 7B: + λ_d 256 + λ_b 32,000 for lm_head; B becomes 32,000 × 256.
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['q_proj', 'v_proj', 'lm_head'] })).toBe(278_528 + 256 + 32_000);
    expect(saved('meta-llama/Llama-2-7b-hf', { targets: ['q_proj', 'v_proj', 'lm_head'], saveProjection: 'true' })).toBe(278_528 + 256 + 32_000 + 256 * 4_096 + 32_000 * 256);
    expect(() => count('meta-llama/Llama-2-7b-hf', { targets: ['embed_tokens'] })).toThrow(/cannot include the token embedding "embed_tokens"/);
  });

  it('bias modes follow HF (vera_only: the wrapped maps’ biases)', () => {
    // BERT: query and value biases, 12 × 2 × 768 = 18,432.
    expect(count('bert-base-uncased', { bias: 'vera_only' })).toBe(24_576 + 18_432);
    expect(() => count('bert-base-uncased', { bias: 'lora_only' })).toThrow(/Bias must be one of none, all, vera_only/);
  });

  it('accepts any r ≥ 1, as HF does (it refuses only r ≤ 0), and refuses 0 with the setting named', () => {
    expect(count('bert-base-uncased', { r: 1024 })).toBe(12 * 2 * (1_024 + 768));
    expect(() => count('bert-base-uncased', { r: 0 })).toThrow(/Rank r must be between 1/);
  });

  it('exports HF PEFT’s VeraConfig, writing save_projection out and saying what HF’s default adds', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const byDefault = vera.peft!(resolve(llama), llama);
    expect(byDefault.configClass).toBe('VeraConfig');
    expect(byDefault.args).toMatchObject({ r: 256, d_initial: 0.1, save_projection: false, bias: 'none', target_modules: ['q_proj', 'v_proj'] });
    expect(byDefault.note).toMatch(/HF's default is save_projection=True, .*\(2,097,152 values\)/);
    expect(vera.peft!(resolve(llama, { saveProjection: 'true' }), llama).args.save_projection).toBe(true);
  });
});
