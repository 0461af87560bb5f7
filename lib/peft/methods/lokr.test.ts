import { beforeAll, describe, expect, it } from 'vitest';
import { checkApplies, notApplicableReason, resolveConfig } from '../method-api/config';
import { svd } from '../method-api/linalg';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { TOY_DIMS } from '../model/toy-arch';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { factorization, lokr, lokrShapes } from './lokr';

const ALL_MAPS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'];

methodContract(lokr, {
  configs: [
    // r = 1 < 8/2: W2 is a rank-1 product on the toy's 64-wide maps (8 × 8 and 8 × 16 factors).
    { r: 1, alpha: 2, targets: ALL_MAPS },
    // W1 a product too, and a split by 4 instead of near √width.
    { r: 1, targets: ['q_proj', 'fc1'], decomposeBoth: 'yes', decomposeFactor: 4 },
    { r: 2, targets: ['v_proj', 'fc2'], rankPattern: 'fc2=6', alphaPattern: 'v_proj=1' },
  ],
});

beforeAll(useTestBackend);

type LokrConfig = Parameters<typeof lokr.trainableParams>[1];
const count = (model: string, input: Record<string, string | number | string[]> = {}) => {
  const arch = findModel(model).arch;
  return lokr.trainableParams(arch, resolveConfig<LokrConfig>(lokr, arch, input));
};

describe("HF PEFT's factorization and the factor shapes", () => {
  it('splits widths as factorization(dimension, factor) does', () => {
    // Values printed by HF PEFT's factorization (src/peft/tuners/lokr/layer.py at 5d602fd), run in Python.
    const cases: [number, number, [number, number]][] = [
      [256, -1, [16, 16]], [128, -1, [8, 16]], [127, -1, [1, 127]], [128, 4, [4, 32]], // its docstring's examples
      [4096, -1, [64, 64]], [11008, -1, [86, 128]], [768, -1, [24, 32]], [2304, -1, [48, 48]], [896, -1, [28, 32]],
      [3072, -1, [48, 64]], [32000, -1, [160, 200]], [30522, -1, [6, 5087]], [1, -1, [1, 1]],
      [12, 4, [4, 3]], // a dividing factor comes first even when it is the larger part
      [32000, 3, [2, 16000]], [32000, 0, [1, 32000]], // a non-dividing factor caps the smaller part
    ];
    for (const [dimension, factor, pair] of cases) expect(factorization(dimension, factor), `${dimension}, ${factor}`).toEqual(pair);
  });

  it('gives W1 and W2 the shapes LoKrLayer.update_layer gives them at r = 8 (HF layout: W1 a × c, W2 b × d)', () => {
    const shape = (inF: number, outF: number, both = false) => {
      const { w1, w2 } = lokrShapes(inF, outF, 8, both, -1);
      return [w1.rows, w1.cols, w1.lowRank, w2.rows, w2.cols, w2.lowRank];
    };
    // Llama 2 7B q_proj: 4,096 = 64 · 64 both ways; W2 low-rank as 8 < 64/2.
    expect(shape(4096, 4096)).toEqual([64, 64, false, 64, 64, true]);
    // Llama 2 7B up_proj 4,096 → 11,008 = 86 · 128.
    expect(shape(4096, 11008)).toEqual([86, 64, false, 128, 64, true]);
    // GPT-2's c_attn shape 768 → 2,304 = 48 · 48; 768 = 24 · 32.
    expect(shape(768, 2304)).toEqual([48, 24, false, 48, 32, true]);
    // Qwen2.5-0.5B k_proj 896 → 128 = 8 · 16.
    expect(shape(896, 128)).toEqual([8, 28, false, 16, 32, true]);
    // decompose_both: W1 a product where 8 < max(a, c)/2.
    expect(shape(4096, 4096, true)).toEqual([64, 64, true, 64, 64, true]);
    expect(shape(896, 128, true)).toEqual([8, 28, true, 16, 32, true]);
    // The toy's 64 × 64 maps: 8 × 8 factors, both full at r = 8 (8 ≥ 8/2).
    expect(shape(64, 64)).toEqual([8, 8, false, 8, 8, false]);
  });
});

describe('LoKr on the toy', () => {
  it('starts with ΔW = 0: W1 is zero, so the outputs are exactly the base model’s', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = lokr.apply(model, resolveConfig(lokr, model.arch, { targets: ALL_MAPS }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    const [w1, w2] = applied.trainable;
    expect(Math.max(...Array.from(w1!.dataSync(), Math.abs))).toBe(0);
    expect(Math.max(...Array.from(w2!.dataSync(), Math.abs))).toBeGreaterThan(0);
    applied.dispose();
    model.dispose();
  });

  it('merges ΔW = (α/r)·W1 ⊗ W2 into W (as HF, transposed to our x·W layout); unmerging restores W bit for bit', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    // TINY q_proj is 16 × 16: 4 × 4 factors, both full at r = 2 (2 ≥ 4/2).
    const applied = lokr.apply(model, resolveConfig(lokr, model.arch, { r: 2, alpha: 3, targets: ['q_proj'] }));
    const trainer = trainerFor(model, applied, { steps: 8, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 8; i++) trainer.step(fixedBatch(i));
    const before = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    // The toy stores W1ᵀ (c × a) and W2ᵀ (d × b); HF's ΔW[o][i] = W1[o / b][i / d] · W2[o % b][i % d].
    const [w1t, w2t] = applied.trainable.map((v) => v.dataSync());
    const name = 'h.0.q_proj.weight';
    const delta = (model.snapshot().get(name) as Float32Array).map((v, k) => v - (before.get(name) as Float32Array)[k]!);
    const expected = new Float32Array(16 * 16);
    for (let i = 0; i < 16; i++) {
      for (let o = 0; o < 16; o++) expected[i * 16 + o] = (3 / 2) * w1t![Math.floor(i / 4) * 4 + Math.floor(o / 4)]! * w2t![(i % 4) * 4 + (o % 4)]!;
    }
    expect(maxAbsDiff(delta, expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(expected, new Float32Array(256))).toBeGreaterThan(1e-4);
    applied.unmerge!();
    for (const [n, values] of model.snapshot()) expect(maxAbsDiff(values, before.get(n)!), n).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('reaches rank W1 · rank W2: r = 1 gives a 64 × 64 update of rank 8 (W1 full 8 × 8, W2 rank 1)', () => {
    const model = ToyModel.init(TOY_DIMS, 11);
    const applied = lokr.apply(model, resolveConfig(lokr, model.arch, { r: 1, alpha: 1, targets: ['q_proj'] }));
    const trainer = trainerFor(model, applied, { steps: 5, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i, 8, TOY_DIMS.context));
    const before = model.snapshot();
    applied.merge!();
    const name = 'h.0.q_proj.weight';
    const delta = Float64Array.from(model.snapshot().get(name) as Float32Array, (v, k) => v - (before.get(name) as Float32Array)[k]!);
    const { s } = svd(delta, 64, 64);
    expect(s.filter((v) => v > 1e-3 * s[0]!).length).toBe(8);
    applied.unmerge!();
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('LoKr on real models (HF PEFT LoKrConfig defaults: r = 8, alpha = 8, q and v, decompose_factor −1)', () => {
  // Per map, by hand from LoKrLayer.update_layer (src/peft/tuners/lokr/layer.py at 5d602fd): W1 full
  // a·c, W2 as r·(b + d) when r < max(b, d)/2 (every map below), with in = c·d and out = a·b the
  // factorization() splits listed in the test above.
  it('Llama 2 7B, q_proj and v_proj 4,096 → 4,096 (64·64 + 8·(64 + 64) = 5,120 each) in 32 layers: 327,680', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(32 * 2 * (64 * 64 + 8 * (64 + 64)));
    expect(32 * 2 * 5120).toBe(327_680);
  });

  it('Qwen2.5-0.5B, q_proj 896 → 896 (28·28 + 8·(32 + 32)) and v_proj 896 → 128 (8·28 + 8·(16 + 32)) in 24 layers: 45,696', () => {
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(24 * (28 * 28 + 8 * (32 + 32) + (8 * 28 + 8 * (16 + 32))));
    expect(24 * (1296 + 608)).toBe(45_696);
  });

  it('Mistral 7B, q_proj (5,120) and v_proj 4,096 → 1,024 (32·64 + 8·(32 + 64)) in 32 layers: 253,952', () => {
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(32 * (64 * 64 + 8 * (64 + 64) + (32 * 64 + 8 * (32 + 64))));
    expect(32 * (5120 + 2816)).toBe(253_952);
  });

  it('T5-base, q and v of 36 attention blocks, 768 → 768 (24·24 + 8·(32 + 32)): 78,336', () => {
    expect(count('t5-base')).toBe(36 * 2 * (24 * 24 + 8 * (32 + 32)));
    expect(36 * 2 * 1088).toBe(78_336);
  });

  it('BERT-base and OPT-125m, query/value or q_proj/v_proj 768 → 768 in 12 layers: 26,112', () => {
    expect(count('bert-base-uncased')).toBe(12 * 2 * (24 * 24 + 8 * (32 + 32)));
    expect(count('facebook/opt-125m')).toBe(12 * 2 * 1088);
    expect(12 * 2 * 1088).toBe(26_112);
  });

  it.each(surveyCounts('hf_krona'))("reproduces the survey authors' measured HF LoKr count (r = 8, q and v) on %s: %i", (model, n) => {
    expect(count(model, { r: 8, targets: ['q', 'v'] })).toBe(n);
  });

  it('HF PEFT’s method comparison: Llama-3.2-3B, r = 32, decompose_factor 4 on q_proj and v_proj trains 2,294,656', () => {
    // method_comparison/MetaMathQA/results/lokr--llama-3.2-3B-rank32-factor4-lr0.003.json (huggingface/peft at
    // 5d602fd): "num_trainable_params": 2294656, adapter_config.json r 32, alpha 64, decompose_factor 4.
    // By hand: 3,072 = 4 · 768, 1,024 = 4 · 256; W1 4 × 4, W2 as 32·(b + d):
    // 28 × ((16 + 32·(768 + 768)) + (16 + 32·(256 + 768))).
    expect(count('meta-llama/Llama-3.2-3B', { r: 32, alpha: 64, decomposeFactor: 4, targets: ['q_proj', 'v_proj'] })).toBe(2_294_656);
    expect(28 * (16 + 32 * (768 + 768) + (16 + 32 * (256 + 768)))).toBe(2_294_656);
  });

  it('decompose_both writes W1 as a product too, where that is smaller or not (Qwen2.5-0.5B v_proj: 8·(8 + 28) > 8·28)', () => {
    expect(count('meta-llama/Llama-2-7b-hf', { decomposeBoth: 'yes' })).toBe(32 * 2 * (8 * (64 + 64) + 8 * (64 + 64)));
    expect(count('Qwen/Qwen2.5-0.5B', { decomposeBoth: 'yes', targets: ['v_proj'] })).toBe(24 * (8 * (8 + 28) + 8 * (16 + 32)));
  });

  it('counts the LM head (an nn.Linear) when named: Llama 2 7B, 4,096 → 32,000 = 160 · 200', () => {
    expect(count('meta-llama/Llama-2-7b-hf', { targets: ['lm_head'] })).toBe(160 * 64 + 8 * (200 + 64));
  });

  it('refuses GPT-2, whose maps are transformers Conv1D modules that HF PEFT’s LoKr rejects', () => {
    const gpt2 = findModel('gpt2').arch;
    const config = resolveConfig<LokrConfig>(lokr, gpt2);
    expect(() => checkApplies(lokr, gpt2, config)).toThrow(/^HF PEFT's LoKr wraps only torch's Linear, Conv1d and Conv2d layers, .*attn\.c_attn as transformers' Conv1D/);
    expect(notApplicableReason(lokr, gpt2, resolveConfig<LokrConfig>(lokr, gpt2, { targets: ['lm_head'] }))).toBeNull();
  });

  it('exports HF PEFT’s LoKrConfig with decompose_both and decompose_factor', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const exported = lokr.peft!(resolveConfig(lokr, llama, { r: 4, decomposeBoth: 'yes', decomposeFactor: 8 }), llama);
    expect(exported.configClass).toBe('LoKrConfig');
    expect(exported.args).toMatchObject({ r: 4, alpha: 8, target_modules: ['q_proj', 'v_proj'], decompose_both: true, decompose_factor: 8 });
    expect(lokr.peft!(resolveConfig(lokr, llama), llama).args).toMatchObject({ decompose_both: false, decompose_factor: -1 });
  });
});
