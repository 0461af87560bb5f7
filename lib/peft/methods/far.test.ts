import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import type { CalibrationContext } from '../method-api/types';
import { findModel } from '../models';
import { TASKS } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { trainableCount } from '../train/trainer';
import { far, learnerUnits, unitChange } from './far';

methodContract(far, {
  configs: [
    { retention: 50, primingSteps: 2 },
    // ⌊3% · 16⌋ = 0 on the tiny toy: at least one unit per map still trains.
    { retention: 3, primingSteps: 1 },
  ],
});

beforeAll(useTestBackend);

type Config = Parameters<typeof far.apply>[1];
const resolve = (arch: ToyModel['arch'], input: Record<string, number> = {}) => resolveConfig<Config>(far, arch, input);
const values = (t: tf.Tensor) => Float32Array.from(t.dataSync());
const FFN = ['fc1', 'fc2'] as const;

/** A priming stand-in: moves every FFN weight of output unit j by `shift(j)`, the rest not at all. */
function fakePriming(model: ToyModel, shift: (unit: number, out: number) => number): CalibrationContext {
  return {
    model,
    task: TASKS[0]!,
    batches: [],
    loss: () => {
      throw new Error('not used');
    },
    batchesOf: () => [],
    fit: () => {
      for (let layer = 0; layer < model.dims.layers; layer++) {
        for (const name of FFN) {
          const w = model.weight(`h.${layer}.${name}.weight`);
          const [, out] = w.shape as [number, number];
          tf.tidy(() => w.assign(tf.add(w, tf.tensor1d(Float32Array.from({ length: out }, (_, j) => shift(j, out))))));
          // Biases move too, but the score reads weights only.
          const b = model.weight(`h.${layer}.${name}.bias`);
          tf.tidy(() => b.assign(tf.add(b, 5)));
        }
      }
      return { loss: 0, accuracy: 0 };
    },
  };
}

describe('FAR on the toy', () => {
  it('keeps ⌊retention · out⌋ units per FFN map, the ones whose weights moved most in priming, and restores the pretrained weights', () => {
    const model = ToyModel.init(TINY_DIMS, 21);
    const pristine = model.snapshot();
    const config = resolve(model.arch, { retention: 25 });
    const applied = far.apply(model, config);
    // Unit j of a map with `out` units moves by ±(j·7 mod out)/1000 per weight: the L1 ranking is known.
    const rank = (j: number, out: number) => (j * 7) % out;
    applied.calibrate!(fakePriming(model, (j, out) => (j % 2 ? 1 : -1) * rank(j, out) * 1e-3));
    for (const [name, v] of model.snapshot()) expect(maxAbsDiff(v, pristine.get(name)!), name).toBe(0);

    // fc1: 16 → 32 (⌊0.25·32⌋ = 8 units), fc2: 32 → 16 (4 units), each with its bias: per layer
    // 8·(16 + 1) + 4·(32 + 1) = 268.
    expect(trainableCount(applied)).toBe(2 * (8 * 17 + 4 * 33));
    expect(far.trainableParams(model.arch, config)).toBe(536);
    // Variables come as W_t, b_t per map, layer by layer.
    let k = 0;
    for (let layer = 0; layer < 2; layer++) {
      for (const name of FFN) {
        const w = values(model.weight(`h.${layer}.${name}.weight`));
        const b = values(model.weight(`h.${layer}.${name}.bias`));
        const [inF, out] = model.weight(`h.${layer}.${name}.weight`).shape as [number, number];
        const units = learnerUnits(out, 25);
        const expected = [...Array(out).keys()].filter((j) => rank(j, out) >= out - units).sort((a, c) => a - c);
        expect(expected).toHaveLength(units);
        const [wT, bT] = [applied.trainable[k]!, applied.trainable[k + 1]!];
        expect(wT.shape).toEqual([inF, units]);
        // The trained sublayer starts as the pretrained weights and biases of exactly those units.
        const wv = values(wT);
        expected.forEach((j, c) => {
          for (let i = 0; i < inF; i++) expect(wv[i * units + c]).toBe(w[i * out + j]);
        });
        expect([...values(bT)]).toEqual(expected.map((j) => b[j]));
        k += 2;
      }
    }
    applied.dispose();
    model.dispose();
  });

  it('computes the same function as the unsplit layer before training', () => {
    const model = ToyModel.init(TINY_DIMS, 22);
    const base = logitsOf(model);
    const applied = far.apply(model, resolve(model.arch, { retention: 40, primingSteps: 2 }));
    const trainer = trainerFor(model, applied, { steps: 1, learningRate: 1e-3 });
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBeLessThan(1e-5);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('trains only the learner units: reconfigured back, every other row of W and entry of b is bit-identical', () => {
    const model = ToyModel.init(TINY_DIMS, 23);
    const original = model.snapshot();
    const applied = far.apply(model, resolve(model.arch, { retention: 20, primingSteps: 3 }));
    const trainer = trainerFor(model, applied, { steps: 12, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 12; i++) trainer.step(fixedBatch(i));
    const unmerged = logitsOf(model, applied.hooks);
    applied.merge!();
    // Reconfigured: the plain model computes what the split one did.
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-4);
    for (const [name, now] of model.snapshot()) {
      const was = original.get(name)!;
      const ffn = /\.(fc1|fc2)\.(weight|bias)$/.test(name);
      if (!ffn) {
        expect(maxAbsDiff(now, was), name).toBe(0);
        continue;
      }
      const out = model.weight(name).shape.at(-1)!;
      const changed = new Set<number>();
      now.forEach((x, p) => x !== was[p] && changed.add(p % out));
      // Only whole units move (a column of W with its bias entry), at most ⌊20% · out⌋ of them.
      expect(changed.size, name).toBeGreaterThan(0);
      expect(changed.size, name).toBeLessThanOrEqual(learnerUnits(out, 20));
    }
    applied.unmerge!();
    for (const [name, v] of model.snapshot()) expect(maxAbsDiff(v, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('scores a unit by the L1 norm of its weights’ change', () => {
    // 2 inputs × 3 units, row-major: unit j is column j.
    const before = Float32Array.from([0, 0, 0, 1, 1, 1]);
    const after = Float32Array.from([0.5, -1, 0, 1, 3, 0.75]);
    expect([...unitChange(before, after, 2, 3)]).toEqual([0.5, 3, 0.25]);
  });
});

describe('FAR on real models', () => {
  it('BERT-base at 10% retention: 307 of 3,072 intermediate units and 76 of 768 output units per layer, with biases', () => {
    const arch = findModel('bert-base-uncased').arch;
    // intermediate.dense 768 → 3072: ⌊307.2⌋ = 307 units of 768 weights + 1 bias;
    // output.dense 3072 → 768: ⌊76.8⌋ = 76 units of 3,072 weights + 1 bias; 12 layers.
    expect(far.trainableParams(arch, resolve(arch))).toBe(12 * (307 * 769 + 76 * 3073));
    expect(far.trainableParams(arch, resolve(arch))).toBe(5_635_572);
    // At 100% it is the whole FFN: 12 · (768·3072 + 3072 + 3072·768 + 768).
    expect(far.trainableParams(arch, resolve(arch, { retention: 100 }))).toBe(56_669_184);
    // Saved: the trained units and their positions (one index per unit).
    expect(far.savedParams(arch, resolve(arch))).toBe(5_635_572 + 12 * (307 + 76));
  });

  it('splits every FFN map of Llama 2 7B (gate, up and down, no biases) and T5-base (both stacks)', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    // gate_proj and up_proj 4096 → 11008: 1,100 units each; down_proj 11008 → 4096: 409 units.
    expect(far.trainableParams(llama, resolve(llama))).toBe(32 * (2 * 1100 * 4096 + 409 * 11008));
    const t5 = findModel('t5-base').arch;
    // wi 768 → 3072 (307 units) and wo 3072 → 768 (76 units) in 12 encoder and 12 decoder blocks.
    expect(far.trainableParams(t5, resolve(t5))).toBe(24 * (307 * 768 + 76 * 3072));
  });

  it('says the count follows from the chosen retention', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(far.traits.countNote!(resolve(arch, { retention: 15 }))).toMatch(/15%/);
  });
});
