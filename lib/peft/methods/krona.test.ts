import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../method-api/config';
import { kron } from '../method-api/linalg';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { krona, kronaShapes, kroneckerRows } from './krona';

methodContract(krona, {
  configs: [
    { a1: 4, a2: 2, targets: ['q_proj', 'v_proj'] },
    // Factors that do not divide the toy's widths fall back to the greatest common divisor.
    { a1: 3, a2: 12, scale: 2, targets: ['fc1', 'fc2'] },
  ],
});

beforeAll(useTestBackend);

describe('KronA on the toy', () => {
  it('computes x·(A ⊗ B) by reshaping, to float precision of forming the product', () => {
    const [a, b, x] = [tf.randomNormal([3, 5], 0, 1, 'float32', 1), tf.randomNormal([4, 2], 0, 1, 'float32', 2), tf.randomNormal([7, 12], 0, 1, 'float32', 3)] as tf.Tensor2D[];
    const viaReshape = tf.tidy(() => kroneckerRows(tf, x!, a!, b!));
    const formed = tf.tidy(() => tf.matMul(x!, kron(tf, a!, b!)));
    expect(viaReshape.shape).toEqual([7, 10]);
    const [got, want] = [viaReshape.dataSync() as Float32Array, formed.dataSync() as Float32Array];
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    expect(maxAbsDiff(want, new Float32Array(want.length))).toBeGreaterThan(0.1); // not trivially zero
    tf.dispose([a!, b!, x!, viaReshape, formed]);
  });

  it('leaves the outputs unchanged while B is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = krona.apply(model, resolveConfig(krona, model.arch, { a1: 4, a2: 4, targets: ['q_proj', 'fc1'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged (A ⊗ B formed) and unmerged (reshaped), and unmerging restores W exactly', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = krona.apply(model, resolveConfig(krona, model.arch, { a1: 4, a2: 8, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4); // the update is not trivial
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });

  it('reaches full rank with fewer scalars than a rank-8 LoRA update on a 16 × 16 map', () => {
    // A 4 × 4 and B 4 × 4 (32 scalars) of full rank give a rank-16 ΔW; LoRA's rank 8 needs 256 scalars.
    const [a, b] = [tf.randomNormal([4, 4], 0, 1, 'float32', 4), tf.randomNormal([4, 4], 0, 1, 'float32', 5)] as tf.Tensor2D[];
    const delta = tf.tidy(() => kron(tf, a!, b!));
    const det = (m: number[][]): number => {
      // Gaussian elimination with partial pivoting: |det| > 0 means full rank.
      const rows = m.map((r) => [...r]);
      let d = 1;
      for (let c = 0; c < rows.length; c++) {
        const p = rows.reduce((best, r, i) => (i >= c && Math.abs(r[c]!) > Math.abs(rows[best]![c]!) ? i : best), c);
        [rows[c], rows[p]] = [rows[p]!, rows[c]!];
        d *= rows[c]![c]!;
        for (let i = c + 1; i < rows.length; i++) {
          const f = rows[i]![c]! / rows[c]![c]!;
          for (let j = c; j < rows.length; j++) rows[i]![j]! -= f * rows[c]![j]!;
        }
      }
      return d;
    };
    expect(Math.abs(det(delta.arraySync() as number[][]))).toBeGreaterThan(1e-6);
    tf.dispose([a!, b!, delta]);
  });
});

describe('KronA factor shapes', () => {
  it('keeps A at a₁ × a₂ and gives B the rest, or the greatest common divisor where a factor does not divide', () => {
    expect(kronaShapes(4096, 11008, 16, 16)).toEqual({ a: [16, 16], b: [256, 688] });
    expect(kronaShapes(896, 128, 16, 16)).toEqual({ a: [16, 16], b: [56, 8] });
    expect(kronaShapes(64, 256, 3, 12)).toEqual({ a: [1, 4], b: [64, 64] });
  });
});

/**
 * Exact counts with the defaults a₁ = a₂ = 16 on q and v (the fused c_attn on GPT-2): per map
 * 16·16 (A) + (in/16)·(out/16) (B), times the maps, written out by hand from each config.json.
 * No reference implementation or published count exists for KronA's own shapes (HF PEFT has none).
 */
describe('KronA on real models (a₁ = a₂ = 16)', () => {
  const count = (id: string, targets: string[]) => {
    const arch = findModel(id).arch;
    return krona.trainableParams(arch, resolveConfig(krona, arch, { targets }));
  };

  it.each([
    // 32 layers; q and v 4,096 → 4,096: B 256 × 256.
    ['meta-llama/Llama-2-7b-hf', ['q_proj', 'v_proj'], 32 * 2 * (16 * 16 + 256 * 256)],
    // 24 layers; q 896 → 896 (B 56 × 56), v 896 → 128 (2 KV heads × 64: B 56 × 8).
    ['Qwen/Qwen2.5-0.5B', ['q_proj', 'v_proj'], 24 * (16 * 16 + 56 * 56 + 16 * 16 + 56 * 8)],
    // 32 layers; q 4,096 → 4,096 (B 256 × 256), v 4,096 → 1,024 (8 KV heads × 128: B 256 × 64).
    ['mistralai/Mistral-7B-v0.1', ['q_proj', 'v_proj'], 32 * (16 * 16 + 256 * 256 + 16 * 16 + 256 * 64)],
    // q and v of 12 encoder self-attentions, 12 decoder self- and 12 cross-attentions: 72 maps 768 → 768 (B 48 × 48).
    ['t5-base', ['q', 'v'], 72 * (16 * 16 + 48 * 48)],
    // c_attn 768 → 2,304 in 12 layers: B 48 × 144.
    ['gpt2', ['c_attn'], 12 * (16 * 16 + 48 * 144)],
    // query and value 768 → 768 in 12 layers.
    ['bert-base-uncased', ['query', 'value'], 12 * 2 * (16 * 16 + 48 * 48)],
    ['facebook/opt-125m', ['q_proj', 'v_proj'], 12 * 2 * (16 * 16 + 48 * 48)],
  ])('%s on %j: %i', (id, targets, expected) => {
    expect(count(id, targets)).toBe(expected);
  });

  it('the defaults target q and v, and 16 divides every width they touch on the seven families', () => {
    for (const id of ['meta-llama/Llama-2-7b-hf', 'Qwen/Qwen2.5-0.5B', 'mistralai/Mistral-7B-v0.1', 't5-base', 'gpt2', 'bert-base-uncased', 'facebook/opt-125m']) {
      const arch = findModel(id).arch;
      for (const s of arch.stacks) for (const l of s.linears) expect([l.inFeatures % 16, l.outFeatures % 16], `${id} ${l.path}`).toEqual([0, 0]);
    }
    expect(resolveConfig(krona, findModel('meta-llama/Llama-2-7b-hf').arch).targets).toEqual(['q_proj', 'v_proj']);
    expect(resolveConfig(krona, findModel('gpt2').arch).targets).toEqual(['c_attn']);
  });

  it('has no HF PEFT export: LoKr is a different factorisation', () => {
    expect(krona.peft).toBeUndefined();
  });
});
