import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkApplies, resolveConfig } from '../method-api/config';
import { bitfit } from './bitfit';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';

methodContract(lora, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
    { r: 5, targets: ['mlp.fc2'] },
    // Per-module ranks and α, and the biases of the targeted maps, on the toy's apply and anatomy.
    { r: 2, targets: ['q_proj', 'v_proj', 'fc1'], rankPattern: 'q_proj=3,fc.*=5', alphaPattern: 'v_proj=1', bias: 'lora_only' },
    { targets: ['q_proj'], bias: 'all' },
  ],
});

beforeAll(useTestBackend);

describe('LoRA on the toy', () => {
  it('leaves the outputs unchanged while B is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { targets: ['q_proj', 'v_proj', 'fc1'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
  });

  it('gives the same outputs merged and unmerged, and unmerging restores W', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4); // the update is not trivial
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
  });
});

describe('LoRA on real models', () => {
  it.each([...surveyCounts('lora (q,v)'), ...surveyCounts('hf_lora (q,v)')])("reproduces the survey's q,v count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, alpha: 8, targets: ['q', 'v'] }))).toBe(count);
  });

  it.each(surveyCounts('hf_lora_all'))("reproduces the survey's all-maps count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, alpha: 8, targets: ['q', 'k', 'v', 'o', 'wi', 'wo'] }))).toBe(count);
  });

  it('HF PEFT: Llama-2-7B, r = 8 on q_proj and v_proj trains 4,194,304 parameters', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, targets: ['q_proj', 'v_proj'] }))).toBe(4_194_304);
  });

  it('defaults to q and v, or to the fused qkv map where attention has one', () => {
    expect(resolveConfig(lora, findModel('meta-llama/Llama-2-7b-hf').arch).targets).toEqual(['q_proj', 'v_proj']);
    expect(resolveConfig(lora, findModel('gpt2').arch).targets).toEqual(['c_attn']);
    expect(resolveConfig(lora, findModel('bigscience/bloom-560m').arch).targets).toEqual(['query_key_value']);
  });

  it('rejects impossible settings with a message naming them', () => {
    const arch = findModel('gpt2').arch;
    expect(() => resolveConfig(lora, arch, { r: 0 })).toThrow(/Rank r must be between 1/);
    expect(() => resolveConfig(lora, arch, { targets: ['q_proj'] })).toThrow(/no linear map matching "q_proj"/);
    expect(() => resolveConfig(lora, arch, { targets: ['c_proj'] })).toThrow(/"c_proj" is ambiguous .*attn\.c_proj, mlp\.c_proj/);
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 4, targets: ['mlp.c_proj'] }))).toBe(12 * 4 * (3072 + 768));
  });
});

describe('LoRA on the embedding and the LM head (HF PEFT lora.Embedding and lora.Linear)', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  const count = (arch: typeof llama, input: Record<string, string | number | string[]>) => lora.trainableParams(arch, resolveConfig(lora, arch, input));

  it('Llama 2 7B, r = 8 on embed_tokens: lora_embedding_A 8 × 32,000 + lora_embedding_B 4,096 × 8 = 288,768', () => {
    expect(count(llama, { r: 8, targets: ['embed_tokens'] })).toBe(8 * (32_000 + 4_096));
    expect(8 * (32_000 + 4_096)).toBe(288_768);
  });

  it('Llama 2 7B, r = 8 on q_proj, v_proj and lm_head: 4,194,304 + a Linear(4,096 → 32,000) update 8 × (4,096 + 32,000)', () => {
    expect(count(llama, { r: 8, targets: ['q_proj', 'v_proj', 'lm_head'] })).toBe(4_194_304 + 288_768);
  });

  it('GPT-2 ties lm_head to wte; without ensure_weight_tying HF PEFT gives each its own adapter, so both count', () => {
    // c_attn: 12 × 8 × (768 + 2,304) = 294,912; wte: 8 × (50,257 + 768) = 408,200; lm_head the same.
    const gpt2 = findModel('gpt2').arch;
    expect(gpt2.tiedEmbeddings).toBe(true);
    expect(count(gpt2, { r: 8, targets: ['c_attn', 'wte', 'lm_head'] })).toBe(294_912 + 2 * 408_200);
    expect(lora.peft!(resolveConfig(lora, gpt2, { targets: ['c_attn', 'lm_head'] }), gpt2).note).toMatch(/ties its LM head .*ensure_weight_tying=True/);
  });

  it("uses the embedding's own width where it differs from the hidden size (OPT-350m: 512)", () => {
    // 8 × (50,272 + 512) = 406,272
    expect(count(findModel('facebook/opt-350m').arch, { r: 8, targets: ['embed_tokens'] })).toBe(406_272);
  });

  it('marks the embedding and the head as added in its anatomy', () => {
    const parts = lora.anatomy(llama, resolveConfig(lora, llama, { targets: ['q_proj', 'embed_tokens', 'lm_head'] })).map((a) => a.part);
    expect(parts).toEqual(['embedding', 'attn.q', 'head']);
  });

  it('keeps the toy, which has no module names, to its linear maps', () => {
    const toy = ToyModel.init(TINY_DIMS, 1);
    expect(() => resolveConfig(lora, toy.arch, { targets: ['lm_head'] })).toThrow(/no linear map matching "lm_head"/);
    toy.dispose();
  });
});

describe('LoRA bias modes (HF PEFT bias)', () => {
  const bert = findModel('bert-base-uncased').arch;
  const count = (input: Record<string, string | number | string[]>) => lora.trainableParams(bert, resolveConfig(lora, bert, { r: 8, targets: ['query', 'value'], ...input }));
  // query and value in 12 layers: 12 × 2 × 8 × (768 + 768) = 294,912
  const adapters = 294_912;

  it("'none' trains the adapters only", () => expect(count({ bias: 'none' })).toBe(adapters));

  it("'lora_only' adds the biases of the targeted maps: 12 × 2 × 768 = 18,432", () => {
    expect(count({ bias: 'lora_only' })).toBe(adapters + 18_432);
  });

  it("'all' adds every bias, as BitFit trains them: 12 × (4 × 768 + 3,072 + 768 + 2 × 768) + embeddings.LayerNorm's 768 = 102,144", () => {
    expect(count({ bias: 'all' })).toBe(adapters + 102_144);
    expect(bitfit.trainableParams(bert, {})).toBe(102_144);
    // They are base weights: HF PEFT's "all params" does not grow by them.
    expect(lora.profile(bert, resolveConfig(lora, bert, { targets: ['query'], bias: 'all' })).trainableInBase).toBe(102_144);
  });

  it('adds nothing on a model without biases (Llama 2 7B)', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(lora.trainableParams(llama, resolveConfig(lora, llama, { bias: 'all' }))).toBe(4_194_304);
  });

  it('declares the trained biases in its anatomy', () => {
    const attachments = lora.anatomy(bert, resolveConfig(lora, bert, { targets: ['query', 'value'], bias: 'lora_only' }));
    expect(attachments.filter((a) => a.kind === 'trained').map((a) => a.part)).toEqual(['attn.q', 'attn.v']);
  });
});

describe('LoRA rank and alpha patterns (HF PEFT rank_pattern, alpha_pattern)', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
  type LoraConfig = Parameters<typeof lora.trainableParams>[1];
  const resolve = (input: Record<string, string | number | string[]>) => resolveConfig<LoraConfig>(lora, llama, { r: 8, targets: ['q_proj', 'v_proj'], ...input });

  it('counts each module at its pattern rank: Llama 2 7B, q_proj at 16 and v_proj at 8: 32 × (16 + 8) × 8,192 = 6,291,456', () => {
    expect(lora.trainableParams(llama, resolve({ rankPattern: 'q_proj=16' }))).toBe(32 * (16 + 8) * 8_192);
    expect(32 * 24 * 8_192).toBe(6_291_456);
  });

  it('matches keys as regular expressions against the end of the module path, first match wins', () => {
    const rank = (pattern: string) => lora.trainableParams(llama, resolve({ rankPattern: pattern })) / (32 * 8_192);
    expect(rank('self_attn.q_proj=16')).toBe(16 + 8);
    expect(rank('q_proj|v_proj=4')).toBe(4 + 4);
    expect(rank('.*_proj=2')).toBe(2 + 2);
    expect(rank('q_proj=4, .*=16')).toBe(4 + 16);
    expect(rank('.*=16,q_proj=4')).toBe(16 + 16);
  });

  it('applies to the embedding by its name', () => {
    const config = resolveConfig<LoraConfig>(lora, llama, { r: 8, targets: ['embed_tokens'], rankPattern: 'embed_tokens=4' });
    expect(lora.trainableParams(llama, config)).toBe(4 * (32_000 + 4_096));
  });

  it('resolves to normalised text and refuses bad entries with one sentence naming them', () => {
    const rankOk = (pattern: string) => resolve({ rankPattern: pattern }).rankPattern === pattern;
    expect(resolve({ rankPattern: ' q_proj = 16 ,, v_proj=4 ' }).rankPattern).toBe('q_proj=16,v_proj=4');
    expect(() => resolve({ rankPattern: 'q_proj' })).toThrow(/^Rank pattern entry "q_proj" must be written module=value, as in q_proj=16$/);
    expect(() => resolve({ rankPattern: 'q_proj=0x10' })).toThrow(/^Rank pattern value for "q_proj" must be a decimal number, got "0x10"$/);
    expect(() => resolve({ rankPattern: 'q_proj=2.5' })).toThrow(/^Rank pattern value for "q_proj" must be a whole number$/);
    expect(() => resolve({ rankPattern: 'q_proj=0' })).toThrow(/^Rank pattern value for "q_proj" must be between 1 and 1024$/);
    expect(() => resolve({ rankPattern: 'q_proj=' })).toThrow(/^Rank pattern value for "q_proj" is missing$/);
    expect(() => resolve({ rankPattern: 'q_proj=4,q_proj=8' })).toThrow(/^Rank pattern names "q_proj" twice$/);
    expect(() => resolve({ rankPattern: '(.*)+q_proj=4' })).toThrow(/^Rank pattern key "\(\.\*\)\+q_proj" repeats a group beside another repetition, which can take exponential time to match; write it more simply$/);
    expect(rankOk('(q|v)_proj=4')).toBe(true);
    expect(() => resolve({ rankPattern: '(=4' })).toThrow(/^Rank pattern key "\(" is not a valid regular expression$/);
    expect(() => resolve({ rankPattern: 'k_proj=4' })).toThrow(/^Rank pattern key "k_proj" matches none of the targeted modules \(self_attn.q_proj, self_attn.v_proj\)/);
    expect(() => resolve({ rankPattern: 'layers.0.self_attn.q_proj=4' })).toThrow(/matches none of the targeted modules/);
    expect(() => resolve({ alphaPattern: 'v_proj=0.001' })).toThrow(/^Alpha pattern value for "v_proj" must be between 0.01 and 4096$/);
    expect(resolve({ alphaPattern: 'v_proj=0.5' }).alphaPattern).toBe('v_proj=0.5');
  });

  it('scales each toy update by its own α / r', () => {
    useTestBackend();
    const model = ToyModel.init(TINY_DIMS, 3);
    const config = resolveConfig<LoraConfig>(lora, model.arch, { r: 2, alpha: 4, targets: ['q_proj', 'v_proj'], rankPattern: 'v_proj=4', alphaPattern: 'v_proj=1' });
    const applied = lora.apply(model, config);
    // Factors come per layer in target order: q (A, B), then v (A, B). B = 1 makes ΔW = (α/r)·A·1.
    const [aQ, bQ, aV, bV] = applied.trainable as tf.Variable[];
    expect(aQ!.shape).toEqual([TINY_DIMS.hiddenSize, 2]);
    expect(aV!.shape).toEqual([TINY_DIMS.hiddenSize, 4]);
    bQ!.assign(tf.onesLike(bQ!));
    bV!.assign(tf.onesLike(bV!));
    const before = model.snapshot();
    applied.merge!();
    const after = model.snapshot();
    const rowSum = (a: tf.Variable, scale: number) => tf.tidy(() => tf.mul(tf.sum(a, 1), scale).dataSync() as Float32Array);
    const delta = (name: string) => (after.get(name) as Float32Array).map((v, i) => v - (before.get(name) as Float32Array)[i]!);
    // Every column of ΔW equals the row sums of A times α/r: q at 4/2, v at 1/4.
    expect(maxAbsDiff(delta('h.0.q_proj.weight').filter((_, i) => i % TINY_DIMS.hiddenSize === 0), rowSum(aQ!, 4 / 2))).toBeLessThan(1e-5);
    expect(maxAbsDiff(delta('h.0.v_proj.weight').filter((_, i) => i % TINY_DIMS.hiddenSize === 0), rowSum(aV!, 1 / 4))).toBeLessThan(1e-5);
    applied.unmerge!();
    applied.dispose();
    model.dispose();
  });
});

describe('A method that does not apply says so', () => {
  it('refuses a count of 0 with a sentence, and passes a method that trains something', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(() => checkApplies(bitfit, llama, {})).toThrow(new RangeError('BitFit trains bias vectors, and Llama 2 7B has none.'));
    expect(() => checkApplies(lora, llama, resolveConfig(lora, llama))).not.toThrow();
  });
});
