import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';
import { numericalRank, relora, updateSpectrum } from './relora';

methodContract(relora, {
  configs: [
    { r: 2, alpha: 4, targets: ['q_proj', 'fc2'], resetEvery: 3 },
    // Per-module ranks and α, and the biases of the targeted maps.
    { r: 2, targets: ['q_proj', 'v_proj', 'fc1'], rankPattern: 'q_proj=3,fc.*=5', alphaPattern: 'v_proj=1', bias: 'lora_only' },
  ],
});

beforeAll(useTestBackend);

type ReloraConfig = Parameters<typeof relora.trainableParams>[1];
const configOf = (model: ToyModel, input: Record<string, string | number | string[]>) => resolveConfig<ReloraConfig>(relora, model.arch, input);

/** A copy of one weight's values. */
const valuesOf = (model: ToyModel, name: string) => Float32Array.from(model.weight(name).dataSync());

describe('ReLoRA merge-and-reinit', () => {
  it('folds exactly (α/r)·A·B into W, sets B to zero, re-draws A, and keeps the outputs', () => {
    const model = ToyModel.init(TINY_DIMS, 21);
    const config = configOf(model, { r: 2, alpha: 6, targets: ['q_proj', 'fc1'], resetEvery: 5 });
    const applied = relora.apply(model, config, { seed: 2 });
    const trainer = trainerFor(model, applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 4; i++) trainer.step(fixedBatch(i));
    // trainable = [A, B] per site, sites in layer order: h.0.q_proj, h.0.fc1, h.1.q_proj, h.1.fc1.
    const [a, b] = applied.trainable as [tf.Variable, tf.Variable];
    const expected = tf.tidy(() => tf.add(model.weight('h.0.q_proj.weight'), tf.mul(tf.matMul(a, b), 6 / 2)).dataSync() as Float32Array);
    const aBefore = Float32Array.from(a.dataSync());
    const untouched = valuesOf(model, 'h.0.k_proj.weight');
    const outputs = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(Float32Array.from(b.dataSync()), new Float32Array(b.size))).toBeGreaterThan(0);

    const action = applied.onStep!({ step: 5, totalSteps: 20, grads: new Map() });

    expect(maxAbsDiff(valuesOf(model, 'h.0.q_proj.weight'), expected)).toBe(0);
    expect(maxAbsDiff(valuesOf(model, 'h.0.k_proj.weight'), untouched)).toBe(0); // not a target
    expect([...b.dataSync()].every((x) => x === 0)).toBe(true);
    const aAfter = Float32Array.from(a.dataSync());
    expect(maxAbsDiff(aAfter, aBefore)).toBeGreaterThan(0);
    // kaiming_uniform_(a = √5) on an in = 16 map: uniform in ±1/√16
    expect(Math.max(...aAfter.map(Math.abs))).toBeLessThanOrEqual(0.25);
    // B = 0 again, so the new update starts at zero and the function is the one before the reset.
    expect(maxAbsDiff(logitsOf(model, applied.hooks), outputs)).toBeLessThan(1e-5);
    expect(action).toEqual({ pruneOptimizer: { variables: applied.trainable, keep: expect.closeTo(0.01, 12) }, restartSchedule: { warmupSteps: 100 } });
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('through the trainer: prunes the Adam moments of A and B to the kept share, keeps the step count, and re-warms the learning rate', () => {
    const model = ToyModel.init(TINY_DIMS, 22);
    const config = configOf(model, { r: 2, targets: ['q_proj', 'fc2'], bias: 'lora_only', resetEvery: 4, restartWarmup: 2, optimizerPruning: 0.9 });
    const applied = relora.apply(model, config, { seed: 3 });
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    const rates = Array.from({ length: 4 }, (_, i) => trainer.step(fixedBatch(i)).learningRate);
    const nonZero = (xs: Float32Array) => xs.filter((x) => x !== 0).length;
    const [a, b] = applied.trainable as [tf.Variable, tf.Variable];
    // A of q_proj is 16 × 2 (32 values): the 0.9-quantile sits at position 0.9 · 31 = 27.9, so the 4
    // largest stay. A of fc2 is 32 × 2 (64 values): position 56.7, 7 stay.
    for (const [variable, kept] of [
      [a, 4],
      [b, 4],
      [applied.trainable[2]!, 7],
    ] as const) {
      const state = trainer.optimizerState(variable);
      expect(nonZero(state.m), variable.name).toBe(kept);
      expect(nonZero(state.v), variable.name).toBe(kept);
      expect(state.t).toBe(4);
    }
    // The biases the method also trains are not LoRA factors: their moments stay whole.
    const bias = applied.trainable[applied.trainable.length - 1]!;
    expect(nonZero(trainer.optimizerState(bias).v)).toBe(bias.size);
    rates.push(...Array.from({ length: 3 }, (_, i) => trainer.step(fixedBatch(4 + i)).learningRate));
    // The site's schedule: one warmup step, then linear decay to zero at step 10.
    const linear = (s: number) => 1e-2 * ((10 - s) / 9);
    expect(rates[3]).toBeCloseTo(linear(3), 12);
    // From zero back up over 2 steps: 0, then half, then the schedule again.
    expect(rates[4]).toBe(0);
    expect(rates[5]).toBeCloseTo(linear(5) / 2, 12);
    expect(rates[6]).toBeCloseTo(linear(6), 12);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('adds up rank-r updates to a change of W of higher rank, each restart adding at most r', () => {
    const model = ToyModel.init(TINY_DIMS, 23);
    const r = 2;
    const config = configOf(model, { r, alpha: 4, targets: ['q_proj', 'fc1'], resetEvery: 4, restartWarmup: 1 });
    const applied = relora.apply(model, config, { seed: 4 });
    const names = ['h.0.q_proj.weight', 'h.1.fc1.weight'];
    const start = new Map(names.map((n) => [n, valuesOf(model, n)]));
    const trainer = trainerFor(model, applied, { steps: 30, learningRate: 2e-2, warmupSteps: 1 });
    const ranks: number[][] = [];
    for (let i = 0; i < 24; i++) {
      const { step } = trainer.step(fixedBatch(i));
      if (step % 4 === 0) ranks.push(names.map((n) => updateSpectrum(valuesOf(model, n), start.get(n)!, 16, n.includes('fc1') ? 32 : 16).rank));
    }
    // After k merges W − W₀ is a sum of k rank-2 matrices: rank at most 2k, and it keeps growing.
    ranks.forEach((perWeight, k) => perWeight.forEach((rank) => expect(rank).toBeLessThanOrEqual(r * (k + 1))));
    expect(ranks[0]).toEqual([r, r]);
    for (const rank of ranks[ranks.length - 1]!) expect(rank).toBeGreaterThan(3 * r);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('LoRA trained as long and merged once stays at rank r', () => {
    const model = ToyModel.init(TINY_DIMS, 23);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { r: 2, alpha: 4, targets: ['q_proj'] }), { seed: 4 });
    const start = valuesOf(model, 'h.0.q_proj.weight');
    const trainer = trainerFor(model, applied, { steps: 24, learningRate: 2e-2, warmupSteps: 1 });
    for (let i = 0; i < 24; i++) trainer.step(fixedBatch(i));
    applied.merge!();
    expect(updateSpectrum(valuesOf(model, 'h.0.q_proj.weight'), start, 16, 16).rank).toBe(2);
    applied.unmerge!();
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('merges and unmerges its current update exactly after restarts, and does not restart at the last step', () => {
    const model = ToyModel.init(TINY_DIMS, 24);
    const applied = relora.apply(model, configOf(model, { r: 2, targets: ['v_proj', 'fc2'], resetEvery: 3, restartWarmup: 1 }), { seed: 5 });
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 8; i++) trainer.step(fixedBatch(i));
    const weights = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    // Restarts after steps 3 and 6; step 7 runs at rate 0, step 8 moves B again.
    expect(maxAbsDiff(unmerged, logitsOf(model)), 'the update since the last restart').toBeGreaterThan(1e-6);
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, weights.get(name)!), name).toBe(0);
    // A multiple of resetEvery that is the run's last step restarts nothing: nothing follows it.
    expect(applied.onStep!({ step: 6, totalSteps: 6, grads: new Map() })).toBeUndefined();
    expect(applied.onStep!({ step: 5, totalSteps: 6, grads: new Map() })).toBeUndefined();
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('keeps its tensor count through restarts and frees A, B and any merge copy', () => {
    const start = tf.memory().numTensors;
    const model = ToyModel.init(TINY_DIMS, 25);
    const applied = relora.apply(model, configOf(model, { r: 2, targets: ['q_proj', 'fc1'], resetEvery: 2 }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-3 });
    trainer.step(fixedBatch(0));
    const counts = [1, 2, 3, 4].map((i) => {
      trainer.step(fixedBatch(i)); // steps 2 and 4 restart
      return tf.memory().numTensors;
    });
    expect(new Set(counts).size).toBe(1);
    applied.merge!();
    trainer.dispose();
    applied.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('numerical rank', () => {
  it('counts the singular values above σ_max · max(m, n) · 2⁻²³', () => {
    expect(numericalRank([1, 0.5, 1e-3, 1e-6], 16, 16)).toBe(3); // tolerance 16 · 2⁻²³ ≈ 1.9e-6
    expect(numericalRank([0, 0], 4, 4)).toBe(0);
    // a rank-1 outer product of 3 × 2
    expect(updateSpectrum([1, 2, 2, 4, 3, 6], [0, 0, 0, 0, 0, 0], 3, 2).rank).toBe(1);
  });
});

describe('ReLoRA on real models: LoRA factors on every attention and MLP map', () => {
  const count = (id: string, input: Record<string, string | number | string[]> = {}) => {
    const arch = findModel(id).arch;
    return relora.trainableParams(arch, resolveConfig(relora, arch, { r: 8, ...input }));
  };
  // Per targeted map, r × (in + out), as HF PEFT's LoRA counts lora_A and lora_B; the authors'
  // ReLoRaLinear has the same two factors (lora_A: in → r, lora_B: r → out, no bias).

  it('Llama 2 7B: q, k, v, o (4,096 → 4,096), gate and up (4,096 → 11,008), down (11,008 → 4,096)', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(32 * 8 * (4 * (4096 + 4096) + 2 * (4096 + 11008) + (11008 + 4096)));
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(19_988_480);
  });

  it('Qwen2.5-0.5B: q, o 896 → 896, k, v 896 → 128 (2 KV heads of 64), gate, up 896 → 4,864, down back', () => {
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(24 * 8 * (2 * (896 + 896) + 2 * (896 + 128) + 3 * (896 + 4864)));
  });

  it('Mistral 7B: q, o 4,096 → 4,096, k, v 4,096 → 1,024 (8 KV heads), gate, up 4,096 → 14,336, down back', () => {
    expect(count('mistralai/Mistral-7B-v0.1')).toBe(32 * 8 * (2 * (4096 + 4096) + 2 * (4096 + 1024) + 3 * (4096 + 14336)));
  });

  it("T5-base: q, k, v, o and wi, wo in 12 encoder blocks; the decoder's 12 add cross-attention", () => {
    const encoder = 12 * 8 * (4 * (768 + 768) + 2 * (768 + 3072));
    const decoder = 12 * 8 * (8 * (768 + 768) + 2 * (768 + 3072));
    expect(count('t5-base')).toBe(encoder + decoder);
  });

  it('GPT-2: c_attn 768 → 2,304, attn.c_proj 768 → 768, c_fc 768 → 3,072, mlp.c_proj 3,072 → 768', () => {
    expect(count('gpt2')).toBe(12 * 8 * (768 + 2304 + (768 + 768) + 2 * (768 + 3072)));
  });

  it('BERT-base: query, key, value, attention.output.dense, intermediate.dense, output.dense', () => {
    expect(count('bert-base-uncased')).toBe(12 * 8 * (4 * (768 + 768) + 2 * (768 + 3072)));
  });

  it('OPT-125m: q, k, v, out_proj (768 → 768), fc1 and fc2 (768 ↔ 3,072)', () => {
    expect(count('facebook/opt-125m')).toBe(12 * 8 * (4 * (768 + 768) + 2 * (768 + 3072)));
  });

  it('counts as LoRA on the same maps, and has no HF PEFT export (PEFT has no ReLoRA)', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const targets = ['q_proj', 'v_proj', 'down_proj'];
    expect(relora.trainableParams(arch, resolveConfig(relora, arch, { r: 16, targets }))).toBe(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 16, targets })));
    expect(relora.peft).toBeUndefined();
    expect(resolveConfig(relora, arch).r).toBe(128);
  });

  it('saves every targeted weight in full, since the merges have changed them: Llama 2 7B, all seven maps', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    // q, k, v, o 4,096 × 4,096 and gate, up, down 4,096 × 11,008, in 32 layers; whatever r is.
    expect(relora.savedParams(arch, resolveConfig(relora, arch, { r: 8 }))).toBe(32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
    expect(32 * (4 * 4096 * 4096 + 3 * 4096 * 11008)).toBe(6_476_005_376);
    // BERT's biases of the targeted maps ride along when trained (bias = lora_only).
    const bert = findModel('bert-base-uncased').arch;
    const config = resolveConfig<ReloraConfig>(relora, bert, { r: 8, targets: ['query'], bias: 'lora_only' });
    expect(relora.savedParams(bert, config)).toBe(12 * (768 * 768 + 768));
  });
});
