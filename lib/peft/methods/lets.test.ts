import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { trainableCount } from '../train/trainer';
import { keptCandidates, lets } from './lets';

methodContract(lets, { configs: [{ rank: 3, keep: 2 }, { rank: 16, keep: 1, searchSteps: 2 }] });

beforeAll(useTestBackend);

describe('LeTS on the toy', () => {
  it('starts exactly at the base model (up-projections zero)', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = lets.apply(model, resolveConfig(lets, model.arch, { rank: 4, keep: 1 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('searches, then keeps the candidate with the largest architecture weight and stops training the rest and α', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const searchSteps = 4;
    const applied = lets.apply(model, resolveConfig(lets, model.arch, { rank: 4, keep: 1, searchSteps }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    const all = trainableCount(applied);
    for (let i = 0; i < searchSteps - 1; i++) trainer.step(fixedBatch(i));
    expect(keptCandidates(applied, TINY_DIMS.layers)).toEqual([0, 1]);
    trainer.step(fixedBatch(9));
    const alpha = applied.trainable[applied.trainable.length - 1]!;
    const a = alpha.dataSync();
    const best = a[0]! >= a[1]! ? 0 : 1;
    expect(keptCandidates(applied, TINY_DIMS.layers)).toEqual([best]);
    // One component (2·d·r + r + d) is left to train.
    const d = TINY_DIMS.hiddenSize;
    expect(trainableCount(applied)).toBe(2 * d * 4 + 4 + d);
    expect(all).toBe(TINY_DIMS.layers * (2 * d * 4 + 4 + d) + TINY_DIMS.layers);

    const snapshot = applied.trainable.map((v) => v.dataSync().slice());
    for (let i = 0; i < 3; i++) trainer.step(fixedBatch(20 + i));
    applied.trainable.forEach((v, i) => {
      const moved = maxAbsDiff(v.dataSync() as Float32Array, snapshot[i] as Float32Array) > 0;
      const owner = Math.floor(i / 4);
      const trainsOn = i < 4 * TINY_DIMS.layers && owner === best;
      // W↓ and b↓ of the kept component keep training; pruned ones and α stay put.
      if (!trainsOn) expect(moved, `variable ${i}`).toBe(false);
      else if (i % 4 === 0 || i % 4 === 2) expect(moved, `variable ${i}`).toBe(true);
    });
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('after pruning, the output no longer depends on the pruned component', () => {
    const model = ToyModel.init(TINY_DIMS, 9);
    const applied = lets.apply(model, resolveConfig(lets, model.arch, { rank: 4, keep: 1, searchSteps: 2 }));
    const trainer = trainerFor(model, applied, { steps: 4, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 3; i++) trainer.step(fixedBatch(i));
    const [kept] = keptCandidates(applied, TINY_DIMS.layers);
    const pruned = 1 - kept!;
    const before = logitsOf(model, applied.hooks);
    const up = applied.trainable[4 * pruned + 2]!;
    up.assign(tf.tidy(() => tf.add(up, 1)));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), before)).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('LeTS on real models (counted from our reading of the paper; no reference implementation)', () => {
  // One candidate per layer: W↓ (d·r), b↓ (r), W↑ (r·d), b↑ (d); one α per layer of a stack.
  const perComponent = (d: number, r: number) => 2 * d * r + r + d;

  it('BERT-base, r = 64, keep 4: 1,189,644 trained during the search, 396,544 saved', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(perComponent(768, 64)).toBe(99_136);
    expect(lets.trainableParams(arch, resolveConfig(lets, arch))).toBe(1_189_644);
    expect(lets.savedParams(arch, resolveConfig(lets, arch))).toBe(396_544);
  });

  it('T5-base: each of its two stacks searches its own 12 candidates (2,379,288 trained, 793,088 saved)', () => {
    const arch = findModel('t5-base').arch;
    expect(lets.trainableParams(arch, resolveConfig(lets, arch))).toBe(2 * 1_189_644);
    expect(lets.savedParams(arch, resolveConfig(lets, arch))).toBe(2 * 396_544);
  });

  it('Llama 2 7B, r = 64, keep 4: 32 candidates of 528,448', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(perComponent(4096, 64)).toBe(528_448);
    expect(lets.trainableParams(arch, resolveConfig(lets, arch))).toBe(32 * 528_448 + 32);
    expect(lets.savedParams(arch, resolveConfig(lets, arch))).toBe(4 * 528_448);
  });

  it('keeps every component when asked for more than a stack has layers', () => {
    const arch = findModel('bert-base-uncased').arch;
    expect(lets.savedParams(arch, resolveConfig(lets, arch, { keep: 13 }))).toBe(12 * 99_136);
  });
});
