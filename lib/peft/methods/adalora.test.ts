import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchingLinears } from '../arch';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { adalora, budgetAt, RankAllocator, type Triplet } from './adalora';

methodContract(adalora, {
  configs: [
    { initR: 4, targetR: 2, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'], tinit: 0.2, tfinal: 0.2, deltaT: 2 },
    { initR: 3, targetR: 3, targets: ['mlp.fc2'], orthReg: 0 },
    { initR: 3, targetR: 2, targets: ['q_proj', 'fc1'], bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

type AdaConfig = Parameters<typeof adalora.apply>[1];
const configFor = (arch: ToyModel['arch'], input: Record<string, number | string | string[]> = {}) => resolveConfig<AdaConfig>(adalora, arch, input);

/** Nonzero singular values (entries of every e), over all targets. */
function nonzeroValues(trainable: readonly tf.Variable[]): number {
  // trainable is a, e, b per target
  return trainable.filter((_, i) => i % 3 === 1).reduce((n, e) => n + (e.dataSync() as Float32Array).filter((x) => x !== 0).length, 0);
}

describe('AdaLoRA on the toy', () => {
  it('leaves the outputs unchanged while Λ is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 41);
    const base = logitsOf(model);
    const applied = adalora.apply(model, configFor(model.arch, { targets: ['q_proj', 'v_proj', 'fc1'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('prunes to the final budget and keeps it through the final phase', () => {
    const model = ToyModel.init(TINY_DIMS, 42);
    // 4 targets (q, v in 2 layers) at rank 6: budget 24 → 4·3 = 12; 20 steps: tinit 2, final masking at 15
    const config = configFor(model.arch, { initR: 6, targetR: 3, tinit: 0.1, tfinal: 0.25 });
    const applied = adalora.apply(model, config, { seed: 5 });
    const steps = 20;
    const trainer = trainerFor(model, applied, { steps, learningRate: 1e-2, warmupSteps: 1 });
    const counts: number[] = [];
    for (let i = 0; i < steps; i++) {
      trainer.step(fixedBatch(i));
      counts.push(nonzeroValues(applied.trainable));
    }
    // warm-up: nothing pruned (every Λ entry has moved off zero)
    expect(counts[1]).toBe(24);
    // budgeting phase: every masking step leaves at most the scheduled budget
    for (let step = 3; step < 15; step++) expect(counts[step - 1]).toBeLessThanOrEqual(budgetAt(step, steps, config, 24, 12).budget);
    // the final masking and after it: exactly the target budget
    for (let step = 15; step <= steps; step++) expect(counts[step - 1]).toBe(12);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged and unmerged, and unmerging restores W', () => {
    const model = ToyModel.init(TINY_DIMS, 44);
    const applied = adalora.apply(model, configFor(model.arch, { initR: 4, targetR: 2, targets: ['q_proj', 'fc2'], alpha: 16 }));
    const trainer = trainerFor(model, applied, { steps: 8, learningRate: 2e-2, warmupSteps: 1 });
    for (let i = 0; i < 8; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('follows HF PEFT’s cubic budget schedule', () => {
    const s = { tinit: 0.1, tfinal: 0.2, deltaT: 5 };
    // 100 steps: tinit 10, budget reaches the target at 80
    expect(budgetAt(10, 100, s, 48, 32)).toEqual({ budget: 48, mask: false });
    expect(budgetAt(11, 100, s, 48, 32)).toEqual({ budget: Math.trunc(16 * (1 - 1 / 70) ** 3 + 32), mask: false });
    expect(budgetAt(45, 100, s, 48, 32)).toEqual({ budget: 34, mask: true });
    expect(budgetAt(80, 100, s, 48, 32)).toEqual({ budget: 32, mask: true });
  });

  it('penalises non-orthonormal P and Q with HF’s normalisation, and not orthonormal ones', () => {
    const model = ToyModel.init(TINY_DIMS, 43);
    const r = 4;
    const applied = adalora.apply(model, configFor(model.arch, { initR: r, orthReg: 0.5 }));
    const regularizer = () => tf.tidy(() => applied.regularizer!().dataSync()[0] as number);
    expect(regularizer()).toBeGreaterThan(0);
    // A [in, r] with orthonormal columns, B [r, out] with orthonormal rows
    const set = (scaleA: number) =>
      applied.trainable.forEach((v, i) => {
        if (i % 3 === 1) return;
        const [rows, cols] = v.shape as [number, number];
        tf.tidy(() => v.assign(tf.mul(tf.eye(rows, cols), i % 3 === 0 ? scaleA : 1)));
      });
    set(1);
    expect(regularizer()).toBe(0);
    // AᵀA = 4I: ‖3I‖ = 3·√r for each A, 0 for each B; 0.5 × the mean over the 2·4 matrices
    set(2);
    expect(regularizer()).toBeCloseTo((0.5 * (4 * 3 * Math.sqrt(r))) / 8, 5);
    applied.dispose();
    model.dispose();
  });

  it('smooths sensitivity and uncertainty as HF PEFT’s RankAllocator', () => {
    const values = { a: [0.5, -1, 2, 0.25, -0.5, 1], e: [0.3, -0.2], b: [1, 2, -1, 0.5, 0.1, -0.3, 0.7, 0.2] };
    const t: Triplet = {
      a: tf.variable(tf.tensor2d(values.a, [3, 2])),
      e: tf.variable(tf.tensor1d(values.e)),
      b: tf.variable(tf.tensor2d(values.b, [2, 4])),
    };
    const gradSteps = [
      { a: [1, 2, -1, 0.5, 3, -2], e: [0.4, -0.1], b: [0.2, -0.3, 0.1, 1, -1, 0.5, 0.25, 2] },
      { a: [-2, 0.5, 1, 1, -1, 0.3], e: [-0.2, 0.6], b: [1, 1, -0.5, 0.2, 0.3, -2, 1, -0.1] },
    ];
    const [beta1, beta2] = [0.85, 0.7];
    const allocator = new RankAllocator(tf, [t], { initR: 2, targetR: 1, tinit: 0.45, tfinal: 0, deltaT: 1, beta1, beta2 });
    // the direct formula, entry by entry
    const ipt = { a: values.a.map(() => 0), e: values.e.map(() => 0), b: values.b.map(() => 0) };
    const unc = { a: values.a.map(() => 0), e: values.e.map(() => 0), b: values.b.map(() => 0) };
    gradSteps.forEach((g, n) => {
      const grads = new Map<tf.Variable, tf.Tensor>([
        [t.a, tf.tensor2d(g.a, [3, 2])],
        [t.e, tf.tensor1d(g.e)],
        [t.b, tf.tensor2d(g.b, [2, 4])],
      ]);
      allocator.step(n + 1, 100, grads); // steps 1 and 2 are inside the warm-up: no masking
      tf.dispose([...grads.values()]);
      for (const k of ['a', 'e', 'b'] as const) {
        values[k].forEach((w, i) => {
          const now = Math.abs(w * g[k][i]!);
          ipt[k][i] = beta1 * ipt[k][i]! + (1 - beta1) * now;
          unc[k][i] = beta2 * unc[k][i]! + (1 - beta2) * Math.abs(now - ipt[k][i]!);
        });
      }
    });
    const s = (k: 'a' | 'e' | 'b', i: number) => ipt[k][i]! * unc[k][i]!;
    // triplet i: s(e_i) + mean over A's column i (3 rows) + mean over B's row i (4 columns)
    const expected = [0, 1].map((i) => s('e', i) + [0, 1, 2].reduce((m, j) => m + s('a', 2 * j + i), 0) / 3 + [0, 1, 2, 3].reduce((m, j) => m + s('b', 4 * i + j), 0) / 4);
    const [got] = allocator.scores();
    expect(got![0]).toBeCloseTo(expected[0]!, 6);
    expect(got![1]).toBeCloseTo(expected[1]!, 6);
    allocator.dispose();
    tf.dispose([t.a, t.e, t.b]);
  });
});

describe('AdaLoRA on real models', () => {
  it('HF PEFT docs: init_r 12 on query and value of a 12-layer, 768-wide encoder trains 442,656', () => {
    // docs/source/package_reference/adalora.md (HF PEFT at 5d602fd): ViT-base with init_r=12 on
    // query, value and modules_to_save=["classifier"] prints 520,325 trainable parameters; its
    // Food-101 classifier holds 768·101 + 101 = 77,669 of them. BERT-base has the same twelve
    // 768×768 query and value maps.
    const arch = findModel('bert-base-uncased').arch;
    expect(adalora.trainableParams(arch, configFor(arch, { initR: 12, targets: ['query', 'value'] }))).toBe(520_325 - 77_669);
  });

  it('Llama-2-7B with HF defaults (q_proj, v_proj; init_r 12, target_r 8): 6,292,224 trained, 4,194,816 saved', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const config = configFor(arch);
    expect(config.targets).toEqual(['q_proj', 'v_proj']);
    expect(adalora.trainableParams(arch, config)).toBe(64 * 12 * 8193);
    expect(adalora.trainableParams(arch, config)).toBe(6_292_224);
    expect(adalora.savedParams(arch, config)).toBe(4_194_816);
  });

  // With init_r = target_r = 8 AdaLoRA holds LoRA's r = 8 factors plus 8 singular values per map:
  // the survey's measured LoRA count on all maps (q,k,v,o,wi,wo) plus 8 per adapted matrix.
  it.each(surveyCounts('hf_lora_all'))('on %s all maps hold the survey’s LoRA count %i plus 8 singular values each', (model, loraCount) => {
    const arch = findModel(model).arch;
    const config = configFor(arch, { initR: 8, targetR: 8 });
    expect(config.targets).toEqual(['q', 'k', 'v', 'o', 'wi', 'wo']); // HF's AdaLoRA default for T5
    const matrices = arch.stacks.reduce((n, s) => n + s.layers * matchingLinears(s, config.targets).length, 0);
    expect(matrices).toBe(24 * 6 + 24 * 10);
    expect(adalora.trainableParams(arch, config)).toBe(loraCount + 8 * matrices);
    expect(adalora.savedParams(arch, config)).toBe(loraCount + 8 * matrices);
  });

  it("defaults to HF PEFT's AdaLoRA target table", () => {
    const targets = (id: string) => configFor(findModel(id).arch).targets;
    expect(targets('google/flan-t5-base')).toEqual(['q', 'k', 'v', 'o', 'wo']);
    expect(targets('bigscience/mt0-base')).toEqual(['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wo']);
    expect(targets('gpt2')).toEqual(['c_attn']);
    expect(targets('facebook/opt-125m')).toEqual(['q_proj', 'k_proj', 'v_proj', 'out_proj', 'fc1', 'fc2']);
    expect(targets('bert-base-uncased')).toEqual(['query', 'value']);
    expect(targets('mistralai/Mistral-7B-v0.1')).toEqual(['q_proj', 'v_proj']);
    // RoBERTa's q, k, v and the three dense maps of each layer
    const roberta = findModel('roberta-base').arch;
    expect(matchingLinears(roberta.stacks[0]!, configFor(roberta).targets)).toHaveLength(6);
  });
});

describe('AdaLoRA on the LM head and with biases', () => {
  const llama = findModel('meta-llama/Llama-2-7b-hf').arch;

  it('adapts the LM head as the Linear(4,096 → 32,000) it is: 12 × (4,096 + 32,000 + 1) = 433,164 more than q, v', () => {
    const config = configFor(llama, { targets: ['q_proj', 'v_proj', 'lm_head'] });
    expect(adalora.trainableParams(llama, config)).toBe(6_292_224 + 12 * (4_096 + 32_000 + 1));
    // The saved checkpoint keeps the target rank 8 there too.
    expect(adalora.savedParams(llama, config)).toBe(4_194_816 + 8 * (4_096 + 32_000 + 1));
  });

  it('refuses the embedding, which HF PEFT’s AdaLoRA cannot wrap', () => {
    expect(() => configFor(llama, { targets: ['embed_tokens'] })).toThrow(/^Target modules cannot include the token embedding "embed_tokens": only linear maps of the blocks$/);
  });

  it("trains and saves the biases bias = 'lora_only' picks: BERT query and value, 12 × 2 × 768 = 18,432", () => {
    const bert = findModel('bert-base-uncased').arch;
    const none = adalora.trainableParams(bert, configFor(bert, { targets: ['query', 'value'] }));
    const config = configFor(bert, { targets: ['query', 'value'], bias: 'lora_only' });
    expect(adalora.trainableParams(bert, config) - none).toBe(18_432);
    expect(adalora.savedParams(bert, config) - adalora.savedParams(bert, configFor(bert, { targets: ['query', 'value'] }))).toBe(18_432);
  });
});
