import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { checkApplies, resolveConfig, toyConfig } from '../method-api/config';
import { groupsSize } from '../method-api/profile';
import { findModel } from '../models';
import { createRng } from '../model/random';
import { findTask, taskBatch } from '../model/tasks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, loadShippedModel, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { evaluate, trainableCount } from '../train/trainer';
import { type LtSftConfig, eligibleTensors, ltSft, selectMostChanged, switchStep } from './lt-sft';

methodContract(ltSft, { configs: [{ k: 300 }, { share: 20, norms: 'eligible' }] });

beforeAll(useTestBackend);

const configFor = (arch: ToyModel['arch'], input: Record<string, number | string>) => resolveConfig<LtSftConfig>(ltSft, arch, input);
const isNorm = (name: string) => /(^|\.)ln_\w+\.(weight|bias)$/.test(name);

/** Entries of `now` that differ from `then`, per weight name, summed. */
function differing(now: Map<string, Float32Array>, then: Map<string, Float32Array>, names?: (n: string) => boolean): number {
  let n = 0;
  for (const [name, values] of now) {
    if (names && !names(name)) continue;
    const old = then.get(name)!;
    values.forEach((x, j) => {
      if (x !== old[j]) n++;
    });
  }
  return n;
}

describe('LT-SFT on the toy: one run, two phases', () => {
  it('trains every eligible weight in phase 1, then keeps exactly K entries, the ones that moved most, and leaves every other entry at θ₀', () => {
    const model = ToyModel.init(TINY_DIMS, 41);
    const config = configFor(model.arch, { share: 5, fullShare: 50 });
    // The tiny toy: 5,696 parameters, of which 160 are norm gains and biases (2 layers × 2 norms × 32
    // + the final norm's 32): K = ⌊0.05 · 5,536⌋ = 276.
    expect(model.parameterCount()).toBe(5_696);
    const k = Math.floor(0.05 * 5_536);
    expect(ltSft.trainableParams(model.arch, config)).toBe(k);
    const pristine = model.snapshot();
    const applied = ltSft.apply(model, config);
    expect(trainableCount(applied)).toBe(k);
    // Capture θ₁, the weights at the end of phase 1, as the switch sees them.
    let theta1: Map<string, Float32Array> | null = null;
    const onStep = applied.onStep!;
    applied.onStep = (ctx) => {
      if (ctx.step === 10) theta1 = model.snapshot();
      return onStep(ctx);
    };
    const trainer = trainerFor(model, applied, { steps: 20, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 9; i++) trainer.step(fixedBatch(i));
    // Phase 1 is full fine-tuning of the eligible weights: far more than K entries have moved.
    const afterNine = model.snapshot();
    expect(differing(afterNine, pristine, (n) => !isNorm(n))).toBeGreaterThan(10 * k);
    expect(differing(afterNine, pristine, isNorm)).toBe(0);
    expect(applied.gradientMasks!.size).toBe(0);

    // Step 10 ends phase 1: the mask is chosen and every weight is back at θ₀.
    trainer.step(fixedBatch(9));
    expect(theta1).not.toBeNull();
    expect(differing(model.snapshot(), pristine)).toBe(0);
    const masks = applied.gradientMasks!;
    const maskOf = new Map([...model.weights].filter(([, v]) => masks.has(v)).map(([name, v]) => [name, masks.get(v)!.dataSync() as Float32Array]));
    expect([...maskOf.keys()].some(isNorm)).toBe(false);
    expect([...maskOf.values()].reduce((n, m) => n + m.reduce((s, x) => s + x, 0), 0)).toBe(k);
    // The kept entries are the largest |θ₁ − θ₀|.
    let minKept = Infinity;
    let maxDropped = -Infinity;
    for (const [name, mask] of maskOf) {
      const a = theta1!.get(name)!;
      const b = pristine.get(name)!;
      mask.forEach((m, j) => {
        const change = Math.abs(a[j]! - b[j]!);
        if (m === 1) minKept = Math.min(minKept, change);
        else maxDropped = Math.max(maxDropped, change);
      });
    }
    expect(minKept).toBeGreaterThanOrEqual(maxDropped);
    expect(minKept).toBeGreaterThan(0);

    // Phase 2 starts with a new optimizer and a fresh schedule at the peak rate.
    const someWeight = [...masks.keys()][0]!;
    expect(trainer.optimizerState(someWeight).t).toBe(0);
    expect(trainer.step(fixedBatch(10)).learningRate).toBe(1e-2);
    expect(trainer.optimizerState(someWeight).t).toBe(1);
    const rates = Array.from({ length: 9 }, (_, i) => trainer.step(fixedBatch(11 + i)).learningRate);
    // ... which decays linearly to the run's end: the last of phase 2's ten steps gets 1/9 of the peak.
    expect(rates[8]).toBeCloseTo(1e-2 / 9, 12);
    rates.reduce((previous, rate) => (expect(rate).toBeLessThanOrEqual(previous), rate), 1e-2);

    // The result is a sparse difference: exactly the K masked entries differ from θ₀.
    const final = model.snapshot();
    expect(differing(final, pristine)).toBe(k);
    for (const [name, values] of final) {
      const mask = maskOf.get(name);
      values.forEach((x, j) => {
        if (x !== pristine.get(name)![j]) expect(mask?.[j], `${name}[${j}] moved outside the mask`).toBe(1);
      });
    }
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('shows both phases on the shipped model (the loss falls, jumps back to the base loss at the reset, falls again), and composes: two sparse differences from the same θ₀ add up and the sum serves both tasks', { timeout: 120_000 }, () => {
    const model = loadShippedModel();
    const theta0 = model.snapshot();
    const config = toyConfig<LtSftConfig>(ltSft, model.arch);
    const k = ltSft.trainableParams(model.arch, config);
    const rng = createRng(9);
    const tasks = [findTask('topic'), findTask('first')];
    const heldOut = tasks.map((t) => taskBatch(t, rng, 64, model.dims.context));
    const lossOn = (i: number) => evaluate(model, { hooks: {} }, heldOut[i]!).loss;
    const base = tasks.map((_, i) => lossOn(i));
    const curve: number[] = [];
    const alone: number[] = [];
    const phis = tasks.map((task, t) => {
      const applied = ltSft.apply(model, config, { seed: 1, task });
      const trainer = trainerFor(model, applied, { steps: 40, learningRate: ltSft.toyLearningRate, task });
      for (let i = 1; i <= 40; i++) {
        trainer.step(taskBatch(task, rng, 8, model.dims.context));
        // Phase 1 ends at step 20 (half of 40): the loss before it, right after it, and at the end.
        if (t === 0 && (i === 19 || i === 20 || i === 40)) curve.push(lossOn(0));
      }
      alone.push(lossOn(t));
      const phi = new Map([...model.snapshot()].map(([name, values]) => [name, values.map((x, j) => x - theta0.get(name)![j]!)]));
      trainer.dispose();
      applied.dispose();
      for (const [name, v] of model.weights) v.assign(tf.tensor(theta0.get(name)!, v.shape));
      return phi;
    });
    const [phase1, reset, phase2] = curve as [number, number, number];
    expect(phase1).toBeLessThan(0.7 * base[0]!);
    expect(reset).toBe(base[0]);
    expect(phase2).toBeLessThan(0.7 * base[0]!);

    // Each difference has exactly K non-zeros.
    expect(phis.map((phi) => [...phi.values()].reduce((n, d) => n + d.filter((x) => x !== 0).length, 0))).toEqual([k, k]);
    // θ₀ + φ_A + φ_B, as the reference's SFT.apply adds one difference after the other.
    for (const [name, v] of model.weights) {
      const sum = theta0.get(name)!.map((x, j) => x + phis[0]!.get(name)![j]! + phis[1]!.get(name)![j]!);
      v.assign(tf.tensor(sum, v.shape));
    }
    const composed = tasks.map((_, i) => lossOn(i));
    // Each task keeps most of the gain its own difference gave it, under the other task's difference.
    composed.forEach((loss, i) => expect((base[i]! - loss) / (base[i]! - alone[i]!), tasks[i]!.id).toBeGreaterThan(0.5));
    model.dispose();
  });
});

describe('LT-SFT: selection, schedule and penalty', () => {
  it('selects the K largest changes over all tensors at once, whatever their sign', () => {
    const before = [Float32Array.from([0, 0]), Float32Array.from([1, 1, 1])];
    const after = [Float32Array.from([0.1, -0.5]), Float32Array.from([1.3, 1, 0.8])];
    // changes 0.1, 0.5 | 0.3, 0, 0.2: the two largest are 0.5 and 0.3
    expect(selectMostChanged(after, before, 2).map((m) => [...m])).toEqual([
      [0, 1],
      [1, 0, 0],
    ]);
    expect(selectMostChanged(after, before, 3).map((m) => [...m])).toEqual([
      [0, 1],
      [1, 0, 1],
    ]);
    // Ties at the threshold go to the earliest positions: never more than K.
    expect(selectMostChanged([Float32Array.from([2, 2, 2])], [Float32Array.from([0, 0, 0])], 2).map((m) => [...m])).toEqual([[1, 1, 0]]);
  });

  it('ends phase 1 at the chosen share of the run, never at its first or last step', () => {
    expect(switchStep(300, 50)).toBe(150);
    expect(switchStep(40, 25)).toBe(10);
    expect(switchStep(2, 50)).toBe(1);
    expect(switchStep(40, 99)).toBe(39);
    expect(switchStep(10, 1)).toBe(1);
  });

  it('adds λ·Σ|θ − θ₀| / N to the loss, N every parameter of the model, when λ > 0', () => {
    const model = ToyModel.init(TINY_DIMS, 43);
    const none = ltSft.apply(model, configFor(model.arch, {}));
    expect(none.regularizer).toBeUndefined();
    none.dispose();
    const applied = ltSft.apply(model, configFor(model.arch, { l1: 2 }));
    expect(applied.regularizer!().dataSync()[0]).toBe(0);
    const w = model.weight('h.0.q_proj.weight');
    const moved = w.dataSync().slice() as Float32Array;
    moved[3] = moved[3]! + 0.5;
    moved[7] = moved[7]! - 0.25;
    w.assign(tf.tensor(moved, w.shape));
    // A norm weight is not eligible (frozen), so moving it adds nothing.
    const ln = model.weight('h.0.ln_1.weight');
    ln.assign(tf.add(ln, 1));
    expect(applied.regularizer!().dataSync()[0]).toBeCloseTo((2 * 0.75) / 5_696, 7);
    applied.dispose();
    model.dispose();
  });
});

describe('LT-SFT on real models', () => {
  // K = ⌊share · eligible⌋, eligible = every weight but the norms (and an untied LM head), as the
  // reference's example scripts with --freeze_layer_norm (lt_sft.py: int(ft_params_proportion ·
  // maskable)). Totals are checked against models.json's published ones.
  it('GPT-2: K = ⌊1% · (124,439,808 − 38,400 norm weights)⌋ = 1,244,014', () => {
    const arch = findModel('gpt2').arch;
    expect(totalParams(arch)).toBe(124_439_808);
    // 12 layers × (ln_1 + ln_2) × (768 gains + 768 biases) + ln_f's 1,536
    const norms = 12 * 2 * 1_536 + 1_536;
    expect(groupsSize(eligibleTensors(arch, 'frozen'))).toBe(124_439_808 - norms);
    const config = configFor(arch, {});
    expect(ltSft.trainableParams(arch, config)).toBe(Math.floor(0.01 * (124_439_808 - 38_400)));
    expect(ltSft.trainableParams(arch, config)).toBe(1_244_014);
    expect(ltSft.savedParams(arch, config)).toBe(2 * 1_244_014);
    // Norms eligible (SftArguments' default): the whole model.
    expect(ltSft.trainableParams(arch, configFor(arch, { norms: 'eligible' }))).toBe(Math.floor(0.01 * 124_439_808));
  });

  it('BERT-Base: the embedding LayerNorm is frozen too; token types and pooler stay eligible', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(totalParams(arch)).toBe(109_482_240);
    // 12 layers × 2 LayerNorms × 1,536 + embeddings.LayerNorm 1,536 = 38,400
    expect(groupsSize(eligibleTensors(arch, 'frozen'))).toBe(109_482_240 - 38_400);
    expect(ltSft.trainableParams(arch, configFor(arch, {}))).toBe(1_094_438); // ⌊0.01 · 109,443,840⌋
  });

  it('Llama 2 7B: the untied LM head is frozen, as the MLM script’s --freeze_decoder', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(totalParams(arch)).toBe(6_738_415_616);
    // RMSNorm gains: 32 layers × 2 × 4,096 + 4,096 = 266,240; lm_head 32,000 × 4,096 = 131,072,000
    const eligible = 6_738_415_616 - 266_240 - 131_072_000;
    expect(groupsSize(eligibleTensors(arch, 'frozen'))).toBe(eligible);
    expect(ltSft.trainableParams(arch, configFor(arch, {}))).toBe(66_070_773); // ⌊0.01 · 6,607,077,376⌋
    expect(ltSft.anatomy(arch, configFor(arch, {})).map((a) => a.part)).not.toContain('head');
    expect(ltSft.anatomy(findModel('gpt2').arch, configFor(arch, {})).map((a) => a.part)).toContain('head');
  });

  it('takes K as set, as the reference’s task scripts do (ft_params_num 14,155,776), and says when K is too many', () => {
    const arch = findModel('bert-base-uncased').arch;
    const config = configFor(arch, { k: 14_155_776 });
    expect(ltSft.trainableParams(arch, config)).toBe(14_155_776);
    expect(ltSft.savedParams(arch, config)).toBe(28_311_552);
    expect(ltSft.traits.countNote!(config)).toMatch(/K = 14,155,776/);
    expect(ltSft.traits.countNote!(configFor(arch, {}))).toMatch(/1% of the weights eligible/);
    const tooMany = configFor(arch, { k: 200_000_000 });
    expect(ltSft.notApplicable!(arch, tooMany)).toMatch(/more than the 109,443,840 weights/);
    expect(() => checkApplies(ltSft, arch, tooMany)).toThrow(/more than/);
  });
});
