import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing/tf-test';
import { AdamW, quantile } from './adamw';

beforeAll(useTestBackend);

describe('AdamW partial reset (magnitude pruning of the moments)', () => {
  it('interpolates quantiles linearly between neighbours, as torch.quantile', () => {
    const values = Float32Array.from([4, 1, 3, 2]);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(4);
    // position 0.5 · 3 = 1.5: halfway between the sorted values 2 and 3
    expect(quantile(values, 0.5)).toBe(2.5);
    expect(quantile(values, 0.9)).toBeCloseTo(3.7, 6);
  });

  it('keeps the share of entries with the largest second moments, zeroes both moments elsewhere, and leaves the step count and other variables alone', () => {
    const pruned = tf.variable(tf.zeros([10, 10]));
    const other = tf.variable(tf.zeros([10]));
    const optimizer = new AdamW([pruned, other], { weightDecay: 0 });
    // Distinct gradient sizes, shuffled over the entries, then a second step whose signs flip
    // some of them, so the largest |m| are not simply the largest v.
    const sizes = Float32Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    const first = [tf.tensor2d(sizes.map((s) => s * 1e-3), [10, 10]), tf.ones([10])];
    const second = [tf.tensor2d(sizes.map((s, i) => (i % 3 === 0 ? -2 : 1) * s * 1e-3), [10, 10]), tf.ones([10])];
    optimizer.apply(first, 1e-3, 0);
    optimizer.apply(second, 1e-3, 0);
    const before = optimizer.state(pruned);
    optimizer.prune([pruned], 0.1);
    const after = optimizer.state(pruned);
    // 100 values, the 0.9-quantile at position 89.1: the 10 entries with the largest v stay, as they were.
    const top = [...before.v.keys()].sort((i, j) => before.v[j]! - before.v[i]!).slice(0, 10);
    for (let i = 0; i < 100; i++) {
      const kept = top.includes(i);
      expect(after.v[i], `v[${i}]`).toBe(kept ? before.v[i] : 0);
      expect(Math.abs(after.m[i]!) === 0 ? 0 : after.m[i], `m[${i}]`).toBe(kept ? before.m[i] : 0); // −0 where a negative m is zeroed
    }
    expect(after.t).toBe(2);
    expect([...optimizer.state(other).m].every((x) => x !== 0)).toBe(true);
    optimizer.prune([pruned], 0); // keep nothing: a full reset of the moments
    expect([...optimizer.state(pruned).v].every((x) => x === 0)).toBe(true);
    expect([...optimizer.state(pruned).m].every((x) => x === 0)).toBe(true);
    tf.dispose([...first, ...second, pruned, other]);
    optimizer.dispose();
  });
});
