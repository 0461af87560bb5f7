import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * A fixed permutation of a vector's entries, differentiable and without gather (the WASM backend
 * cannot backpropagate through it, and a dense 0/1 matrix is out of reach for long vectors): a
 * Beneš network, 2·log₂n − 1 stages of conditional swaps of entries p and p + h, each a reshape,
 * two slices and a masked exchange like a Walsh–Hadamard butterfly. Switches are set by the
 * looping algorithm. Exact, O(n log n). Intrinsic SAID's Fastfood transform routes its random
 * permutation Π through it.
 */

/**
 * Switch settings of a Beneš network that moves the element at position i to `dest[i]` (n a power
 * of two). Stage t pairs positions p and p + h with h = 2^bit, bits 0, 1, …, log₂n − 1, …, 1, 0;
 * each stage is a Uint8Array over positions whose entry at the lower position p (bit clear)
 * is 1 when that pair swaps. Looping algorithm: the two inputs of a first-stage switch go to
 * different halves, and so do the two sources of a last-stage switch; these constraints form
 * even cycles, which we 2-colour, then route each half recursively.
 */
export function benesRoute(dest: Int32Array): Uint8Array[] {
  const n = dest.length;
  if (!Number.isInteger(Math.log2(n))) throw new RangeError(`benesRoute: the length must be a power of two, got ${n}`);
  if (n === 1) return [];
  if (n === 2) return [Uint8Array.of(dest[0] === 1 ? 1 : 0, 0)];
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[dest[i]!] = i;
  const half = new Int8Array(n).fill(-1);
  for (let start = 0; start < n; start++) {
    if (half[start] !== -1) continue;
    let j = start;
    for (;;) {
      half[j] = 0;
      const partner = j ^ 1;
      half[partner] = 1;
      // The input that feeds the other output of partner's last-stage switch must use half 0.
      const next = inv[dest[partner]! ^ 1]!;
      if (half[next] !== -1) break;
      j = next;
    }
  }
  const first = new Uint8Array(n);
  const last = new Uint8Array(n);
  const sub = [new Int32Array(n / 2), new Int32Array(n / 2)];
  for (let i = 0; i < n; i++) {
    const h = half[i]!;
    if ((i & 1) === 0 && h === 1) first[i] = 1;
    const out = dest[i]!;
    // Half h delivers to position 2·⌊out/2⌋ + h; its last-stage switch swaps when that is not out.
    if (h === 0 && (out & 1) === 1) last[out & ~1] = 1;
    sub[h]![i >> 1] = out >> 1;
  }
  const upper = benesRoute(sub[0]!);
  const lower = benesRoute(sub[1]!);
  const middle = upper.map((u, t) => {
    const l = lower[t]!;
    const stage = new Uint8Array(n);
    for (let k = 0; k < n / 2; k++) {
      stage[k << 1] = u[k]!;
      stage[(k << 1) | 1] = l[k]!;
    }
    return stage;
  });
  return [first, ...middle, last];
}

/** The index bit each Beneš stage pairs on: 0, 1, …, k − 1, …, 1, 0 for n = 2^k. */
export function benesBits(n: number): number[] {
  const up: number[] = [];
  for (let bit = 0; 2 ** bit < n; bit++) up.push(bit);
  return [...up, ...up.slice(0, -1).reverse()];
}

/** A uniformly random permutation as sources: y[k] = x[source[k]] (numpy's permutation, Fisher–Yates). */
export function randomSources(rng: Rng, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * One Beneš stage as the tensor code applies it: swap the elements p and p + h of every aligned
 * 2h-long run where `mask` (laid out as [n/(2h), 1, h]) is 1, in the plain layout or, when
 * `rotated`, in the layout whose index is the plain one with its low ⌊k/2⌋ bits moved to the top.
 * Pairing on a low bit means slicing runs of 1, 2, 4 … elements, which the WASM backend does
 * slowly; in the rotated layout the same pairs are ≥ 2^⌈k/2⌉ apart. `mask` is null when nothing
 * swaps.
 */
export interface BenesStage {
  h: number;
  rotated: boolean;
  mask: Float32Array | null;
}

/** Bits moved to the top by the rotated layout of an n-long row. */
const rotatedBits = (n: number) => Math.floor(Math.log2(n) / 2);

/** The plain index of position p of the rotated layout: p = low·2^(k−r) + high ↦ high·2^r + low. */
function plainIndex(p: number, n: number): number {
  const r = rotatedBits(n);
  const highBits = Math.log2(n) - r;
  return ((p & ((1 << highBits) - 1)) << r) | (p >> highBits);
}

/** The stages of the Beneš network that applies y[k] = x[source[k]], ready for `applyBenes`. */
export function benesStages(source: Int32Array): BenesStage[] {
  const n = source.length;
  const dest = new Int32Array(n);
  for (let k = 0; k < n; k++) dest[source[k]!] = k;
  const r = rotatedBits(n);
  const highBits = Math.log2(n) - r;
  const bits = benesBits(n);
  return benesRoute(dest).map((stage, t) => {
    const bit = bits[t]!;
    const rotated = bit < r;
    const h = 2 ** (rotated ? bit + highBits : bit);
    const mask = new Float32Array(n / 2);
    let any = false;
    for (let g = 0; g < n / (2 * h); g++) {
      for (let j = 0; j < h; j++) {
        const p = g * 2 * h + j; // lower element of the pair, in the stage's layout
        const v = stage[rotated ? plainIndex(p, n) : p]!;
        mask[g * h + j] = v;
        any ||= v === 1;
      }
    }
    return { h, rotated, mask: any ? mask : null };
  });
}

/** x [rows, n] between the plain and the rotated layout (`toRotated` false goes back). */
function rotateLayout(tf: TF, x: tfTypes.Tensor2D, toRotated: boolean): tfTypes.Tensor2D {
  const [rows, n] = x.shape;
  const low = 2 ** rotatedBits(n);
  const high = n / low;
  const view = toRotated ? [rows, high, low] : [rows, low, high];
  return tf.reshape(tf.transpose(tf.reshape(x, view), [0, 2, 1]), [rows, n]);
}

/** One Beneš stage on every row of x [rows, n] in its layout: swap x[p] and x[p + h] where mask [rows·n/(2h), 1, h] is 1. */
function swapStage(tf: TF, x: tfTypes.Tensor2D, h: number, mask: tfTypes.Tensor3D): tfTypes.Tensor2D {
  const [rows, n] = x.shape;
  const v = tf.reshape(x, [(rows * n) / (2 * h), 2, h]);
  const a = tf.slice(v, [0, 0, 0], [-1, 1, -1]);
  const b = tf.slice(v, [0, 1, 0], [-1, 1, -1]);
  const moved = tf.mul(tf.sub(b, a), mask); // b − a where swapped, else 0
  return tf.reshape(tf.concat([tf.add(a, moved), tf.sub(b, moved)], 1), [rows, n]);
}

/** Applies Beneš stages (masks stacked over the rows) to x [rows, n]: each row permuted by its own network. */
export function applyBenes(tf: TF, x: tfTypes.Tensor2D, stages: readonly { h: number; rotated: boolean; mask: tfTypes.Tensor3D | null }[]): tfTypes.Tensor2D {
  let v = x;
  let rotated = false;
  for (const stage of stages) {
    if (!stage.mask) continue;
    if (stage.rotated !== rotated) {
      v = rotateLayout(tf, v, stage.rotated);
      rotated = stage.rotated;
    }
    v = swapStage(tf, v, stage.h, stage.mask);
  }
  return rotated ? rotateLayout(tf, v, false) : v;
}
