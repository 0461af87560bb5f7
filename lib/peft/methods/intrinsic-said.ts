import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import { attachAll, weightParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import { fwht, nextPowerOfTwo } from '../method-api/linalg';
import { applyBenes, benesStages, randomSources } from '../method-api/permutation';
import { allWeightTensors, matmulParams } from '../method-api/profile';
import type { ForwardContext } from '../model/hooks';
import { disposeAll, zerosVariable } from '../model/params';
import { type Rng, createRng, normals } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * Intrinsic SAID (Aghajanyan, Zettlemoyer & Gupta, 2021): fine-tune in a random low-dimensional
 * subspace. Every weight tensor θ_i of the model becomes θ_i = θ_{0,i} + λ_i·P_i(θ_d), where θ_d
 * (zeros at start) is one trained vector shared by all tensors, P_i a fixed random Fastfood
 * projection and λ_i one trained scalar per tensor (structure-aware: SAID). At θ_d = 0 the model
 * is exactly the pretrained one; afterwards θ₀ + λ·P(θ_d) can be written into the weights once.
 *
 * Following the authors' code (Aghajanyan's `intrinsic.py`: `IntrinsicDimensionLight` with
 * `fastfood_vars` and `fastfood_torched`, as shipped in rabeehk/compacter and
 * ylsung/Ladder-Side-Tuning, seq2seq/projections/intrinsic.py):
 * - One Fastfood transform per parameter tensor (a weight and its bias are separate tensors),
 *   every one reading the same θ_d. For a tensor of D values and D' = the next power of two,
 *       P(x) = first D entries of H·G·Π·H·B·x̃, divided by √(D'·ΣG²)·√(D/D'),
 *   with x̃ = x zero-padded to D' (or cut to its first D' entries when x is longer: their F.pad
 *   with a negative width crops), B a random ±1 diagonal, H the unnormalised Walsh–Hadamard
 *   matrix, Π a uniformly random permutation and G an N(0, 1) diagonal. H·G·Π·H·B stretches
 *   every vector by exactly √(D'·ΣG²), so dividing by that gives columns of length 1 over all D'
 *   rows; keeping D of them keeps D/D' of the squared length on average, which the √(D/D')
 *   restores. So every column of P has expected length 1 (exactly 1 when D is a power of two).
 * - SAID: λ starts at 1, one per tensor (the paper speaks of layers; the code takes every named
 *   parameter), and θ_d gets d − m entries, so d parameters train in all (the paper's θ^{d−m};
 *   the code asserts d > m). On real models m is the number of weight tensors (allWeightTensors:
 *   one per weight, bias, norm gain and bias, embedding table).
 * - Every parameter is reparametrised (`str_filter` empty), embeddings and norms included. So on
 *   the toy too, though it is the costliest choice: the two 16,384-value MLP matrices per layer
 *   set the largest D'.
 *
 * Differences, and why:
 * - Π without gather (the WASM backend cannot backprop through it, and a dense 0/1 matrix of
 *   D'² entries is out of reach at D' = 16,384). A structured permutation made of reshapes and
 *   transposes (a perfect shuffle, a bit reversal) would not do: those permute the bits of the
 *   index, H is invariant under that, so H·G·Π·H would collapse to H·G·H·Π, a dyadic convolution
 *   whose columns are shifted copies of one another. Instead Π is drawn uniformly, as in the
 *   reference, and routed through a Beneš network (method-api/permutation.ts): exact,
 *   O(D' log D'), differentiable.
 * - Gradients are exact; the reference's Hadamard backward scales the gradient by 1/√D' per
 *   transform, which Adam's normalisation mostly absorbs.
 * - G's normalisation is folded into G (one multiplication less per pass).
 */

// ---------------------------------------------------------------------------------------------
// Fastfood constants, one transform per parameter tensor, batched by padded length
// ---------------------------------------------------------------------------------------------

/** The random diagonals and permutation of one tensor's Fastfood transform, as plain arrays. */
export interface FastfoodDraw {
  /** Values of the tensor, D. */
  size: number;
  /** D' = the next power of two ≥ D. */
  padded: number;
  /** B: ±1. */
  signs: Float32Array;
  /** Π as sources: (Πv)[k] = v[source[k]]. */
  source: Int32Array;
  /** G: N(0, 1). */
  gauss: Float32Array;
  /** 1 / (√(D'·ΣG²)·√(D/D')) = 1 / √(D·ΣG²). */
  scale: number;
}

export function drawFastfood(rng: Rng, size: number): FastfoodDraw {
  const padded = nextPowerOfTwo(size);
  const signs = Float32Array.from({ length: padded }, () => (rng() < 0.5 ? -1 : 1));
  const source = randomSources(rng, padded);
  const gauss = normals(rng, padded, 1);
  let squares = 0;
  for (const g of gauss) squares += g * g;
  return { size, padded, signs, source, gauss, scale: 1 / Math.sqrt(size * squares) };
}

/** Tensors sharing a padded length D', transformed together as the rows of one [rows, D'] batch. */
interface FastfoodGroup {
  padded: number;
  names: string[];
  shapes: number[][];
  sizes: number[];
  /** Offset of the group's first λ in the λ vector (groups hold consecutive λ entries). */
  lambdaOffset: number;
  signs: tfTypes.Tensor2D;
  /** G with the normalisation folded in. */
  gauss: tfTypes.Tensor2D;
  /** Per Beneš stage: its half-width, layout and mask (null when no row swaps there). */
  stages: { h: number; rotated: boolean; mask: tfTypes.Tensor3D | null }[];
}

/**
 * The Fastfood projections of every reparametrised tensor: `deltas(θ_d, λ)` gives each tensor's
 * share λ_i·P_i(θ_d). The constants are uploaded once (kept, should the caller be inside a tidy);
 * `dispose` frees them.
 */
export class FastfoodBank {
  readonly groups: FastfoodGroup[];
  /** The plain draws, by tensor name (for tests and for building the dense matrix). */
  readonly draws = new Map<string, FastfoodDraw>();

  constructor(
    private readonly tf: TF,
    tensors: readonly { name: string; shape: readonly number[] }[],
    rng: Rng,
  ) {
    const byPadded = new Map<number, { name: string; shape: number[]; draw: FastfoodDraw }[]>();
    for (const { name, shape } of tensors) {
      const draw = drawFastfood(rng, shape.reduce((p, s) => p * s, 1));
      this.draws.set(name, draw);
      const list = byPadded.get(draw.padded) ?? [];
      list.push({ name, shape: [...shape], draw });
      byPadded.set(draw.padded, list);
    }
    let lambdaOffset = 0;
    this.groups = [...byPadded.entries()]
      .sort(([a], [b]) => a - b)
      .map(([padded, list]) => {
        const rows = list.length;
        const signs = new Float32Array(rows * padded);
        const gauss = new Float32Array(rows * padded);
        list.forEach(({ draw }, r) => {
          signs.set(draw.signs, r * padded);
          for (let k = 0; k < padded; k++) gauss[r * padded + k] = draw.gauss[k]! * draw.scale;
        });
        const perRow = list.map(({ draw }) => benesStages(draw.source));
        // Every row's network has the same stage shapes; their masks stack over the rows.
        const stages = (perRow[0] ?? []).map(({ h, rotated }, t) => {
          if (perRow.every((row) => row[t]!.mask === null)) return { h, rotated, mask: null };
          const half = padded / 2;
          const all = new Float32Array(rows * half);
          perRow.forEach((row, r) => {
            const mask = row[t]!.mask;
            if (mask) all.set(mask, r * half);
          });
          return { h, rotated, mask: tf.keep(tf.tensor3d(all, [(rows * padded) / (2 * h), 1, h])) };
        });
        const group: FastfoodGroup = {
          padded,
          names: list.map((e) => e.name),
          shapes: list.map((e) => e.shape),
          sizes: list.map((e) => e.draw.size),
          lambdaOffset,
          signs: tf.keep(tf.tensor2d(signs, [rows, padded])),
          gauss: tf.keep(tf.tensor2d(gauss, [rows, padded])),
          stages,
        };
        lambdaOffset += rows;
        return group;
      });
  }

  /** P(θ) for every tensor of a group, as [rows, D'] (before cropping to each tensor's D). */
  projectGroup(group: FastfoodGroup, theta: tfTypes.Tensor1D): tfTypes.Tensor2D {
    const tf = this.tf;
    const d = theta.shape[0];
    const n = group.padded;
    const used = Math.min(d, n);
    let x = tf.reshape(used === d ? theta : tf.slice(theta, [0], [used]), [1, used]) as tfTypes.Tensor2D;
    if (used < n) x = tf.concat([x, tf.zeros([1, n - used])], 1);
    let v: tfTypes.Tensor2D = tf.mul(x, group.signs); // B·x̃, broadcast over the rows
    v = fwht(tf, v); // H·B·x̃
    v = applyBenes(tf, v, group.stages); // Π·H·B·x̃
    v = tf.mul(v, group.gauss); // G·Π·H·B·x̃, normalised
    return fwht(tf, v); // H·G·Π·H·B·x̃
  }

  /** Each tensor's λ_i·P_i(θ), cropped to its D values and shaped like it. */
  deltas(theta: tfTypes.Tensor1D, lambda: tfTypes.Tensor1D | null): Map<string, tfTypes.Tensor> {
    const tf = this.tf;
    const out = new Map<string, tfTypes.Tensor>();
    for (const group of this.groups) {
      const rows = group.names.length;
      let v = this.projectGroup(group, theta);
      if (lambda) v = tf.mul(v, tf.reshape(tf.slice(lambda, [group.lambdaOffset], [rows]), [rows, 1]));
      group.names.forEach((name, r) => {
        out.set(name, tf.reshape(tf.slice(v, [r, 0], [1, group.sizes[r]!]), group.shapes[r]!));
      });
    }
    return out;
  }

  dispose(): void {
    for (const g of this.groups) {
      g.signs.dispose();
      g.gauss.dispose();
      for (const s of g.stages) s.mask?.dispose();
    }
  }
}

/** Weight tensors on a real architecture: the λ count m. */
export function saidTensorCount(arch: Architecture): number {
  return allWeightTensors(arch).reduce((n, g) => n + g.count, 0);
}

export const intrinsicSaid = defineMethod({
  id: 'intrinsic-said',
  name: 'Intrinsic SAID',
  hyperparams: [
    {
      key: 'd',
      label: 'Intrinsic dimension d',
      help: 'Trained parameters in all: d − m for the shared vector θ_d plus one scale λ per weight tensor (m of them); d must exceed m.',
      kind: 'int',
      min: 2,
      max: 1_000_000,
      // The paper's d90 values run from about 200 (RoBERTa on MRPC, its abstract) to several
      // thousand; 1,000 is also above the tensor count m of every model in our list (at most 723,
      // Llama-2-70B).
      default: 1000,
    },
  ],
  // θ_d moves by about the learning rate per step under Adam, and each weight by roughly
  // √(d/D) times that: a random subspace needs a large rate.
  toyLearningRate: 5e-2,
  toyConfig: { d: 400 },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [],
  anatomy: (arch, { d }) => attachAll(weightParts(arch), 'added', `update projected from one shared ${d}-dimensional vector`),
  profile(arch, { d }) {
    const m = saidTensorCount(arch);
    if (d <= m) throw new RangeError(`Intrinsic dimension d must exceed the ${m} weight tensors of ${arch.name} (one λ each)`);
    return {
      tensors: [
        { shape: [d - m], count: 1 },
        { shape: [m], count: 1 },
      ],
      // Every weight's gradient is computed (then projected onto θ_d), as in full fine-tuning, so
      // the backward pass costs what full fine-tuning's does. (The memory model counts gradients of
      // the d trained numbers only; the transient full-size gradient is not modelled.)
      baseMatmulTrainable: matmulParams(arch),
    };
  },
  apply(model, { d }, { seed = 0 } = {}) {
    const tf = model.tf;
    const names = [...model.weights.keys()];
    const m = names.length;
    if (d <= m) throw new RangeError(`Intrinsic dimension d must exceed the ${m} weight tensors of the toy model (one λ each)`);
    const bank = new FastfoodBank(
      tf,
      names.map((name) => ({ name, shape: model.weight(name).shape })),
      createRng(seed),
    );
    const theta = zerosVariable(tf, [d - m]) as tfTypes.Variable<tfTypes.Rank.R1>;
    const lambda = tf.tidy(() => tf.variable(tf.ones([m]), true)) as tfTypes.Variable<tfTypes.Rank.R1>;
    // All deltas are computed at the first weight read of a forward pass and reused for the rest
    // of it (the context object is the same throughout one pass); they die with its tidy.
    let cache: { ctx: ForwardContext; deltas: Map<string, tfTypes.Tensor> } | null = null;
    const backup = weightBackup(model, names);
    return {
      trainable: [theta, lambda],
      hooks: {
        weight(name, w, ctx) {
          if (backup.taken) return w;
          if (cache?.ctx !== ctx) cache = { ctx, deltas: bank.deltas(theta, lambda) };
          const delta = cache.deltas.get(name);
          return delta ? tf.add(w, delta) : w;
        },
      },
      merge() {
        if (backup.taken) return;
        backup.take();
        tf.tidy(() => {
          for (const [name, delta] of bank.deltas(theta, lambda)) {
            const w = model.weight(name);
            w.assign(tf.add(w, delta));
          }
        });
      },
      unmerge: () => backup.restore(),
      dispose() {
        backup.dispose();
        cache = null;
        bank.dispose();
        disposeAll([theta, lambda]);
      },
    };
  },
});
