import { createRng, normals } from '../model/random';

/**
 * The low-rank-plus-sparse split of a pretrained weight that DSEE (Sparse LoRA) uses to place its
 * sparse update, on plain arrays (no tfjs): W ≈ U·V + S with U·V of growing rank and S sparse, the
 * greedy bilateral scheme of GreBsmo (Zhou & Tao, AISTATS 2013) exactly as the DSEE reference code
 * runs it (VITA-Group/DSEE at 61844c3, non-GPT-2/examples/pytorch/text-classification/run_glue.py,
 * `sparse_method == 'grebsmo'`, the default):
 *
 *   U ~ N(0,1)^{m×1}, V ~ N(0,1)^{1×n}
 *   repeat 100 times:
 *     S = 0
 *     repeat 2 times:
 *       U = Q of qr((W − S)·Vᵀ);  V = Uᵀ·(W − S);  S = W − U·V;  S[|S| < 0.01] = 0
 *     E = W − U·V − S
 *     V = [V; the first 5 rows of R of qr(E)]          (the rank grows by 5)
 *
 * and the positions of the sparse update are the N entries of the last S with the largest
 * magnitude. `W` is m × n as PyTorch stores a Linear (out × in).
 *
 * One change for small matrices. On BERT-base (768 × 768) the last round runs at rank 1 + 5·99 =
 * 496, about 65% of the full rank. On the toy's 64 × 64 maps a rank step of 5 reaches full rank
 * at round 14, where U spans every column, U·V = W − S and S vanishes identically; already at
 * rank 56 (12 rounds) every entry of S on the shipped toy's four q and v maps falls under the
 * threshold (we checked). So the rounds stop once the rank would pass
 * the share the reference reaches, ⌊min(m, n)·496/768⌋: 100 rounds on any map of BERT-base's size
 * or larger (the reference), 9 rounds (rank 41) on the toy's. Signs of Q and R may differ from
 * LAPACK's; U·V and the span of V's rows, all the loop uses, do not depend on them.
 */
export interface GreBsmoOptions {
  /** Outer rounds, each adding `rankStep` to the rank (the reference: 100). */
  rounds?: number;
  /** Rank added per round (the reference: 5). */
  rankStep?: number;
  /** Alternating updates per round (the reference: 2). */
  inner?: number;
  /** Entries of S below this magnitude are set to zero (the reference: 0.01). */
  threshold?: number;
  /** Seed of the Gaussian start of V. */
  seed?: number;
}

/** The reference's last rank over BERT-base's width: the share of the full rank its loop reaches. */
export const GREBSMO_RANK_SHARE = 496 / 768;

/** Rounds the loop runs on an m × n matrix: at most `rounds`, and only while the rank stays within
 * GREBSMO_RANK_SHARE of min(m, n) (at least one round). */
export function greBsmoRounds(rows: number, cols: number, { rounds = 100, rankStep = 5 }: Pick<GreBsmoOptions, 'rounds' | 'rankStep'> = {}): number {
  const maxRank = Math.floor(Math.min(rows, cols) * GREBSMO_RANK_SHARE);
  // Round t (from 0) runs at rank 1 + t·rankStep.
  let t = 0;
  while (t < rounds && 1 + t * rankStep <= maxRank) t++;
  return Math.max(1, t);
}

/**
 * Reduced Householder QR of a row-major rows × cols matrix: Q (rows × p) with orthonormal columns
 * and R (p × cols) upper triangular, p = min(rows, cols), A = Q·R. A rank-deficient A still gets p
 * orthonormal columns in Q, as LAPACK's (and so torch.qr's) do.
 */
export function householderQr(a: ArrayLike<number>, rows: number, cols: number): { q: Float64Array; r: Float64Array; p: number } {
  const p = Math.min(rows, cols);
  const work = Float64Array.from(a); // becomes R in its upper triangle
  const reflectors: Float64Array[] = [];
  for (let j = 0; j < p; j++) {
    const v = new Float64Array(rows - j);
    let norm = 0;
    for (let i = j; i < rows; i++) {
      v[i - j] = work[i * cols + j]!;
      norm += v[i - j]! ** 2;
    }
    norm = Math.sqrt(norm);
    const alpha = v[0]! >= 0 ? -norm : norm;
    v[0] = v[0]! - alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    reflectors.push(v);
    if (vv === 0) continue; // the column is zero below the diagonal already: identity reflector
    // work ← (I − 2vvᵀ/vᵀv)·work on rows j.. and columns j..
    for (let c = j; c < cols; c++) {
      let d = 0;
      for (let i = j; i < rows; i++) d += v[i - j]! * work[i * cols + c]!;
      const f = (2 * d) / vv;
      for (let i = j; i < rows; i++) work[i * cols + c] = work[i * cols + c]! - f * v[i - j]!;
    }
  }
  const r = new Float64Array(p * cols);
  for (let i = 0; i < p; i++) for (let c = i; c < cols; c++) r[i * cols + c] = work[i * cols + c]!;
  // Q = H_0·H_1·…·H_{p−1} applied to the first p columns of the identity.
  const q = new Float64Array(rows * p);
  for (let i = 0; i < p; i++) q[i * p + i] = 1;
  for (let j = p - 1; j >= 0; j--) {
    const v = reflectors[j]!;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv === 0) continue;
    for (let c = 0; c < p; c++) {
      let d = 0;
      for (let i = j; i < rows; i++) d += v[i - j]! * q[i * p + c]!;
      const f = (2 * d) / vv;
      for (let i = j; i < rows; i++) q[i * p + c] = q[i * p + c]! - f * v[i - j]!;
    }
  }
  return { q, r, p };
}

/** The sparse part S of the decomposition W ≈ U·V + S (row-major rows × cols, float64). */
export function greBsmoSparse(w: ArrayLike<number>, rows: number, cols: number, options: GreBsmoOptions = {}): Float64Array {
  const { rankStep = 5, inner = 2, threshold = 0.01, seed = 0 } = options;
  if (w.length !== rows * cols) throw new RangeError(`greBsmoSparse: expected ${rows * cols} values, got ${w.length}`);
  const x = Float64Array.from(w);
  const rounds = greBsmoRounds(rows, cols, options);
  const rng = createRng(seed);
  // V: k × cols, row-major. (The reference also draws a Gaussian U, which its first QR overwrites.)
  let k = 1;
  let v: Float64Array = Float64Array.from(normals(rng, cols, 1));
  let s = new Float64Array(rows * cols);
  const uv = new Float64Array(rows * cols);
  for (let round = 0; round < rounds; round++) {
    s = new Float64Array(rows * cols);
    let u: Float64Array = new Float64Array(0);
    for (let it = 0; it < inner; it++) {
      // D = W − S; M = D·Vᵀ (rows × k)
      const m = new Float64Array(rows * k);
      for (let i = 0; i < rows; i++) {
        for (let c = 0; c < k; c++) {
          let sum = 0;
          for (let j = 0; j < cols; j++) sum += (x[i * cols + j]! - s[i * cols + j]!) * v[c * cols + j]!;
          m[i * k + c] = sum;
        }
      }
      const { q, p } = householderQr(m, rows, k);
      u = q;
      // V = Uᵀ·D (p × cols)
      const next = new Float64Array(p * cols);
      for (let i = 0; i < rows; i++) {
        for (let c = 0; c < p; c++) {
          const uic = u[i * p + c]!;
          if (uic === 0) continue;
          for (let j = 0; j < cols; j++) next[c * cols + j] = next[c * cols + j]! + uic * (x[i * cols + j]! - s[i * cols + j]!);
        }
      }
      v = next;
      k = p;
      // S = W − U·V, thresholded
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let sum = 0;
          for (let c = 0; c < k; c++) sum += u[i * k + c]! * v[c * cols + j]!;
          uv[i * cols + j] = sum;
          const r = x[i * cols + j]! - sum;
          s[i * cols + j] = Math.abs(r) < threshold ? 0 : r;
        }
      }
    }
    if (round === rounds - 1) break; // the reference grows V once more; the last S is what it uses
    // E = W − U·V − S; V ← [V; first rankStep rows of R]
    const e = new Float64Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) e[i] = x[i]! - uv[i]! - s[i]!;
    const { r, p } = householderQr(e, rows, cols);
    const add = Math.min(rankStep, p);
    const grown = new Float64Array((k + add) * cols);
    grown.set(v);
    grown.set(r.subarray(0, add * cols), k * cols);
    v = grown;
    k += add;
  }
  return s;
}
