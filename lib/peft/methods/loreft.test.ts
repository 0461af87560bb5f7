import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { inferenceOverhead } from '../cost/memory';
import { checkApplies, resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import type { ForwardContext } from '../model/hooks';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { interventionLayers, interventionPositions, loreft, orthonormalRows } from './loreft';

type LoreftConfig = Parameters<typeof loreft.trainableParams>[1];

methodContract(loreft, {
  configs: [
    { r: 2, first: 1, last: 2, tie: 'untied' },
    { r: 3, first: 0, last: 3, layers: 'one' },
  ],
});

beforeAll(useTestBackend);

const config = (model: ToyModel, input: Record<string, number | string>): LoreftConfig => resolveConfig(loreft, model.arch, input);

/** Every R the applied method builds (its trainable variables come as R's vectors, W, b per intervention). */
function rotations(applied: ReturnType<typeof loreft.apply>): Float32Array[][] {
  const out: Float32Array[][] = [];
  for (let i = 0; i < applied.trainable.length; i += 3) {
    const v = applied.trainable[i] as tf.Variable;
    out.push(tf.tidy(() => tf.matMul(orthonormalRows(tf, v as tf.Tensor2D), orthonormalRows(tf, v as tf.Tensor2D), false, true).arraySync() as number[][]).map((row) => Float32Array.from(row)));
  }
  return out;
}

function distanceFromIdentity(gram: Float32Array[]): number {
  return gram.reduce((m, row, i) => Math.max(m, ...Array.from(row, (v, j) => Math.abs(v - (i === j ? 1 : 0)))), 0);
}

describe('LoReFT on the toy', () => {
  it('keeps the rows of every R orthonormal (R Rᵀ = I within 1e-4), before and after training steps', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const applied = loreft.apply(model, config(model, { r: 5, first: 2, last: 2, tie: 'untied' }));
    for (const gram of rotations(applied)) expect(distanceFromIdentity(gram)).toBeLessThan(1e-4);
    const before = applied.trainable.map((v) => v.dataSync().slice());
    const trainer = trainerFor(model, applied, { steps: 15, learningRate: 5e-2, warmupSteps: 1 });
    for (let i = 0; i < 15; i++) trainer.step(fixedBatch(i));
    trainer.dispose();
    // The Householder vectors did move, and R is still orthonormal.
    expect(maxAbsDiff(applied.trainable[0]!.dataSync() as Float32Array, before[0] as Float32Array)).toBeGreaterThan(1e-2);
    for (const gram of rotations(applied)) expect(distanceFromIdentity(gram)).toBeLessThan(1e-4);
    applied.dispose();
    model.dispose();
  });

  it('is the identity when W = R and b = 0, and changes the outputs otherwise', () => {
    const model = ToyModel.init(TINY_DIMS, 4);
    const applied = loreft.apply(model, config(model, { r: 4, first: 3, last: 3 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeGreaterThan(1e-3);
    for (let i = 0; i < applied.trainable.length; i += 3) {
      const [v, w, b] = applied.trainable.slice(i, i + 3) as [tf.Variable, tf.Variable, tf.Variable];
      tf.tidy(() => {
        w.assign(orthonormalRows(tf, v as tf.Tensor2D));
        b.assign(tf.zerosLike(b));
      });
    }
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeLessThan(1e-6);
    applied.dispose();
    model.dispose();
  });

  it('picks the first p and last s prompt tokens, each at most half the prompt, as pyreft does', () => {
    expect(interventionPositions(17, 1, 1)).toEqual({ first: [0], last: [16] });
    expect(interventionPositions(5, 7, 7)).toEqual({ first: [0, 1], last: [3, 4] });
    expect(interventionPositions(6, 7, 0)).toEqual({ first: [0, 1, 2], last: [] });
    expect(interventionPositions(1, 7, 7)).toEqual({ first: [], last: [] });
    expect(interventionLayers(32, 'all')).toHaveLength(32);
    expect(interventionLayers(32, 'four')).toEqual([2, 10, 18, 26]);
    expect(interventionLayers(32, 'one')).toEqual([15]);
    expect(interventionLayers(2, 'four')).toEqual([0, 1]);
  });

  it.each(['tied', 'untied'])('edits only those positions of each row of a batch, never the answer (%s)', (tie) => {
    const model = ToyModel.init(TINY_DIMS, 5);
    const applied = loreft.apply(model, config(model, { r: 3, first: 2, last: 3, tie }));
    const promptLengths = [9, 5, 1, 20];
    const seq = 24;
    const ctx: ForwardContext = { batch: 4, seq, prefixLength: 0, positions: Array.from({ length: seq }, (_, i) => i), mode: 'train', step: 0, promptLengths };
    const h = tf.randomNormal([4 * seq, 16], 0, 1, 'float32', 7) as tf.Tensor2D;
    const out = applied.hooks.blockOutput!(0, h, ctx);
    const [before, after] = [h.arraySync(), out.arraySync()];
    const edited = (b: number, t: number) => {
      const { first, last } = interventionPositions(promptLengths[b]!, 2, 3);
      return first.includes(t) || last.includes(t);
    };
    for (let b = 0; b < 4; b++) {
      for (let t = 0; t < seq; t++) {
        const row = b * seq + t;
        const change = Math.max(...before[row]!.map((v, j) => Math.abs(v - after[row]![j]!)));
        if (edited(b, t)) expect(change, `row ${b}, token ${t}`).toBeGreaterThan(1e-4);
        else expect(change, `row ${b}, token ${t}`).toBe(0);
      }
    }
    tf.dispose([h, out]);
    applied.dispose();
    model.dispose();
  });

  it('leaves the final hidden states of answer tokens as the base model has them when only the last layer is edited', () => {
    const model = ToyModel.init(TINY_DIMS, 6);
    const applied = loreft.apply(model, config(model, { r: 4, first: 2, last: 2 }));
    const last = model.dims.layers - 1;
    const lastOnly = { blockOutput: (l: number, h: tf.Tensor2D, c: ForwardContext) => (l === last ? applied.hooks.blockOutput!(l, h, c) : h) };
    const batch = fixedBatch(8);
    const run = { mode: 'eval' as const, step: 0, promptLengths: [...batch.promptLengths] };
    const [base, tuned] = tf.tidy(() => {
      const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
      return [model.features(inputs, {}, run).arraySync(), model.features(inputs, lastOnly, run).arraySync()];
    });
    for (let b = 0; b < batch.size; b++) {
      const n = batch.promptLengths[b]!;
      const diff = (t: number) => Math.max(...base[b]![t]!.map((v, j) => Math.abs(v - tuned[b]![t]![j]!)));
      for (let t = n; t < batch.length; t++) expect(diff(t), `row ${b}, answer token ${t}`).toBe(0);
      expect(diff(n - 1), `row ${b}, last prompt token`).toBeGreaterThan(1e-4);
      expect(diff(0), `row ${b}, first prompt token`).toBeGreaterThan(1e-4);
    }
    applied.dispose();
    model.dispose();
  });

  it('refuses a rank above the hidden size and a run with no positions', () => {
    const model = ToyModel.init(TINY_DIMS, 0);
    expect(() => checkApplies(loreft, model.arch, config(model, { r: 17 }))).toThrow(/at most 16/);
    expect(() => checkApplies(loreft, model.arch, config(model, { first: 0, last: 0 }))).toThrow(/no token/);
    model.dispose();
  });
});

describe('LoReFT on real models', () => {
  const count = (id: string, input: Record<string, number | string>) => {
    const arch = findModel(id).arch;
    const n = loreft.trainableParams(arch, resolveConfig(loreft, arch, input));
    return { n, percent: (100 * n) / totalParams(arch) };
  };

  it("pyreft's README: one rank-4 intervention at layer 15 of Llama-2 7B (last prompt token) trains 32,772", () => {
    // stanfordnlp/pyreft README.md at commit dafd0995, step 2, `print_trainable_parameters` output:
    // "trainable intervention params: 32,772 ... model params: 6,738,415,616".
    expect(count('meta-llama/Llama-2-7b-hf', { r: 4, first: 0, last: 1, layers: 'one' }).n).toBe(32_772);
    expect(totalParams(findModel('meta-llama/Llama-2-7b-hf').arch)).toBe(6_738_415_616);
  });

  it('paper Table 1 (commonsense): rank 8, f7+l7 tied, all layers: 0.031% of a 7B Llama, 0.025% of a 13B', () => {
    // Settings: pyreft examples/loreft/README.md (`-l all -r 8 -p f7+l7 --share_weights`); the
    // paper's Table 1 reports 0.031% for LLaMA-7B and Llama-2 7B, 0.025% for LLaMA-13B (same
    // width and depth as Llama-2 13B): 32 × (2·8·4096 + 8) and 40 × (2·8·5120 + 8).
    const seven = count('meta-llama/Llama-2-7b-hf', {});
    expect(seven.n).toBe(2_097_408);
    expect(seven.percent.toFixed(3)).toBe('0.031');
    const thirteen = count('meta-llama/Llama-2-13b-hf', {});
    expect(thirteen.n).toBe(3_277_120);
    expect(thirteen.percent.toFixed(3)).toBe('0.025');
  });

  it('paper Table 3 (instruction tuning): rank 4, f5+l5 untied, four layers: 0.0039% of Llama-2 7B (0.0019% at rank 2)', () => {
    // pyreft examples/loreft/README.md: `-l 3;9;18;24 -r 4 -p f5+l5` without --share_weights, so
    // train.py doubles the four layers: 8 × (2·4·4096 + 4).
    const run = count('meta-llama/Llama-2-7b-hf', { r: 4, first: 5, last: 5, layers: 'four', tie: 'untied' });
    expect(run.n).toBe(262_176);
    expect(run.percent.toFixed(4)).toBe('0.0039');
    expect(count('meta-llama/Llama-2-7b-hf', { r: 2, first: 5, last: 5, layers: 'four', tie: 'untied' }).percent.toFixed(4)).toBe('0.0019');
    // Tied, the same run would be half the size.
    expect(count('meta-llama/Llama-2-7b-hf', { r: 4, first: 5, last: 5, layers: 'four', tie: 'tied' }).n).toBe(131_088);
  });

  it('paper Table 4 (GLUE): rank 1 on the first token of every layer: 0.015% of RoBERTa-base, 0.014% of RoBERTa-large', () => {
    // pyreft examples/loreft/README.md: `-l all -r 1 -p f1`; 12 × (2·768 + 1) and 24 × (2·1024 + 1).
    // The classification head the GLUE runs also train is not in the paper's percentage.
    const base = count('roberta-base', { r: 1, first: 1, last: 0 });
    expect(base.n).toBe(18_444);
    expect(base.percent.toFixed(3)).toBe('0.015');
    const large = count('roberta-large', { r: 1, first: 1, last: 0 });
    expect(large.n).toBe(49_176);
    expect(large.percent.toFixed(3)).toBe('0.014');
  });

  it('sits in the encoder of an encoder–decoder model, and adds modules at inference', () => {
    expect(count('t5-base', { layers: 'all' }).n).toBe(12 * (2 * 8 * 768 + 8));
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    const overhead = inferenceOverhead(arch, loreft, resolveConfig(loreft, arch));
    expect(overhead.kind).toBe('extra-modules');
    // 14 positions × 32 layers × 3·8·4096 multiply-adds per 512-token sequence: a tiny share.
    expect(overhead.extraFlopsShare).toBeGreaterThan(0);
    expect(overhead.extraFlopsShare).toBeLessThan(1e-3);
  });
});
