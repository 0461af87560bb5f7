import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../model/random';
import { useTestBackend } from '../testing/tf-test';
import { applyBenes, benesBits, benesRoute, benesStages, randomSources } from './permutation';

beforeAll(useTestBackend);

/** Plain-JS Beneš network: applies the stages of `benesRoute` to an array. */
function runBenes(stages: Uint8Array[], x: number[]): number[] {
  const bits = benesBits(x.length);
  const y = [...x];
  stages.forEach((stage, t) => {
    const h = 2 ** bits[t]!;
    for (let p = 0; p < y.length; p++) {
      if ((p & h) === 0 && stage[p] === 1) [y[p], y[p + h]] = [y[p + h]!, y[p]!];
    }
  });
  return y;
}

describe('Beneš network (the permutation Π without gather)', () => {
  it('routes every permutation of 4 elements, and random ones up to 4,096', () => {
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    const rng = createRng(5);
    const cases = [...perms([0, 1, 2, 3]).map((p) => Int32Array.from(p)), ...[1, 2, 8, 32, 256, 4096].map((n) => randomSources(rng, n))];
    for (const dest of cases) {
      const n = dest.length;
      const stages = benesRoute(dest);
      expect(stages.length).toBe(n === 1 ? 0 : 2 * Math.log2(n) - 1);
      const y = runBenes(stages, Array.from({ length: n }, (_, i) => i));
      dest.forEach((to, from) => expect(y[to]).toBe(from));
    }
  });

  it('permutes each row of a tensor by its own network, as (Πv)[k] = v[source[k]]', () => {
    const rng = createRng(6);
    for (const n of [2, 16, 64, 2048]) {
      const rows = 3;
      const sources = Array.from({ length: rows }, () => randomSources(rng, n));
      const perRow = sources.map((s) => benesStages(s));
      const x = Float32Array.from({ length: rows * n }, (_, i) => i);
      const y = tf.tidy(() => {
        const stages = perRow[0]!.map(({ h, rotated }, t) => {
          const all = new Float32Array((rows * n) / 2);
          perRow.forEach((stagesOfRow, r) => all.set(stagesOfRow[t]!.mask ?? new Float32Array(n / 2), (r * n) / 2));
          return { h, rotated, mask: tf.tensor3d(all, [(rows * n) / (2 * h), 1, h]) };
        });
        return applyBenes(tf, tf.tensor2d(x, [rows, n]), stages).dataSync();
      });
      for (let r = 0; r < rows; r++) for (let k = 0; k < n; k++) expect(y[r * n + k]).toBe(r * n + sources[r]![k]!);
    }
  });
});

