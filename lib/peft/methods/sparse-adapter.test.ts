import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { calibrationBatches } from '../train/session';
import { Trainer, trainableCount } from '../train/trainer';
import { adapters } from './adapters';
import { keptCount, prunedCount, sparseAdapter, sparseWidth } from './sparse-adapter';

methodContract(sparseAdapter, {
  configs: [
    { bottleneck: 6, sparsity: 0.3, pruner: 'rand', placement: 'mlp' },
    { bottleneck: 4, sparsity: 0.75, pruner: 'mag', placement: 'attention', setting: 'large-sparse' },
  ],
});

beforeAll(useTestBackend);

type SparseConfig = Parameters<typeof sparseAdapter.apply>[1];
const configFor = (model: ToyModel, input: Record<string, string | number>) => resolveConfig<SparseConfig>(sparseAdapter, model.arch, input);
const batches = () => calibrationBatches('topic', 0, TINY_DIMS.context, 4).slice(0, 3);

/** The adapters' weight matrices (down and up, every adapter) with their masks, in the method's order. */
function matricesOf(applied: ReturnType<typeof sparseAdapter.apply>): { values: Float32Array; mask: Float32Array }[] {
  return applied.trainable
    .filter((v) => v.rank === 2)
    .map((v) => ({ values: v.dataSync() as Float32Array, mask: applied.gradientMasks!.get(v)!.dataSync() as Float32Array }));
}

describe('SparseAdapter on the toy', () => {
  it.each(['rand', 'mag', 'snip'])('%s prunes exactly ceil(s·N) entries of the weight matrices, over all adapters at once, and no bias', (pruner) => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const config = configFor(model, { bottleneck: 5, sparsity: 0.37, pruner, placement: 'both' });
    const applied = sparseAdapter.apply(model, config, { seed: 2 });
    const trainer = new Trainer(model, applied, { steps: 1, learningRate: 1e-3, calibration: batches() });
    const matrices = matricesOf(applied);
    // 2 layers × 2 sites × (16·5 + 5·16) = 640 entries on the tiny toy; ceil(0.37 · 640) = 237 pruned.
    const n = 2 * 2 * (16 * 5 + 5 * 16);
    expect(matrices.reduce((s, m) => s + m.mask.length, 0)).toBe(n);
    expect(prunedCount(n, 0.37)).toBe(237);
    const kept = matrices.reduce((s, m) => s + m.mask.reduce((a, x) => a + x, 0), 0);
    expect(kept).toBe(640 - 237);
    for (const m of matrices) {
      expect(m.mask.every((x) => x === 0 || x === 1)).toBe(true);
      // Pruned entries are zero from the start; kept ones are not.
      m.mask.forEach((x, i) => expect(x === 0 ? m.values[i] === 0 : m.values[i] !== 0).toBe(true));
    }
    // Biases have no mask: trained in full.
    expect(applied.trainable.filter((v) => v.rank === 1).every((v) => !applied.gradientMasks!.has(v))).toBe(true);
    expect(trainableCount(applied)).toBe(sparseAdapter.trainableParams(model.arch, config));
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('SNIP keeps the entries with the largest |weight × summed gradient|, computed here through a dense Houlsby adapter of the same weights', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const config = configFor(model, { bottleneck: 4, sparsity: 0.5, pruner: 'snip', placement: 'both' });
    const applied = sparseAdapter.apply(model, config, { seed: 4 });
    // The same seed and width give adapters.apply the very weights SparseAdapter starts from.
    const dense = adapters.apply(model, resolveConfig(adapters, model.arch, { bottleneck: 4, placement: 'both' }), { seed: 4 });
    const weights = dense.trainable.filter((v) => v.rank === 2);
    const sums = weights.map((v) => new Float64Array(v.size));
    for (const batch of batches()) {
      const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), dense.hooks), batch), weights);
      weights.forEach((v, i) => grads[v.name]!.dataSync().forEach((g, j) => (sums[i]![j]! += g)));
      tf.dispose([value, ...Object.values(grads)]);
    }
    const scores = weights.flatMap((v, i) => Array.from(v.dataSync(), (w, j) => Math.abs(w * sums[i]![j]!)));
    new Trainer(model, applied, { steps: 1, learningRate: 1e-3, calibration: batches() }).dispose();
    const mask = matricesOf(applied).flatMap((m) => Array.from(m.mask));
    const keptScores = scores.filter((_, i) => mask[i] === 1);
    const prunedScores = scores.filter((_, i) => mask[i] === 0);
    expect(keptScores.length).toBe(keptCount(scores.length, 0.5));
    // Float32 gradients against float64 sums: allow a hair at the threshold.
    expect(Math.min(...keptScores)).toBeGreaterThanOrEqual(Math.max(...prunedScores) * (1 - 1e-4));
    expect(Math.min(...keptScores)).toBeGreaterThan(0);
    dense.dispose();
    applied.dispose();
    model.dispose();
  });

  it('keeps every pruned entry exactly zero through training while the kept ones move', () => {
    const model = ToyModel.init(TINY_DIMS, 13);
    const applied = sparseAdapter.apply(model, configFor(model, { bottleneck: 8, sparsity: 0.6, pruner: 'snip' }), { seed: 1 });
    const trainer = trainerFor(model, applied, { steps: 25, learningRate: 1e-2, warmupSteps: 1 });
    const before = matricesOf(applied);
    for (let i = 0; i < 25; i++) trainer.step(fixedBatch(i));
    const after = matricesOf(applied);
    let moved = 0;
    after.forEach((m, k) =>
      m.mask.forEach((x, i) => {
        if (x === 0) expect(Math.abs(m.values[i]!)).toBe(0);
        else if (m.values[i] !== before[k]!.values[i]) moved++;
      }),
    );
    expect(moved).toBeGreaterThan(0.9 * after.reduce((s, m) => s + m.mask.reduce((a, x) => a + x, 0), 0));
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('starts close to the identity, as the dense adapter does', () => {
    const model = ToyModel.init(TINY_DIMS, 14);
    const applied = sparseAdapter.apply(model, configFor(model, { pruner: 'rand', bottleneck: 8 }));
    const diff = maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model));
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(1e-3);
    applied.dispose();
    model.dispose();
  });
});

describe('SparseAdapter counts on real models', () => {
  const count = (id: string, input: Record<string, string | number>) => {
    const arch = findModel(id).arch;
    return sparseAdapter.trainableParams(arch, resolveConfig(sparseAdapter, arch, input));
  };
  const dense = (id: string, bottleneck: number, placement = 'both') => {
    const arch = findModel(id).arch;
    return adapters.trainableParams(arch, resolveConfig(adapters, arch, { bottleneck, placement }));
  };

  it('roberta-base with the authors’ GLUE widths (attn_bn = ffn_bn = 64, after attention and FFN) at s = 0.4', () => {
    // 24 adapters; N = 24 · 2 · 768 · 64 = 2,359,296 matrix entries; ceil(0.4 · N) = 943,719 pruned
    // (reference _global_mask with --sparsity 0.6); biases 24 · (64 + 768) = 19,968.
    expect(count('roberta-base', { bottleneck: 64, sparsity: 0.4 })).toBe(2_359_296 - 943_719 + 19_968);
  });

  it('Large-Sparse at s = 0.5 doubles the width and keeps exactly the dense adapter’s matrix entries (the paper’s 2× at 50%, §1)', () => {
    // bert-base: width 128, N = 24 · 2 · 768 · 128 = 4,718,592, half pruned = 2,359,296 = 24 · 2 · 768 · 64.
    expect(sparseWidth(64, 0.5, 'large-sparse')).toBe(128);
    const ls = count('bert-base-uncased', { bottleneck: 64, sparsity: 0.5, setting: 'large-sparse' });
    expect(ls).toBe(2_359_296 + 24 * (128 + 768));
    // Only the wider down-bias adds: 24 · 64 more than the dense 64-wide adapter.
    expect(ls - dense('bert-base-uncased', 64)).toBe(24 * 64);
  });

  it('Large-Sparse at s = 0.4 (width round(64 / 0.6) = 107) keeps about the dense adapter’s count', () => {
    // bert-base: N = 24 · 2 · 768 · 107 = 3,944,448; ceil(0.4 · N) = 1,577,780 pruned; biases 24 · (107 + 768).
    const ls = count('bert-base-uncased', { bottleneck: 64, sparsity: 0.4, setting: 'large-sparse' });
    expect(ls).toBe(3_944_448 - 1_577_780 + 24 * (107 + 768));
    const d = dense('bert-base-uncased', 64); // 24 · (2 · 768 · 64 + 64 + 768) = 2,379,264
    expect(d).toBe(2_379_264);
    expect(Math.abs(ls - d) / d).toBeLessThan(0.005);
    // Plain pruning at the same ratio is 40% fewer matrix entries.
    expect(count('bert-base-uncased', { bottleneck: 64, sparsity: 0.4 })).toBe(2_359_296 - Math.ceil(0.4 * 2_359_296) + 24 * (64 + 768));
  });

  it.each(surveyCounts('houlsby'))("at s = 0 is the dense Houlsby adapter: the survey authors' measured count on %s (%i)", (model, n) => {
    // AdapterHub reduction factor 16 on d_model = 1024: width 64, as adapters.test.ts.
    expect(count(model, { bottleneck: 64, sparsity: 0, placement: 'both' })).toBe(n);
  });

  it('Llama-2-7B, after the MLP only, m = 64, s = 0.8 (the abstract’s highest ratio)', () => {
    // 32 adapters; N = 32 · 2 · 4096 · 64 = 16,777,216; ceil(0.8 · N) = 13,421,773 pruned; biases 32 · (64 + 4096).
    expect(count('meta-llama/Llama-2-7b-hf', { bottleneck: 64, sparsity: 0.8, placement: 'mlp' })).toBe(16_777_216 - 13_421_773 + 32 * 4160);
  });

  it('t5-base counts adapters in every encoder and decoder layer, none after cross-attention', () => {
    // 24 layers × 2 sites = 48 adapters; N = 48 · 2 · 768 · 64 = 4,718,592; ceil(0.4 · N) = 1,887,437.
    expect(count('t5-base', { bottleneck: 64, sparsity: 0.4 })).toBe(4_718_592 - 1_887_437 + 48 * (64 + 768));
  });

  it('says the count depends on the chosen ratio', () => {
    const arch = findModel('gpt2').arch;
    expect(sparseAdapter.traits.countNote!(resolveConfig(sparseAdapter, arch, { sparsity: 0.4 }))).toMatch(/s = 0\.4.*SNIP/);
  });
});
