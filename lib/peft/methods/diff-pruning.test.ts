import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { resolveConfig } from '../method-api/config';
import { groupsSize } from '../method-api/profile';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { createRng } from '../model/random';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { trainableCount } from '../train/trainer';
import { ALPHA_GAIN, diffPruning, expectedGate, hardConcrete, l0Penalty, pruneStep } from './diff-pruning';
import { maskSize } from './fish-mask';

methodContract(diffPruning, {
  configs: [
    { share: 1, lambda: 1e-3, structured: 'off' },
    { share: 12.5, pruneAt: 0.25, lower: -0.1, upper: 1.1, alphaInit: 2 },
  ],
});

beforeAll(useTestBackend);

type DiffConfig = Parameters<typeof diffPruning.apply>[1];
const configFor = (arch: ToyModel['arch'], input: Record<string, number | string>) => resolveConfig<DiffConfig>(diffPruning, arch, input);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The applied method's variables: w, then the change a of log α, per model weight (then tensor gates). */
function parts(model: ToyModel, applied: ReturnType<typeof diffPruning.apply>) {
  const n = model.weights.size;
  return { w: applied.trainable.slice(0, n), a: applied.trainable.slice(n, 2 * n), groups: applied.trainable.slice(2 * n) };
}

const flat = (vars: readonly tf.Variable[]) => {
  const out = new Float32Array(vars.reduce((s, v) => s + v.size, 0));
  let offset = 0;
  for (const v of vars) {
    out.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return out;
};

describe('the stretched hard-concrete gate', () => {
  it('follows z = min(1, max(0, σ(log u − log(1 − u) + log α)(r − l) + l)), in [0, 1] with exact zeros and ones', () => {
    const u = [1e-4, 0.01, 0.3, 0.5, 0.7, 0.9999];
    const logAlpha = [0, -1, 2, 0.2, -3, 0];
    const z = tf.tidy(() => hardConcrete(tf, tf.tensor1d(logAlpha), tf.tensor1d(u), -1.5, 1.5).dataSync());
    u.forEach((ui, i) => {
      const s = sigmoid(Math.log(ui) - Math.log(1 - ui) + (logAlpha[i] as number));
      expect(z[i]).toBeCloseTo(Math.min(1, Math.max(0, s * 3 - 1.5)), 6);
    });
    // u = 1e-4 at log α = 0: s ≈ 1e-4, far below l's share of the interval: exactly 0; u = 0.9999: exactly 1.
    expect(z[0]).toBe(0);
    expect(z[5]).toBe(1);
    // A hand value inside (0, 1): u = 0.5, log α = 0.2: 3·σ(0.2) − 1.5 = 0.149…
    expect(z[3]).toBeCloseTo(3 * sigmoid(0.2) - 1.5, 6);
    expect(z[3]).toBeGreaterThan(0);
    expect(z[3]).toBeLessThan(1);

    // Many draws at log α = 1 (Louizos et al.'s l, r): all in [0, 1], and both ends occur.
    const rng = createRng(5);
    const draws = Float32Array.from({ length: 20_000 }, () => Math.min(1 - 1e-4, Math.max(1e-4, rng())));
    const many = tf.tidy(() => hardConcrete(tf, tf.fill([draws.length], 1), tf.tensor1d(draws), -0.1, 1.1).dataSync());
    expect(Math.min(...many)).toBe(0);
    expect(Math.max(...many)).toBe(1);
    expect(many.some((x) => x > 0 && x < 1)).toBe(true);
    // P(z = 0) = P(s ≤ −l/(r − l)) = σ(logit(1/12) − 1); the sample share is within 1.5 points.
    const p0 = sigmoid(Math.log(1 / 12) - Math.log(11 / 12) - 1);
    expect(Math.abs(many.filter((x) => x === 0).length / many.length - p0)).toBeLessThan(0.015);
  });

  it('has the gradient the reference code writes by hand, 1[0 < s̄ < 1]·(r − l)·s(1 − s)', () => {
    const u = tf.tensor1d([0.2, 0.5, 0.05, 0.95]);
    const la = tf.tensor1d([0.5, 0.1, 1, 1]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(hardConcrete(tf, x, u, -1.5, 1.5)))(la).dataSync();
    const uu = u.dataSync();
    const aa = la.dataSync();
    for (let i = 0; i < 4; i++) {
      const s = sigmoid(Math.log(uu[i]!) - Math.log(1 - uu[i]!) + aa[i]!);
      const stretched = s * 3 - 1.5;
      const expected = stretched > 0 && stretched < 1 ? 3 * s * (1 - s) : 0;
      expect(grad[i]).toBeCloseTo(expected, 5);
    }
    expect(grad.filter((g) => g === 0).length).toBeGreaterThan(0); // u = 0.05 lands in the clipped 0
    tf.dispose([u, la]);
  });

  it('estimates the test-time gate as min(1, max(0, σ(log α)(r − l) + l))', () => {
    const z = tf.tidy(() => expectedGate(tf, tf.tensor1d([5, 0, -5, 1]), -1.5, 1.5).dataSync());
    expect(z[0]).toBe(1); // 3·σ(5) − 1.5 = 1.48
    expect(z[1]).toBe(0); // 3·0.5 − 1.5 = 0
    expect(z[2]).toBe(0);
    expect(z[3]).toBeCloseTo(3 * sigmoid(1) - 1.5, 6); // 0.693…
  });
});

describe('the expected-L0 penalty', () => {
  it('sums σ(log α − log(−l/r)) over every gate: hand values', () => {
    // l = −0.1, r = 1.1: log(−l/r) = log(1/11) = −2.3979; σ(5 + 2.3979) + σ(0 + 2.3979) + σ(−3 + 2.3979)
    const value = tf.tidy(() => l0Penalty(tf, [tf.tensor1d([5, 0]), tf.tensor2d([[-3]])], -0.1, 1.1).dataSync()[0]);
    const shift = Math.log(1 / 11);
    expect(value).toBeCloseTo(sigmoid(5 - shift) + sigmoid(-shift) + sigmoid(-3 - shift), 5);
    expect(value).toBeCloseTo(0.99939 + 0.91667 + 0.35388, 4);
  });

  it('is λ·(N + G)·σ(α₀) at initialisation on the tiny toy with the README’s l = −1.5, r = 1.5 (log(−l/r) = 0)', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const lambda = 1e-3;
    const applied = diffPruning.apply(model, configFor(model.arch, { lambda, alphaInit: 5 }));
    // N = 5,696 entries, G = 2 + 2·16 + 2 = 36 weight tensors (wte, wpe; per layer 2 norms and 6
    // maps, each with weight and bias; ln_f), each gate σ(5) = 0.993307…
    expect(model.parameterCount()).toBe(5_696);
    expect(model.weights.size).toBe(36);
    const value = tf.tidy(() => applied.regularizer!().dataSync()[0]);
    expect(value).toBeCloseTo(lambda * (5_696 + 36) * 0.9933071490757153, 5);
    // Structured off: the entry gates only.
    const plain = diffPruning.apply(model, configFor(model.arch, { lambda, alphaInit: 5, structured: 'off' }));
    expect(tf.tidy(() => plain.regularizer!().dataSync()[0])).toBeCloseTo(lambda * 5_696 * 0.9933071490757153, 5);
    applied.dispose();
    plain.dispose();
    model.dispose();
  });
});

describe('Diff Pruning on the toy', () => {
  it('leaves the outputs unchanged at initialisation (w = 0), in training and in evaluation', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const applied = diffPruning.apply(model, configFor(model.arch, {}), { seed: 1 });
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBe(0);
    const batch = fixedBatch(1);
    const train = tf.tidy(() => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), applied.hooks, { mode: 'train', step: 0 }).dataSync() as Float32Array);
    const plain = tf.tidy(() => model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), {}, { mode: 'train', step: 0 }).dataSync() as Float32Array);
    expect(maxAbsDiff(train, plain)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('cuts δ to exactly k entries, the largest |ẑ ⊙ w|, then trains only those with the gates frozen and the base bit-identical', () => {
    const model = ToyModel.init(TINY_DIMS, 6);
    const share = 5;
    const config = configFor(model.arch, { share, pruneAt: 0.5, lambda: 1e-3 });
    const applied = diffPruning.apply(model, config, { seed: 2 });
    const { w, a, groups } = parts(model, applied);
    const k = maskSize(5_696, share);
    expect(k).toBe(284); // ⌊5,696 · 0.05⌋
    expect(trainableCount(applied)).toBe(k);
    const pristine = model.snapshot();
    const trainer = trainerFor(model, applied, { steps: 12, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i));
    // Before the cut: δ is dense, the penalty is on, no masks yet.
    expect(flat(w).filter((x) => x !== 0).length).toBeGreaterThan(5 * k);
    expect(applied.regularizer).toBeDefined();
    expect(applied.gradientMasks!.size).toBe(0);
    // The scores the projection ranks: |ẑ ⊙ ẑ_g ⊙ w| with the test-time gates.
    const scores = Float32Array.from(
      w.flatMap((wi, i) =>
        tf.tidy(() => {
          const gate = tf.mul(expectedGate(tf, tf.add(5, tf.mul(a[i]!, ALPHA_GAIN)), -1.5, 1.5), expectedGate(tf, tf.add(5, tf.mul(groups[i]!, ALPHA_GAIN)), -1.5, 1.5));
          return [...tf.abs(tf.mul(gate, wi)).dataSync()];
        }),
      ),
    );
    const rawW = flat(w);
    // Step 6 = 0.5 · 12 is the cut; called here directly to see the projection on its own.
    const action = applied.onStep!({ step: 6, totalSteps: 12, grads: new Map() });
    expect(action).toEqual({ resetOptimizer: w, restartSchedule: { warmupSteps: 1, fresh: true } });

    const delta = flat(w);
    const kept = delta.map((x) => (x !== 0 ? 1 : 0));
    expect(kept.reduce((s, x) => s + x, 0)).toBe(k);
    const maskSum = w.reduce((s, v) => s + tf.tidy(() => tf.sum(applied.gradientMasks!.get(v)!).dataSync()[0]!), 0);
    expect(maskSum).toBe(k);
    let minKept = Infinity;
    let maxDropped = -Infinity;
    scores.forEach((s, i) => {
      if (kept[i]) minKept = Math.min(minKept, s);
      else maxDropped = Math.max(maxDropped, s);
    });
    expect(minKept).toBeGreaterThanOrEqual(maxDropped);
    expect(minKept).toBeGreaterThan(0);
    expect(applied.regularizer).toBeUndefined();
    // The kept values go on from the first phase's w, not from ẑ ⊙ w (the reference's --finetune 1).
    delta.forEach((x, i) => {
      if (kept[i]) expect(x).toBe(rawW[i]);
    });
    const gatesAfter = flat([...a, ...groups]);

    for (let i = 5; i < 12; i++) trainer.step(fixedBatch(i));
    const later = flat(w);
    // Still exactly the k positions; they kept training; the gates did not move; the base never did.
    later.forEach((x, i) => {
      if (!kept[i]) expect(Math.abs(x)).toBe(0);
    });
    expect(maxAbsDiff(later, delta)).toBeGreaterThan(0);
    expect(maxAbsDiff(flat([...a, ...groups]), gatesAfter)).toBe(0);
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, pristine.get(name)!), name).toBe(0);
    // The fixed phase computes θ + δ: the same logits as writing δ into the weights.
    const hooked = logitsOf(model, applied.hooks);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), hooked)).toBeLessThan(1e-5);
    applied.unmerge!();
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('asks for a fresh optimizer for w and a fresh schedule at the cut, and cuts once', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const applied = diffPruning.apply(model, configFor(model.arch, { share: 2, pruneAt: 0.3 }));
    const { w } = parts(model, applied);
    expect(applied.onStep!({ step: 2, totalSteps: 10, grads: new Map() })).toBeUndefined();
    expect(applied.onStep!({ step: 3, totalSteps: 10, grads: new Map() })).toEqual({ resetOptimizer: w, restartSchedule: { warmupSteps: 1, fresh: true } });
    expect(applied.onStep!({ step: 4, totalSteps: 10, grads: new Map() })).toBeUndefined();
    applied.dispose();
    model.dispose();
  });

  it('cuts at the chosen share of the run, never before the first step or after the last', () => {
    expect(pruneStep(0.5, 300)).toBe(150);
    expect(pruneStep(0.05, 6)).toBe(1);
    expect(pruneStep(1, 40)).toBe(40);
    expect(pruneStep(0.999, 10)).toBe(10);
  });
});

describe('Diff Pruning on real models', () => {
  // The reference's run_glue_mag.py cuts δ to target_sparsity (0.005) of ALL entries; we keep
  // k = ⌊total · share⌋. T5-Large's total is the survey authors' full fine-tuning count.
  it.each(surveyCounts('full_tuning').slice(0, 1))('keeps ⌊0.5% · N⌋ entries of %s (N = %i): 3,688,340, saved with their positions', (model, total) => {
    const arch = findModel(model).arch;
    expect(totalParams(arch)).toBe(total);
    const config = configFor(arch, {});
    expect(diffPruning.trainableParams(arch, config)).toBe(3_688_340);
    expect(diffPruning.savedParams(arch, config)).toBe(2 * 3_688_340);
  });

  it('counts the 0.5% of BERT-Large, GPT-2 and Llama 2 7B from their published totals', () => {
    // BertModel bert-large-uncased 335,141,888; GPT2Model 124,439,808; LlamaForCausalLM 6,738,415,616.
    const cases: [string, number, number][] = [
      ['bert-large-uncased', 335_141_888, 1_675_709],
      ['gpt2', 124_439_808, 622_199],
      ['meta-llama/Llama-2-7b-hf', 6_738_415_616, 33_692_078],
    ];
    for (const [id, total, k] of cases) {
      const arch = findModel(id).arch;
      expect(totalParams(arch), id).toBe(total);
      expect(diffPruning.trainableParams(arch, configFor(arch, {})), id).toBe(k);
      expect(k).toBe(Math.floor(total * 0.005));
    }
  });

  it('holds w and log α for every parameter in the optimizer, plus one gate per tensor when structured', () => {
    // GPT2Model has 148 named parameters (wte, wpe, 12 × 12, ln_f weight and bias); LlamaForCausalLM
    // 291 (embed_tokens, 32 × (7 maps + 2 norms), norm, lm_head).
    for (const [id, total, tensors] of [
      ['gpt2', 124_439_808, 148],
      ['meta-llama/Llama-2-7b-hf', 6_738_415_616, 291],
    ] as const) {
      const arch = findModel(id).arch;
      expect(groupsSize(diffPruning.profile(arch, configFor(arch, {})).tensors), id).toBe(2 * total + tensors);
      expect(groupsSize(diffPruning.profile(arch, configFor(arch, { structured: 'off' })).tensors), id).toBe(2 * total);
    }
  });

  it('says under the count that it follows from the chosen share', () => {
    const arch = findModel('gpt2').arch;
    expect(diffPruning.traits.countNote!(configFor(arch, { share: 0.5 }))).toMatch(/chosen 0\.5% of all weights/);
  });

  it('rejects a stretch that would not reach exact zeros or ones, and shares outside (0, 100]', () => {
    const arch = findModel('gpt2').arch;
    expect(() => configFor(arch, { lower: 0 })).toThrow(/between/);
    expect(() => configFor(arch, { upper: 1 })).toThrow(/between/);
    expect(() => configFor(arch, { share: 0 })).toThrow(/between/);
  });
});
