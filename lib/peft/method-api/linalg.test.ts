import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing/tf-test';
import { createRng, normals } from '../model/random';
import {
  cayleyNeumann,
  fwht,
  fwhtArray,
  isPowerOfTwo,
  kron,
  nextPowerOfTwo,
  skewParamCount,
  skewPlacement,
  skewSymmetric,
  randomizedSvd,
  svd,
  topSingular,
} from './linalg';

beforeAll(useTestBackend);

/**
 * Every helper is checked against a direct computation written here, independently of the
 * implementation: explicit loops, a recursively built Hadamard matrix, a Gauss–Jordan inverse.
 */

type Matrix = number[][];

const zerosMatrix = (r: number, c: number): Matrix => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const identity = (n: number): Matrix => zerosMatrix(n, n).map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
const at = (m: Matrix, i: number, j: number): number => m[i]![j]!;
const matmul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((sum, aik, k) => sum + aik * at(b, k, j), 0)));
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const plus = (a: Matrix, b: Matrix, sign = 1): Matrix => a.map((row, i) => row.map((x, j) => x + sign * at(b, i, j)));
const flat = (m: Matrix): number[] => m.flat();
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Inverse by Gauss–Jordan elimination with partial pivoting (float64). */
function inverse(m: Matrix): Matrix {
  const n = m.length;
  const aug = m.map((row, i) => [...row, ...identity(n)[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(at(aug, r, col)) > Math.abs(at(aug, pivot, col))) pivot = r;
    [aug[col], aug[pivot]] = [aug[pivot]!, aug[col]!];
    const p = at(aug, col, col);
    aug[col] = aug[col]!.map((x) => x / p);
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = at(aug, r, col);
      aug[r] = aug[r]!.map((x, j) => x - f * at(aug, col, j));
    }
  }
  return aug.map((row) => row.slice(n));
}

/** The exact Cayley transform (I + S)(I − S)⁻¹. */
const cayleyExact = (s: Matrix): Matrix => {
  const eye = identity(s.length);
  return matmul(plus(eye, s), inverse(plus(eye, s, -1)));
};

/** Sylvester's construction: H₁ = [1], H₂ₙ = [[Hₙ, Hₙ], [Hₙ, −Hₙ]]. */
function hadamard(n: number): Matrix {
  let h: Matrix = [[1]];
  while (h.length < n) h = [...h.map((row) => [...row, ...row]), ...h.map((row) => [...row, ...row.map((x) => -x)])];
  return h;
}

/** Skew-symmetric blocks from upper-triangle parameters, placed by explicit loops. */
function skewDirect(params: number[], b: number): Matrix {
  const s = zerosMatrix(b, b);
  let r = 0;
  for (let i = 0; i < b; i++) {
    for (let j = i + 1; j < b; j++) {
      s[i]![j] = params[r]!;
      s[j]![i] = -params[r]!;
      r++;
    }
  }
  return s;
}

const randomArray = (seed: number, n: number, std = 1): number[] => Array.from(normals(createRng(seed), n, std));
const blocksOf = (data: Float32Array | number[], blocks: number, b: number): Matrix[] =>
  Array.from({ length: blocks }, (_, k) => Array.from({ length: b }, (_, i) => Array.from(data.slice(k * b * b + i * b, k * b * b + (i + 1) * b))));

describe('sizes', () => {
  it('powers of two and skew parameter counts', () => {
    expect([1, 2, 3, 5, 8, 9, 64, 65].map(nextPowerOfTwo)).toEqual([1, 2, 4, 8, 8, 16, 64, 128]);
    expect([0, 1, 2, 3, 4, 6, 1024, 0.5].map(isPowerOfTwo)).toEqual([false, true, true, false, true, false, true, false]);
    expect(() => nextPowerOfTwo(0)).toThrow(RangeError);
    expect([1, 2, 4, 8].map(skewParamCount)).toEqual([0, 1, 6, 28]);
  });
});

describe('skewSymmetric', () => {
  it('places the upper triangle row-major and is skew-symmetric', () => {
    const b = 5;
    const blocks = 3;
    const p = skewParamCount(b);
    const params = randomArray(1, blocks * p);
    const out = tf.tidy(() => skewSymmetric(tf, tf.tensor2d(params, [blocks, p]), b).dataSync() as Float32Array);
    blocksOf(out, blocks, b).forEach((s, k) => {
      const direct = skewDirect(params.slice(k * p, (k + 1) * p), b);
      expect(maxAbsDiff(flat(s), flat(direct))).toBeLessThan(1e-6);
      expect(maxAbsDiff(flat(s), flat(transpose(s)).map((x) => -x))).toBe(0);
    });
    // The placement is the same matrix the test builds by hand.
    const placement = skewPlacement(3);
    const byHand = [[1, 0, 0], [0, 1, 0], [0, 0, 1]].flatMap((unit) => flat(skewDirect(unit, 3)));
    expect(maxAbsDiff(placement, byHand)).toBe(0);
  });

  it('rejects a wrong parameter count and handles 1 × 1 blocks', () => {
    expect(() => tf.tidy(() => skewSymmetric(tf, tf.zeros([2, 5]), 4))).toThrow(RangeError);
    expect(tf.tidy(() => Array.from(skewSymmetric(tf, tf.zeros([2, 0]), 1).dataSync()))).toEqual([0, 0]);
  });

  it('passes gradients back to the parameters', () => {
    const b = 4;
    const p = skewParamCount(b);
    const w = randomArray(2, b * b);
    const grad = tf.tidy(() => {
      const weights = tf.tensor3d(w, [1, b, b]);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(skewSymmetric(tf, x as tf.Tensor2D, b), weights)))(tf.zeros([1, p])).dataSync() as Float32Array;
    });
    // d/dθ_(i,j) Σ S⊙W = W[i][j] − W[j][i].
    const expected: number[] = [];
    for (let i = 0; i < b; i++) for (let j = i + 1; j < b; j++) expected.push(w[i * b + j]! - w[j * b + i]!);
    expect(maxAbsDiff(grad, expected)).toBeLessThan(1e-6);
  });
});

describe('cayleyNeumann', () => {
  const b = 4;
  const blocks = 2;
  const p = skewParamCount(b);
  const rotations = (params: number[], terms: number) =>
    tf.tidy(() => blocksOf(cayleyNeumann(tf, skewSymmetric(tf, tf.tensor2d(params, [blocks, p]), b), terms).dataSync() as Float32Array, blocks, b));

  it('is the identity at S = 0', () => {
    for (const terms of [0, 1, 3, 5]) {
      for (const r of rotations(new Array<number>(blocks * p).fill(0), terms)) expect(maxAbsDiff(flat(r), flat(identity(b)))).toBe(0);
    }
  });

  it('approaches the exact Cayley transform for small ‖S‖, and is orthogonal once converged', () => {
    const params = randomArray(3, blocks * p, 0.05);
    const exact = Array.from({ length: blocks }, (_, k) => cayleyExact(skewDirect(params.slice(k * p, (k + 1) * p), b)));
    const error = (terms: number) => Math.max(...rotations(params, terms).map((r, k) => maxAbsDiff(flat(r), flat(exact[k]!))));
    // The truncation error shrinks like ‖S‖^(terms+1).
    expect(error(1)).toBeLessThan(5e-2);
    expect(error(3)).toBeLessThan(1e-3);
    expect(error(3)).toBeLessThan(error(1) / 10);
    expect(error(12)).toBeLessThan(1e-5);
    for (const r of rotations(params, 12)) expect(maxAbsDiff(flat(matmul(transpose(r), r)), flat(identity(b)))).toBeLessThan(1e-5);
    // The exact transform itself is orthogonal (a check on the reference).
    for (const r of exact) expect(maxAbsDiff(flat(matmul(transpose(r), r)), flat(identity(b)))).toBeLessThan(1e-12);
  });

  it('matches HF PEFT’s default expansion I + 2S + 2S² + 2S³ + S⁴ for terms = 3', () => {
    const params = randomArray(4, blocks * p, 0.3);
    rotations(params, 3).forEach((r, k) => {
      const s = skewDirect(params.slice(k * p, (k + 1) * p), b);
      const s2 = matmul(s, s);
      const s3 = matmul(s2, s);
      const s4 = matmul(s3, s);
      const twice = (m: Matrix) => m.map((row) => row.map((x) => 2 * x));
      const hf = plus(plus(plus(plus(identity(b), twice(s)), twice(s2)), twice(s3)), s4);
      expect(maxAbsDiff(flat(r), flat(hf))).toBeLessThan(1e-5);
    });
  });

  it('has gradient 2W at S = 0 (R = I + 2S + O(S²))', () => {
    const w = randomArray(5, b * b);
    const grad = tf.tidy(() => {
      const weights = tf.tensor3d(w, [1, b, b]);
      const f = (s: tf.Tensor) => tf.sum(tf.mul(cayleyNeumann(tf, s as tf.Tensor3D, 4), weights));
      return tf.grad(f)(tf.zeros([1, b, b])).dataSync() as Float32Array;
    });
    expect(maxAbsDiff(grad, w.map((x) => 2 * x))).toBeLessThan(1e-5);
  });
});

describe('fwht', () => {
  for (const n of [1, 2, 8, 64]) {
    it(`equals multiplication by the Sylvester Hadamard matrix, n = ${n}, and so does its gradient`, () => {
      const rows = 3;
      const h = hadamard(n);
      const x = randomArray(10 + n, rows * n);
      const upstream = randomArray(20 + n, rows * n);
      const [y, g] = tf.tidy(() => {
        const xt = tf.tensor2d(x, [rows, n]);
        const up = tf.tensor2d(upstream, [rows, n]);
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fwht(tf, t as tf.Tensor2D), up)))(xt);
        return [fwht(tf, xt).dataSync() as Float32Array, grad.dataSync() as Float32Array];
      });
      const xm = Array.from({ length: rows }, (_, r) => x.slice(r * n, (r + 1) * n));
      const um = Array.from({ length: rows }, (_, r) => upstream.slice(r * n, (r + 1) * n));
      const tol = 1e-5 * n;
      expect(maxAbsDiff(y, flat(matmul(xm, h)))).toBeLessThan(tol);
      expect(maxAbsDiff(g, flat(matmul(um, transpose(h))))).toBeLessThan(tol);
      expect(maxAbsDiff(fwhtArray(Float64Array.from(x.slice(0, n))), flat(matmul([x.slice(0, n)], h)))).toBeLessThan(1e-9);
    });
  }

  it('rejects lengths that are not powers of two', () => {
    expect(() => tf.tidy(() => fwht(tf, tf.zeros([2, 6])))).toThrow(RangeError);
    expect(() => fwhtArray(new Float32Array(12))).toThrow(RangeError);
  });
});

describe('kron', () => {
  it('equals the element-by-element definition and is differentiable in both factors', () => {
    const [m, n, p, q] = [2, 3, 4, 2];
    const a = randomArray(30, m * n);
    const b = randomArray(31, p * q);
    const w = randomArray(32, m * p * n * q);
    const [out, ga, gb] = tf.tidy(() => {
      const at = tf.tensor2d(a, [m, n]);
      const bt = tf.tensor2d(b, [p, q]);
      const wt = tf.tensor2d(w, [m * p, n * q]);
      const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(kron(tf, x as tf.Tensor2D, y as tf.Tensor2D), wt)))([at, bt]);
      return [kron(tf, at, bt), dA!, dB!].map((t) => t.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array];
    });
    const direct = new Array<number>(m * p * n * q);
    const dA = new Array<number>(m * n).fill(0);
    const dB = new Array<number>(p * q).fill(0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < p; k++) {
          for (let l = 0; l < q; l++) {
            const idx = (i * p + k) * (n * q) + (j * q + l);
            direct[idx] = a[i * n + j]! * b[k * q + l]!;
            dA[i * n + j] = dA[i * n + j]! + w[idx]! * b[k * q + l]!;
            dB[k * q + l] = dB[k * q + l]! + w[idx]! * a[i * n + j]!;
          }
        }
      }
    }
    expect(maxAbsDiff(out, direct)).toBeLessThan(1e-6);
    expect(maxAbsDiff(ga, dA)).toBeLessThan(1e-5);
    expect(maxAbsDiff(gb, dB)).toBeLessThan(1e-5);
  });
});

describe('topSingular', () => {
  it('reconstructs a random rank-3 matrix from its top three triplets', () => {
    const [rows, cols, rank] = [12, 9, 3];
    const left = randomArray(40, rows * rank);
    const right = randomArray(41, rank * cols);
    const matrix = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        for (let r = 0; r < rank; r++) sum += left[i * rank + r]! * right[r * cols + j]!;
        matrix[i * cols + j] = sum;
      }
    }
    const { u, s, v } = topSingular(matrix, rows, cols, rank, { seed: 7 });
    const rebuilt = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) rebuilt[i * cols + j] = s.reduce((sum, sr, r) => sum + sr * u[r]![i]! * v[r]![j]!, 0);
    }
    const scale = Math.max(...Array.from(matrix, Math.abs));
    expect(maxAbsDiff(rebuilt, matrix) / scale).toBeLessThan(1e-4);
    // Sorted, orthonormal.
    expect(s[0]!).toBeGreaterThanOrEqual(s[1]!);
    expect(s[1]!).toBeGreaterThanOrEqual(s[2]!);
    for (let x = 0; x < rank; x++) {
      for (let y = 0; y < rank; y++) {
        const dotU = u[x]!.reduce((sum, ui, i) => sum + ui * u[y]![i]!, 0);
        const dotV = v[x]!.reduce((sum, vj, j) => sum + vj * v[y]![j]!, 0);
        expect(Math.abs(dotU - (x === y ? 1 : 0))).toBeLessThan(1e-4);
        expect(Math.abs(dotV - (x === y ? 1 : 0))).toBeLessThan(1e-4);
      }
    }
    // Same seed, same answer.
    expect(topSingular(matrix, rows, cols, rank, { seed: 7 }).s).toEqual(s);
  });

  it('finds the singular values and vectors of a diagonal matrix', () => {
    const diag = [1, 5, -3, 2];
    const n = diag.length;
    const matrix = new Float32Array(n * n);
    diag.forEach((d, i) => (matrix[i * n + i] = d));
    const { u, s, v } = topSingular(matrix, n, n, 3, { seed: 1 });
    expect(maxAbsDiff(s, [5, 3, 2])).toBeLessThan(1e-6);
    // u is a unit basis vector with a positive entry; v carries the sign of the diagonal entry.
    [1, 2, 3].forEach((index, r) => {
      const e = new Array<number>(n).fill(0);
      e[index] = 1;
      expect(maxAbsDiff(u[r]!, e)).toBeLessThan(1e-5);
      expect(maxAbsDiff(v[r]!, e.map((x) => x * Math.sign(diag[index]!)))).toBeLessThan(1e-5);
    });
  });

  it('rejects bad sizes', () => {
    expect(() => topSingular(new Float32Array(6), 2, 3, 3)).toThrow(RangeError);
    expect(() => topSingular(new Float32Array(5), 2, 3, 1)).toThrow(RangeError);
  });
});

describe('svd and randomizedSvd', () => {
  /** Σ s·u·vᵀ, row-major. */
  const rebuild = ({ u, s, v }: { u: Float32Array[]; s: number[]; v: Float32Array[] }, rows: number, cols: number) =>
    Float64Array.from({ length: rows * cols }, (_, idx) => s.reduce((sum, sc, c) => sum + sc * u[c]![Math.floor(idx / cols)]! * v[c]![idx % cols]!, 0));
  const gram = (vectors: Float32Array[]) => flat(vectors.map((a) => vectors.map((b) => a.reduce((sum, x, i) => sum + x * b[i]!, 0))));

  it.each([
    [12, 7],
    [7, 12],
    [9, 9],
  ])('rebuilds a random %i × %i matrix from orthonormal vectors and sorted singular values', (rows, cols) => {
    const matrix = normals(createRng(rows * cols), rows * cols, 1);
    const result = svd(matrix, rows, cols);
    const k = Math.min(rows, cols);
    expect(result.s.length).toBe(k);
    expect(maxAbsDiff(rebuild(result, rows, cols), matrix)).toBeLessThan(1e-5);
    expect(maxAbsDiff(gram(result.u), flat(identity(k)))).toBeLessThan(1e-6);
    expect(maxAbsDiff(gram(result.v), flat(identity(k)))).toBeLessThan(1e-6);
    for (let c = 1; c < k; c++) expect(result.s[c - 1]!).toBeGreaterThanOrEqual(result.s[c]!);
    // The squared singular values sum to the squared Frobenius norm.
    expect(result.s.reduce((sum, x) => sum + x * x, 0)).toBeCloseTo(matrix.reduce((sum, x) => sum + x * x, 0), 4);
  });

  it('finds the singular values of a diagonal matrix and of a rank-1 matrix exactly', () => {
    const diag = [1, 5, -3, 2];
    const matrix = new Float32Array(16);
    diag.forEach((d, i) => (matrix[i * 4 + i] = d));
    expect(maxAbsDiff(svd(matrix, 4, 4).s, [5, 3, 2, 1])).toBeLessThan(1e-12);
    // x·yᵀ with |x| = 3, |y| = 5: one singular value 15, the rest 0.
    const rank1 = Float32Array.from({ length: 6 }, (_, idx) => [1, 2, 2][Math.floor(idx / 2)]! * [3, 4][idx % 2]!);
    expect(maxAbsDiff(svd(rank1, 3, 2).s, [15, 0])).toBeLessThan(1e-6);
  });

  it('agrees with topSingular where power iteration converges', () => {
    const [rows, cols] = [10, 6];
    const matrix = new Float32Array(rows * cols);
    [9, 6, 4, 2, 1, 0.5].forEach((d, i) => (matrix[i * cols + i] = d)); // well separated
    const exact = svd(matrix, rows, cols);
    const power = topSingular(matrix, rows, cols, 3, { seed: 2 });
    expect(maxAbsDiff(exact.s.slice(0, 3), power.s)).toBeLessThan(1e-6);
    [0, 1, 2].forEach((c) => expect(maxAbsDiff(exact.u[c]!, power.u[c]!)).toBeLessThan(1e-5));
  });

  it('randomizedSvd recovers an exactly rank-k matrix, and approaches the top-k SVD with more iterations', () => {
    const [rows, cols, k] = [20, 14, 3];
    const left = normals(createRng(5), rows * k, 1);
    const right = normals(createRng(6), k * cols, 1);
    const lowRank = Float32Array.from({ length: rows * cols }, (_, idx) => {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += left[Math.floor(idx / cols) * k + c]! * right[c * cols + (idx % cols)]!;
      return sum;
    });
    const fast = randomizedSvd(lowRank, rows, cols, k, { niter: 0, seed: 1 });
    expect(maxAbsDiff(rebuild(fast, rows, cols), lowRank)).toBeLessThan(1e-4);
    expect(maxAbsDiff(fast.s, svd(lowRank, rows, cols).s.slice(0, k))).toBeLessThan(1e-4);
    // A full-rank matrix: the error of the top-3 singular values shrinks with the iterations.
    const noisy = normals(createRng(7), rows * cols, 1);
    const exact = svd(noisy, rows, cols).s.slice(0, k);
    const error = (niter: number) => maxAbsDiff(randomizedSvd(noisy, rows, cols, k, { niter, seed: 1 }).s, exact);
    expect(error(8)).toBeLessThan(error(0));
    expect(error(30)).toBeLessThan(1e-3);
    expect(randomizedSvd(noisy, rows, cols, k, { niter: 2, seed: 4 }).s).toEqual(randomizedSvd(noisy, rows, cols, k, { niter: 2, seed: 4 }).s);
  });

  it('rejects bad sizes', () => {
    expect(() => svd(new Float32Array(5), 2, 3)).toThrow(RangeError);
    expect(() => randomizedSvd(new Float32Array(6), 2, 3, 3)).toThrow(RangeError);
    expect(() => randomizedSvd(new Float32Array(6), 2, 3, 1, { niter: -1 })).toThrow(RangeError);
  });
});

describe('memory', () => {
  it('leaves no tensors behind when called inside tf.tidy', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const params = tf.randomNormal<tf.Rank.R2>([3, skewParamCount(6)], 0, 0.1, 'float32', 1);
      const r = cayleyNeumann(tf, skewSymmetric(tf, params, 6), 5);
      const y = fwht(tf, tf.reshape(r, [3, 36]).slice([0, 0], [3, 32]) as tf.Tensor2D);
      const g = tf.grad((x: tf.Tensor) => tf.sum(fwht(tf, x as tf.Tensor2D)))(y) as tf.Tensor2D;
      return kron(tf, y, g);
    }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
