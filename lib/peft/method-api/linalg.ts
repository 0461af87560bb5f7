import type * as tfTypes from '@tensorflow/tfjs';
import type { TF } from '../model/transformer';
import { createRng, normals } from '../model/random';

/**
 * Small linear-algebra helpers shared by the method files (OFT/BOFT, Intrinsic SAID's Fastfood
 * transform, KronA/LoKr, PiSSA).
 *
 * Rules the tensor helpers follow, and why:
 * - They take the tfjs namespace as their first argument: the calculators import the method files
 *   without loading TensorFlow.js, so nothing here may import it at runtime (type imports only).
 * - They only use differentiable core ops (matMul, reshape, transpose, slice, concat, add, sub,
 *   mul). No `gather`, because the WASM backend cannot backprop through it: selections and
 *   placements are products with constant 0/±1 matrices. No `addN`, because a WebGPU shader may
 *   bind at most 8 storage buffers: sums are taken two at a time. No tensor above 4-D.
 * - They create intermediate tensors and do not dispose them: call them inside `tf.tidy` (or a
 *   gradient function, which tidies for you), as every forward pass already does.
 *
 * The plain-array helpers (`fwhtArray`, `topSingular`, `skewPlacement`, ...) never touch tfjs.
 */

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

/** True for 1, 2, 4, 8, ... (the sizes the Walsh–Hadamard transform accepts). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n (n a positive integer); Fastfood pads its input up to this. */
export function nextPowerOfTwo(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`nextPowerOfTwo needs a positive integer, got ${n}`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Skew-symmetric blocks (OFT/BOFT parameters)
// ---------------------------------------------------------------------------------------------

/** Free parameters of one b × b skew-symmetric block: its strict upper triangle, b(b−1)/2. */
export function skewParamCount(b: number): number {
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`block size must be a positive integer, got ${b}`);
  return (b * (b - 1)) / 2;
}

const placementCache = new Map<number, Float32Array>();

/**
 * The constant `[b(b−1)/2, b·b]` matrix P with P[r, i·b+j] = +1 and P[r, j·b+i] = −1 for the r-th
 * pair i < j of the strict upper triangle in row-major order (the order of torch.triu_indices, so
 * HF PEFT's OFT weights map one to one). A row of parameters times P is the flattened S = U − Uᵀ.
 * ±1 rather than 0/1 so that one matMul builds S without a transpose and a subtraction.
 * Returned as a plain array (cached; do not mutate it); it costs b⁴/2 floats, fine for OFT's
 * block sizes (≤ 64: 8 M floats at most, ~32 MB, so keep blocks small on the GPU).
 */
export function skewPlacement(b: number): Float32Array {
  const cached = placementCache.get(b);
  if (cached) return cached;
  const p = skewParamCount(b);
  const out = new Float32Array(p * b * b);
  let r = 0;
  for (let i = 0; i < b; i++) {
    for (let j = i + 1; j < b; j++, r++) {
      out[r * b * b + i * b + j] = 1;
      out[r * b * b + j * b + i] = -1;
    }
  }
  placementCache.set(b, out);
  return out;
}

/**
 * `params` [blocks, b(b−1)/2] (each row the strict upper triangle, row-major) → S [blocks, b, b]
 * with S = U − Uᵀ, so Sᵀ = −S. One matMul by the constant `skewPlacement(b)` (uploaded as a
 * tensor on each call and freed by the caller's tidy), differentiable on every backend.
 */
export function skewSymmetric(tf: TF, params: tfTypes.Tensor2D, b: number): tfTypes.Tensor3D {
  const [blocks, count] = params.shape;
  const p = skewParamCount(b);
  if (count !== p) throw new RangeError(`skewSymmetric: a ${b} × ${b} block has ${p} parameters, got ${count}`);
  // A 1 × 1 skew-symmetric block is 0; a matMul with an inner size of 0 is best avoided.
  if (p === 0) return tf.zeros([blocks, 1, 1]);
  const placement = tf.tensor2d(skewPlacement(b), [p, b * b]);
  return tf.reshape(tf.matMul(params, placement), [blocks, b, b]);
}

// ---------------------------------------------------------------------------------------------
// Cayley transform with a Neumann-series inverse (OFT/BOFT)
// ---------------------------------------------------------------------------------------------

/**
 * R = (I + S)(I − S)⁻¹ for a batch of skew-symmetric S [blocks, b, b], with the inverse replaced
 * by its Neumann series (I − S)⁻¹ ≈ Σ_{k=0..terms} Sᵏ, so that training needs only matMuls (tfjs
 * has no differentiable matrix inverse or solve). The exact transform is orthogonal for any skew
 * S; the truncation error is (I + S)·S^(terms+1)·(I − S)⁻¹, small when ‖S‖ < 1, which holds
 * near OFT's identity initialisation (S = 0 gives R = I exactly).
 *
 * HF PEFT (src/peft/tuners/oft/layer.py, `_cayley_batch` with `use_cayley_neumann=True`) builds
 * R = I + 2S + 2S² + … + 2S^(T−2) + S^(T−1) for `num_cayley_neumann_terms` = T (default 5), which
 * is the same product (I + S)·Σ_{k=0..T−2} Sᵏ. So HF's T ≥ 4 is `terms = T − 2` here (HF's
 * default 5 is terms = 3; their T = 3 is a special case that builds I + 2S + 2S² + S³, i.e.
 * the same as T = 4). Like HF, R multiplies row vectors from the right: x·R.
 *
 * Evaluated by Horner's rule, P ← I + S·P, then R = P + S·P (S and P commute): terms + 1 batched
 * matMuls, and each sum is of two tensors.
 */
export function cayleyNeumann(tf: TF, s: tfTypes.Tensor3D, terms: number): tfTypes.Tensor3D {
  if (!Number.isInteger(terms) || terms < 0) throw new RangeError(`cayleyNeumann: terms must be an integer ≥ 0, got ${terms}`);
  const [, b, b2] = s.shape;
  if (b !== b2) throw new RangeError(`cayleyNeumann: blocks must be square, got ${b} × ${b2}`);
  const eye = tf.eye(b); // [b, b], broadcast over the blocks by add
  if (terms === 0) return tf.add(eye, s);
  let p: tfTypes.Tensor3D = tf.add(eye, s); // Σ_{k=0..1} Sᵏ
  for (let k = 2; k <= terms; k++) p = tf.add(eye, tf.matMul(s, p));
  return tf.add(p, tf.matMul(s, p));
}

// ---------------------------------------------------------------------------------------------
// Walsh–Hadamard transform (Fastfood)
// ---------------------------------------------------------------------------------------------

/** Bits of the index transformed per matMul in `fwht`: dense Hadamard blocks of at most 32 × 32. */
const FWHT_CHUNK_BITS = 5;

const hadamardCache = new Map<number, Float32Array>();

/** The Sylvester Hadamard matrix of size 2^bits, row-major (cached; do not mutate it). */
function hadamardArray(bits: number): Float32Array {
  const cached = hadamardCache.get(bits);
  if (cached) return cached;
  const size = 2 ** bits;
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let parity = 0;
      for (let v = i & j; v !== 0; v &= v - 1) parity ^= 1;
      out[i * size + j] = parity ? -1 : 1;
    }
  }
  hadamardCache.set(bits, out);
  return out;
}

/**
 * Unnormalised fast Walsh–Hadamard transform of each row of x [rows, n], n a power of two:
 * y = x·H with H the Sylvester Hadamard matrix, H[i][j] = (−1)^popcount(i & j) (symmetric,
 * H·H = n·I, so divide by √n for an orthonormal transform). H_n is the Kronecker product of one
 * small Hadamard matrix per group of index bits, so the transform multiplies by a dense
 * H_{2^c} (c ≤ 5) along each group of c bits in turn: a transpose brings those bits last, one
 * matMul, a transpose back. O(n·log n) work (32 multiply-adds per element per 5 bits) in about
 * log2(n)/5 matMuls; the one-bit butterfly (two slices, add, sub, concat per bit) costs 20× more
 * on the WASM backend, where strided slices of short runs are slow. Differentiable (the
 * gradient is the same transform of the upstream gradient, since H is symmetric).
 */
export function fwht(tf: TF, x: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const [rows, n] = x.shape;
  if (!isPowerOfTwo(n)) throw new RangeError(`fwht: the length must be a power of two, got ${n}`);
  if (n === 1) return tf.clone(x); // H₁ = [1]; a new tensor, so callers may dispose the input
  const bits = Math.log2(n);
  let y: tfTypes.Tensor = x;
  for (let low = 0; low < bits; low += FWHT_CHUNK_BITS) {
    const c = Math.min(FWHT_CHUNK_BITS, bits - low);
    const size = 2 ** c;
    const inner = 2 ** low; // the bits below this group
    const outer = (rows * n) / (size * inner);
    const h = tf.tensor2d(hadamardArray(c), [size, size]);
    if (inner === 1) {
      y = tf.matMul(tf.reshape(y, [outer, size]), h);
    } else {
      // [outer, size, inner] → [outer, inner, size], transform the last axis, and back.
      const last = tf.reshape(tf.transpose(tf.reshape(y, [outer, size, inner]), [0, 2, 1]), [outer * inner, size]);
      y = tf.transpose(tf.reshape(tf.matMul(last as tfTypes.Tensor2D, h), [outer, inner, size]), [0, 2, 1]);
    }
  }
  return tf.reshape(y, [rows, n]);
}

/**
 * The same transform on a plain array, in place (returns its argument): for tests and for
 * constants computed once, such as Fastfood's normalisation.
 */
export function fwhtArray<T extends Float32Array | Float64Array>(x: T): T {
  const n = x.length;
  if (!isPowerOfTwo(n)) throw new RangeError(`fwhtArray: the length must be a power of two, got ${n}`);
  for (let h = 1; h < n; h *= 2) {
    for (let start = 0; start < n; start += 2 * h) {
      for (let i = start; i < start + h; i++) {
        const a = x[i]!;
        const b = x[i + h]!;
        x[i] = a + b;
        x[i + h] = a - b;
      }
    }
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Kronecker product (KronA, LoKr)
// ---------------------------------------------------------------------------------------------

/**
 * a ⊗ b for a [m, n] and b [p, q] → [m·p, n·q], with (a ⊗ b)[i·p + k, j·q + l] = a[i, j]·b[k, l].
 * A broadcast multiply of a as [m, 1, n, 1] by b as [1, p, 1, q] lays the products out in exactly
 * that order, so one reshape finishes it; 4-D at most, and differentiable in both factors.
 */
export function kron(tf: TF, a: tfTypes.Tensor2D, b: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const [m, n] = a.shape;
  const [p, q] = b.shape;
  return tf.reshape(tf.mul(tf.reshape(a, [m, 1, n, 1]), tf.reshape(b, [1, p, 1, q])), [m * p, n * q]);
}

// ---------------------------------------------------------------------------------------------
// Top singular triplets (PiSSA), on plain arrays
// ---------------------------------------------------------------------------------------------

export interface SingularTriplets {
  /** Left singular vectors, k arrays of length rows (unit length, or all zero where s = 0). */
  u: Float32Array[];
  /** Singular values, non-increasing up to the accuracy of the iteration. */
  s: number[];
  /** Right singular vectors, k arrays of length cols (unit length). */
  v: Float32Array[];
}

export interface PowerIterationOptions {
  /** Most iterations per singular triplet (default 300). */
  iterations?: number;
  /** Seed of the random start vectors (default 0), so that results are reproducible. */
  seed?: number;
  /** Stop a triplet early once 1 − |cos| between successive v is below this (default 1e-12). */
  tolerance?: number;
}

/**
 * The k largest singular triplets of a row-major `rows × cols` matrix, so that
 * matrix ≈ Σᵢ s[i]·u[i]·v[i]ᵀ. Power iteration on AᵀA from a seeded random start, then deflation
 * A ← A − s·u·vᵀ before the next triplet. Each new v is also re-orthogonalised against the earlier
 * ones, which exact deflation would guarantee but rounding does not. Works in float64; signs are
 * fixed so that the largest-magnitude entry of each u is positive (deterministic output).
 * Convergence slows when neighbouring singular values are close (rate (s[i+1]/s[i])² per step);
 * PiSSA only needs a good rank-k subspace, so a bounded number of iterations is acceptable.
 * Cost: O(iterations · k · rows · cols).
 */
export function topSingular(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  { iterations = 300, seed = 0, tolerance = 1e-12 }: PowerIterationOptions = {},
): SingularTriplets {
  if (matrix.length !== rows * cols) throw new RangeError(`topSingular: expected ${rows * cols} values, got ${matrix.length}`);
  if (!Number.isInteger(k) || k < 0 || k > Math.min(rows, cols)) {
    throw new RangeError(`topSingular: k must be an integer in 0..${Math.min(rows, cols)}, got ${k}`);
  }
  const a = Float64Array.from(matrix); // the residual, deflated after each triplet
  const rng = createRng(seed);
  const result: SingularTriplets = { u: [], s: [], v: [] };
  const earlierV: Float64Array[] = [];

  const times = (v: Float64Array, out: Float64Array) => {
    // out = A·v
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += a[i * cols + j]! * v[j]!;
      out[i] = sum;
    }
  };
  const timesTransposed = (u: Float64Array, out: Float64Array) => {
    // out = Aᵀ·u
    out.fill(0);
    for (let i = 0; i < rows; i++) {
      const ui = u[i]!;
      if (ui === 0) continue;
      for (let j = 0; j < cols; j++) out[j] = out[j]! + a[i * cols + j]! * ui;
    }
  };
  const dot = (x: Float64Array, y: Float64Array) => x.reduce((sum, xi, i) => sum + xi * y[i]!, 0);
  const orthogonalise = (w: Float64Array) => {
    for (const prev of earlierV) {
      const c = dot(w, prev);
      for (let j = 0; j < cols; j++) w[j] = w[j]! - c * prev[j]!;
    }
  };
  const normalise = (w: Float64Array): number => {
    const norm = Math.sqrt(dot(w, w));
    if (norm > 0) for (let j = 0; j < w.length; j++) w[j] = w[j]! / norm;
    return norm;
  };

  for (let c = 0; c < k; c++) {
    let v = Float64Array.from(normals(rng, cols, 1));
    orthogonalise(v);
    normalise(v);
    const u = new Float64Array(rows);
    const w = new Float64Array(cols);
    for (let it = 0; it < iterations; it++) {
      times(v, u);
      timesTransposed(u, w);
      orthogonalise(w);
      if (normalise(w) === 0) break; // the residual vanishes along v: keep v, s will be 0
      const converged = 1 - Math.abs(dot(w, v)) < tolerance;
      v = Float64Array.from(w);
      if (converged) break;
    }
    times(v, u);
    const s = normalise(u);
    // Sign convention: largest-magnitude entry of u positive (flip u and v together).
    let big = 0;
    for (let i = 0; i < rows; i++) if (Math.abs(u[i]!) > Math.abs(u[big]!)) big = i;
    if ((u[big] ?? 0) < 0) {
      for (let i = 0; i < rows; i++) u[i] = -u[i]!;
      for (let j = 0; j < cols; j++) v[j] = -v[j]!;
    }
    for (let i = 0; i < rows; i++) {
      const sui = s * u[i]!;
      for (let j = 0; j < cols; j++) a[i * cols + j] = a[i * cols + j]! - sui * v[j]!;
    }
    earlierV.push(v);
    result.u.push(Float32Array.from(u));
    result.s.push(s);
    result.v.push(Float32Array.from(v));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Full and randomised SVD (PiSSA), on plain arrays
// ---------------------------------------------------------------------------------------------

/** Flip u and v of one triplet so that u's largest-magnitude entry is positive (as topSingular). */
function fixSign(u: Float64Array, v: Float64Array): void {
  let big = 0;
  for (let i = 1; i < u.length; i++) if (Math.abs(u[i]!) > Math.abs(u[big]!)) big = i;
  if ((u[big] ?? 0) >= 0) return;
  for (let i = 0; i < u.length; i++) u[i] = -u[i]!;
  for (let j = 0; j < v.length; j++) v[j] = -v[j]!;
}

/**
 * The thin SVD of a row-major `rows × cols` matrix: all min(rows, cols) triplets, singular values
 * in non-increasing order, so that matrix = Σᵢ s[i]·u[i]·v[i]ᵀ to rounding. One-sided Jacobi
 * (Hestenes): plane rotations orthogonalise the columns of the taller orientation, accumulating
 * the rotations into V, until every pair of columns is orthogonal to machine precision. Works in
 * float64; signs as topSingular's. Exact up to rounding, unlike a bounded power iteration, and
 * cheap for the toy's matrices (a 64 × 256 map: 64 columns, about ten sweeps of 2,016 pairs).
 * Cost: O(sweeps · min² · max).
 */
export function svd(matrix: ArrayLike<number>, rows: number, cols: number, { maxSweeps = 60 }: { maxSweeps?: number } = {}): SingularTriplets {
  if (matrix.length !== rows * cols) throw new RangeError(`svd: expected ${rows * cols} values, got ${matrix.length}`);
  // Orthogonalise the n columns of an m × n matrix with m ≥ n (the transpose when rows < cols).
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  const columns = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => (tall ? matrix[i * cols + j]! : matrix[j * cols + i]!)));
  // V's columns, each rotated with its column of the matrix.
  const rotations = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  const dot = (x: Float64Array, y: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
    return sum;
  };
  const rotate = (x: Float64Array, y: Float64Array, c: number, s: number) => {
    for (let i = 0; i < x.length; i++) {
      const [xi, yi] = [x[i]!, y[i]!];
      x[i] = c * xi - s * yi;
      y[i] = s * xi + c * yi;
    }
  };
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const [cp, cq] = [columns[p]!, columns[q]!];
        const alpha = dot(cp, cp);
        const beta = dot(cq, cq);
        const gamma = dot(cp, cq);
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that zeroes the (p, q) entry of the 2 × 2 Gram matrix [[α, γ], [γ, β]].
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        rotate(cp, cq, c, c * t);
        rotate(rotations[p]!, rotations[q]!, c, c * t);
      }
    }
    if (!rotated) break;
  }
  // Column j is now s_j·u_j, and rotations[j] (V's column j, rotated alongside) is v_j, in the
  // tall orientation.
  const triplets = columns.map((col, j) => {
    const s = Math.sqrt(dot(col, col));
    const u = s > 0 ? col.map((x) => x / s) : new Float64Array(m);
    return { s, u, v: rotations[j]! };
  });
  triplets.sort((a, b) => b.s - a.s);
  const result: SingularTriplets = { u: [], s: [], v: [] };
  for (const t of triplets) {
    // Back in the caller's orientation: for the transpose, left and right swap.
    const [u, v] = tall ? [t.u, t.v] : [t.v, t.u];
    fixSign(u, v);
    result.u.push(Float32Array.from(u));
    result.s.push(t.s);
    result.v.push(Float32Array.from(v));
  }
  return result;
}

/**
 * Rank-k randomised SVD as torch.svd_lowrank(M, q=k, niter) computes it (Halko, Martinsson and
 * Tropp 2011, Algorithm 4.4 with q = k and no oversampling, which is how HF PEFT's
 * `init_lora_weights="pissa_niter_[n]"` calls it): Q = orth(M·Ω) for a Gaussian Ω (cols × k),
 * then `niter` rounds of Q ← orth(M·orth(Mᵀ·Q)), and the exact SVD of the small k × cols matrix
 * QᵀM, whose left vectors are mapped back through Q. The random start comes from our seeded
 * generator, so the result is reproducible but not torch's bit for bit. More rounds give a closer
 * approximation of the top-k triplets.
 */
export function randomizedSvd(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  { niter = 2, seed = 0 }: { niter?: number; seed?: number } = {},
): SingularTriplets {
  if (matrix.length !== rows * cols) throw new RangeError(`randomizedSvd: expected ${rows * cols} values, got ${matrix.length}`);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) throw new RangeError(`randomizedSvd: k must be an integer in 1..${Math.min(rows, cols)}, got ${k}`);
  if (!Number.isInteger(niter) || niter < 0) throw new RangeError(`randomizedSvd: niter must be an integer ≥ 0, got ${niter}`);
  const a = Float64Array.from(matrix);
  // basis: k vectors of length `len`; times / timesT apply M or Mᵀ to each.
  const times = (basis: Float64Array[]) =>
    basis.map((x) => {
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += a[i * cols + j]! * x[j]!;
        out[i] = sum;
      }
      return out;
    });
  const timesT = (basis: Float64Array[]) =>
    basis.map((y) => {
      const out = new Float64Array(cols);
      for (let i = 0; i < rows; i++) {
        const yi = y[i]!;
        for (let j = 0; j < cols; j++) out[j] = out[j]! + a[i * cols + j]! * yi;
      }
      return out;
    });
  // Modified Gram–Schmidt, twice for stability; a vector that vanishes stays zero.
  const orth = (basis: Float64Array[]) => {
    for (let pass = 0; pass < 2; pass++) {
      basis.forEach((x, c) => {
        for (let p = 0; p < c; p++) {
          const prev = basis[p]!;
          let d = 0;
          for (let i = 0; i < x.length; i++) d += x[i]! * prev[i]!;
          for (let i = 0; i < x.length; i++) x[i] = x[i]! - d * prev[i]!;
        }
        let norm = 0;
        for (let i = 0; i < x.length; i++) norm += x[i]! * x[i]!;
        norm = Math.sqrt(norm);
        for (let i = 0; i < x.length; i++) x[i] = norm > 0 ? x[i]! / norm : 0;
      });
    }
    return basis;
  };
  const rng = createRng(seed);
  let q = orth(times(Array.from({ length: k }, () => Float64Array.from(normals(rng, cols, 1)))));
  for (let it = 0; it < niter; it++) q = orth(times(orth(timesT(q))));
  // B = QᵀM (k × cols), row c = Mᵀ·q_c.
  const b = timesT(q);
  const small = svd(Float64Array.from(b.flatMap((row) => Array.from(row))), k, cols);
  const result: SingularTriplets = { u: [], s: [], v: [] };
  small.s.forEach((s, c) => {
    const ub = small.u[c]!;
    const u = new Float64Array(rows);
    for (let p = 0; p < k; p++) for (let i = 0; i < rows; i++) u[i] = u[i]! + q[p]![i]! * ub[p]!;
    const v = Float64Array.from(small.v[c]!);
    fixSign(u, v);
    result.u.push(Float32Array.from(u));
    result.s.push(s);
    result.v.push(Float32Array.from(v));
  });
  return result;
}
