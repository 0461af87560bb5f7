import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../models';
import { maxAbsDiff } from '../testing/contract';
import { useTestBackend } from '../testing/tf-test';
import { kron } from './linalg';
import { phmBottleneck, phmProblem, phmWeight } from './phm';

beforeAll(useTestBackend);

describe('phmWeight', () => {
  it('equals Σᵢ Aᵢ ⊗ Bᵢ formed with kron, for non-square rules and blocks', () => {
    // n = 3 rules of 3 × 3 (a PHM rule is n × n; the helper also takes other shapes) and blocks of 4 × 2.
    for (const [n, p, q, a, b] of [
      [3, 3, 3, 4, 2],
      [2, 2, 2, 5, 7],
      [4, 4, 4, 1, 3],
    ] as const) {
      const rule = tf.randomNormal([n, p, q], 0, 1, 'float32', 11) as tf.Tensor3D;
      const blocks = tf.randomNormal([n, a, b], 0, 1, 'float32', 12) as tf.Tensor3D;
      const got = tf.tidy(() => phmWeight(tf, rule, blocks));
      const want = tf.tidy(() => {
        let sum: tf.Tensor2D = tf.zeros([p * a, q * b]);
        for (let i = 0; i < n; i++) {
          const ai = tf.reshape(tf.slice(rule, [i, 0, 0], [1, p, q]), [p, q]) as tf.Tensor2D;
          const bi = tf.reshape(tf.slice(blocks, [i, 0, 0], [1, a, b]), [a, b]) as tf.Tensor2D;
          sum = tf.add(sum, kron(tf, ai, bi));
        }
        return sum;
      });
      expect(got.shape).toEqual([p * a, q * b]);
      const [g, w] = [got.dataSync() as Float32Array, want.dataSync() as Float32Array];
      expect(maxAbsDiff(g, w)).toBeLessThan(1e-5);
      expect(maxAbsDiff(w, new Float32Array(w.length))).toBeGreaterThan(0.1); // not trivially zero
      tf.dispose([rule, blocks, got, want]);
    }
  });

  it('is differentiable in both factors', () => {
    const rule = tf.randomNormal([2, 2, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
    const blocks = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
    const [gr, gb] = tf.grads((r: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(phmWeight(tf, r as tf.Tensor3D, b as tf.Tensor3D))))([rule, blocks]);
    expect(gr!.shape).toEqual([2, 2, 2]);
    expect(gb!.shape).toEqual([2, 3, 3]);
    expect(tf.tidy(() => tf.max(tf.abs(gr!)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([rule, blocks, gr!, gb!]);
  });
});

describe('phmBottleneck and phmProblem', () => {
  it('takes ⌊hidden / reduction⌋ as the adapters library does, rounded up to a multiple of n only where n does not divide it', () => {
    expect(phmBottleneck(1024, 32, 4)).toBe(32); // T5-Large, the library's Compacter defaults
    expect(phmBottleneck(768, 32, 12)).toBe(24); // T5-base, the paper's PHM-Adapter (n = 12)
    expect(phmBottleneck(896, 32, 4)).toBe(28);
    expect(phmBottleneck(64, 32, 4)).toBe(4); // ⌊64/32⌋ = 2 → 4
    expect(phmBottleneck(16, 32, 4)).toBe(4); // ⌊16/32⌋ = 0 → 1 → 4
    expect(phmBottleneck(100, 3, 1)).toBe(33);
  });

  it('refuses a hidden size that n does not divide, with a sentence', () => {
    expect(phmProblem(findModel('meta-llama/Llama-2-7b-hf').arch, 4)).toBeNull();
    expect(phmProblem(findModel('meta-llama/Llama-2-7b-hf').arch, 12)).toMatch(/4096 is not a multiple of n = 12/);
  });
});
