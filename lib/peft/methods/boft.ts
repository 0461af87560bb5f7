import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import type { TensorGroup } from '../method-api/profile';
import { peftTargetModules } from '../method-api/peft-export';
import { toyTargetSites } from '../method-api/toy-sites';
import { disposeAll, zerosVariable } from '../model/params';
import type { ForwardContext } from '../model/hooks';
import type { TF } from '../model/transformer';

/**
 * BOFT, Orthogonal Butterfly (Liu et al., ICLR 2024, arXiv 2311.06243): OFT's orthogonal matrix R
 * built as a product of m butterfly factors. Factor i is Pᵢ·diag(Q_i1, …, Q_iN)·Pᵢᵀ: N orthogonal
 * b × b blocks (each the Cayley transform of a skew-symmetric matrix) between a fixed permutation
 * and its inverse. Factor 0 mixes inputs within blocks of b, factor i within groups of b·2ⁱ, so a
 * few sparse factors make a dense rotation. Each output also gets a trained scale, so the tuned
 * map is W' = (R·W)·diag(s) in our x·W layout (W is [in, out]). All parameters start so that R = I
 * and s = 1: training starts from the pretrained function, and R, s fold into W after training.
 *
 * Follows HF PEFT's BOFT, which the authors' repository (wy1iu/butterfly-oft, README at 5b5a7b0)
 * names as the official implementation, as of huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40
 * (src/peft/tuners/boft/config.py, layer.py):
 * - Tensors per targeted map: `boft_R` [m, N, b, b], zeros, and `boft_s` [out, 1], ones. HF keeps
 *   whole b × b matrices and uses only their skew part S = ½(A − Aᵀ) (`cayley_batch`), so the
 *   diagonal and one triangle's worth of entries never reach R; HF still counts (and trains and
 *   saves) all b² of them, and so do we. From a zero start A stays skew: its symmetric part gets
 *   no gradient.
 * - Block size b (`boft_block_size`, default 4) or number of blocks N (`boft_block_num`): exactly
 *   one is non-zero, b·N = in_features, and HF raises an error (rather than adjusting, as its OFT
 *   does) when they do not divide in_features or do not fit the butterfly: see `boftLayout`.
 * - The permutations are HF's `block_butterfly_perm`/`perm2mat` (`butterflyPermutation` here);
 *   factor 0's is the identity. R = M_{m−1}···M_0 with M_i = Pᵢ·BD_i·Pᵢᵀ, and HF rotates the input,
 *   x·R, before the frozen layer, then scales its output without the bias, (x·R·W)·s + bias.
 * - Cayley transform: HF solves (I − S)(I + S)⁻¹ exactly (`torch.linalg.solve`). TensorFlow.js has
 *   no differentiable inverse or solve, and OFT's Neumann series (linalg's `cayleyNeumann`) drifts
 *   from orthogonal once ‖S‖ nears 1, which a few hundred toy steps reach (summed through S⁵, RᵀR − I
 *   reached 7·10⁻² in 300 steps of the toy settings on the shift task). `cayleyBatch` computes the same inverse from products of a
 *   series that converges for every skew S, to float32 rounding in the range training reaches.
 * - HF builds m > 1 only where its CUDA extension (fbd_cuda) compiles; elsewhere it warns and sets
 *   `boft_n_butterfly_factor` to 1. Counts here are those of the configuration as written.
 * - Only HF's defaults for `boft_dropout` (0) and `bias` ("none").
 * - Default targets: HF's BOFT table is a copy of LoRA's (constants.py). HF wraps only nn.Linear
 *   (and Conv2d): GPT-2's Conv1D maps are refused there; we count them as the Linear maps they are.
 * - Permutations on the toy are products with 0/1 matrices built once (no `gather`, which the
 *   WASM backend cannot backpropagate through), applied as the identical diagonal blocks they
 *   are, so each costs (chunk size) multiply-adds per entry instead of in_features.
 */

/** Squarings of `cayleyBatch`'s inverse series: its error is about ρ^(2^k), ρ < 1 (see there). */
export const BOFT_SQUARINGS = 5;

export interface BoftSettings {
  blockSize: number;
  blockNum: number;
  butterflyFactor: number;
}

/** One targeted map's BOFT shape: m factors of N blocks of size b (b·N = in_features). */
export interface BoftLayout {
  factors: number;
  blocks: number;
  size: number;
}

/**
 * The layout HF PEFT gives a map with `inFeatures` inputs, or the reason it raises an error,
 * as a sentence (`config.py` __post_init__ and `BOFTLayer.update_layer`, checked in HF's order).
 */
export function boftLayout(inFeatures: number, { blockSize: b0, blockNum: n0, butterflyFactor: m }: BoftSettings): BoftLayout | { error: string } {
  if (b0 === 0 && n0 === 0) return { error: 'Set a block size or a number of blocks: HF PEFT refuses both at 0, since block size × blocks must equal each map’s input width.' };
  if (b0 !== 0 && n0 !== 0) return { error: `Set either the block size (${b0}) or the number of blocks (${n0}) and the other to 0: HF PEFT refuses both, since block size × blocks must equal each map’s input width.` };
  if (!Number.isInteger(m) || m < 1) return { error: `The number of butterfly factors must be a whole number of at least 1, got ${m}.` };
  const f = m - 1; // HF's boft_n_butterfly_factor − 1, "to be consistent with the paper notation"
  let blocks: number;
  let size: number;
  if (n0 !== 0) {
    if (inFeatures % n0 !== 0) return { error: `${n0} blocks do not divide the ${inFeatures} inputs of a targeted map evenly (HF PEFT requires in_features divisible by boft_block_num).` };
    if (f > 0 && (f > Math.floor(Math.log2(n0)) || n0 % 2 ** f !== 0)) {
      return { error: `${m} butterfly factors need a number of blocks that is a multiple of 2^${f} = ${2 ** f}; ${n0} is not (HF PEFT: invalid combination of boft_n_butterfly_factor and boft_block_num).` };
    }
    blocks = n0;
    size = inFeatures / n0;
  } else {
    if (inFeatures % b0 !== 0) return { error: `A block size of ${b0} does not divide the ${inFeatures} inputs of a targeted map evenly (HF PEFT requires in_features divisible by boft_block_size).` };
    if (f > 0 && inFeatures % (b0 * 2 ** f) !== 0) {
      return { error: `${m} butterfly factors with blocks of ${b0} need an input width that is a multiple of ${b0} × 2^${f} = ${b0 * 2 ** f}; a targeted map has ${inFeatures} inputs (HF PEFT: invalid combination of in_features, boft_n_butterfly_factor and boft_block_size).` };
    }
    blocks = inFeatures / b0;
    size = b0;
  }
  // A butterfly factor swaps half-blocks between neighbours, so both must be even (OFT, m = 1, need not).
  if (f > 0 && blocks % 2 !== 0) return { error: `With more than one butterfly factor the number of blocks must be even; a targeted map with ${inFeatures} inputs gets ${blocks} (HF PEFT: boft_block_num must be an even number).` };
  if (f > 0 && size % 2 !== 0) return { error: `With more than one butterfly factor the block size must be even; a targeted map with ${inFeatures} inputs gets ${size} (HF PEFT: boft_block_size must be an even number).` };
  return { factors: m, blocks, size };
}

/** The first error HF would raise for these settings on the targeted maps of `arch`, or null. */
function layoutProblem(arch: Architecture, settings: BoftSettings, targets: readonly string[]): string | null {
  for (const s of arch.stacks) {
    for (const l of matchingLinears(s, targets)) {
      const layout = boftLayout(l.inFeatures, settings);
      if ('error' in layout) return `${layout.error.replace(/\.$/, '')}: ${l.path} in ${arch.name}.`;
    }
  }
  return null;
}

/**
 * HF's `block_butterfly_perm(n, blocks, half, f)`: within every run of n/blocks entries, the
 * half-blocks (`half` entries each) are reordered evens first, then odds. f = 0 (one factor)
 * gives the identity. Entry j of the result is the source of row j: HF's `perm2mat` puts a 1 at
 * [j, perm[j]], so (P·x)[j] = x[perm[j]].
 */
export function butterflyPermutation(n: number, blocks: number, half: number, f: number): number[] {
  const identity = Array.from({ length: n }, (_, j) => j);
  if (f === 0) return identity;
  if (blocks * half * 2 > n) throw new RangeError('Invalid number of blocks!');
  const run = Math.floor(n / blocks);
  const pieces = run / half;
  const order: number[] = [];
  for (const parity of [0, 1]) for (let p = parity; p < pieces; p += 2) for (let k = 0; k < half; k++) order.push(p * half + k);
  return identity.map((j) => Math.floor(j / run) * run + order[j % run]!);
}

/** HF's permutation index lists P_0 … P_{m−1} for one map (factor i pairs groups of b·2ⁱ inputs). */
export function butterflyPermutations({ factors, blocks, size }: BoftLayout): number[][] {
  const n = blocks * size;
  return Array.from({ length: factors }, (_, i) => butterflyPermutation(n, blocks / 2 ** i, size / 2, factors - 1));
}

/**
 * One row permutation (Q·Z)[j] = Z[source[j]] as the 0/1 matrix it is, stored as its diagonal
 * block: `source` moves entries only within runs of `chunk`, the same way in every run, so Q is
 * n/chunk copies of one chunk × chunk block, and applying it costs chunk multiply-adds per entry.
 */
export interface RowPermutation {
  chunk: number;
  /** Row-major chunk × chunk block, block[j][source[j]] = 1. */
  block: Float32Array;
}

/** The smallest chunk in which `source` repeats (n itself at worst), as a `RowPermutation`. */
export function rowPermutation(source: readonly number[]): RowPermutation {
  const n = source.length;
  for (let chunk = 1; chunk <= n; chunk++) {
    if (n % chunk !== 0) continue;
    let repeats = true;
    for (let j = 0; j < n && repeats; j++) repeats = source[j % chunk]! < chunk && source[j]! - (j - (j % chunk)) === source[j % chunk]!;
    if (!repeats) continue;
    const block = new Float32Array(chunk * chunk);
    for (let j = 0; j < chunk; j++) block[j * chunk + source[j]!] = 1;
    return { chunk, block };
  }
  throw new RangeError('rowPermutation: not a permutation');
}

/**
 * The steps that compute R·Z = M_{m−1}···M_0·Z, M_i = Pᵢ·BD_i·Pᵢᵀ, from the right: before BD_i the
 * row permutation Pᵢᵀ·P_{i−1} (P_{−1} = I; adjacent permutations merged into one), after the last
 * factor P_{m−1}. Identities are left out (one factor: no permutation at all).
 */
export type RotationStep = { kind: 'blocks'; factor: number } | { kind: 'permute'; source: number[] };

export function rotationSteps(layout: BoftLayout): RotationStep[] {
  const perms = butterflyPermutations(layout);
  const n = layout.blocks * layout.size;
  const steps: RotationStep[] = [];
  const permute = (source: number[]) => {
    if (source.some((s, j) => s !== j)) steps.push({ kind: 'permute', source });
  };
  let previous = Array.from({ length: n }, (_, j) => j);
  perms.forEach((perm, i) => {
    const inverse = new Array<number>(n);
    perm.forEach((s, j) => (inverse[s] = j));
    // (Pᵢᵀ·P_{i−1}·Z)[j] = (P_{i−1}·Z)[inverse[j]] = Z[previous[inverse[j]]].
    permute(inverse.map((k) => previous[k]!));
    steps.push({ kind: 'blocks', factor: i });
    previous = perm;
  });
  permute(previous);
  return steps;
}

/**
 * HF's Cayley transform Q = (I − S)(I + S)⁻¹ for a batch of skew-symmetric S [blocks, b, b],
 * from matrix products only (TensorFlow.js has no differentiable inverse or solve), accurate for
 * any S rather than only near S = 0 as OFT's Neumann series is. Since S is skew, (I + S)(I − S) =
 * I − S² = M is symmetric with eigenvalues 1 + λ² ≥ 1 (±iλ those of S), so
 * Q = (I − S)²·M⁻¹. With c = 1 + ‖S‖²_F/4 (‖S‖²_F/2 bounds the largest λ²), E = I − M/c has
 * eigenvalues of size at most ρ = (c − 1)/c < 1, and M⁻¹ = (1/c)(I − E)⁻¹ = (1/c)·Π_{j<k}(I + E^(2^j))
 * up to a factor I − E^(2^k): k = 5 squarings leave an error of about ρ³² (below float32 rounding
 * for ‖S‖_F up to about 2, 10⁻⁵ at ‖S‖_F = 3). 10 batched b × b matMuls; S = 0 gives Q = I exactly.
 * Everything here is a polynomial in S, so the factors commute.
 */
export function cayleyBatch(tf: TF, s: tfTypes.Tensor3D, squarings = BOFT_SQUARINGS): tfTypes.Tensor3D {
  const b = s.shape[1];
  const eye = tf.eye(b); // broadcast over the blocks
  const s2 = tf.matMul(s, s);
  const scale = tf.add(1, tf.mul(tf.sum(tf.square(s), [1, 2], true), 0.25)); // c, [blocks, 1, 1]
  const e = tf.div(tf.add(tf.mul(eye, tf.sub(scale, 1)), s2), scale) as tfTypes.Tensor3D; // ((c − 1)I + S²)/c
  let power: tfTypes.Tensor3D = e;
  let inverse: tfTypes.Tensor3D = tf.add(eye, e);
  for (let j = 1; j < squarings; j++) {
    power = tf.matMul(power, power);
    inverse = tf.matMul(inverse, tf.add(eye, power));
  }
  const numerator = tf.add(tf.sub(eye, tf.mul(s, 2)), s2); // (I − S)²
  return tf.div(tf.matMul(numerator, inverse), scale);
}

/** The orthogonal blocks Q [m·N, b, b] from HF's boft_R [m, N, b, b] (or any stack of b × b
 * matrices A): the Cayley transform of S = ½(A − Aᵀ). */
export function boftBlocks(tf: TF, params: tfTypes.Tensor3D | tfTypes.Tensor4D): tfTypes.Tensor3D {
  const b = params.shape[params.rank - 1]!;
  const a = tf.reshape(params, [-1, b, b]) as tfTypes.Tensor3D;
  return cayleyBatch(tf, tf.mul(tf.sub(a, tf.transpose(a, [0, 2, 1])), 0.5));
}

/** A rotation step with its constant uploaded: the block-diagonal 0/1 matrix as [n/chunk, chunk, chunk]. */
export type RotationOp = { kind: 'blocks'; factor: number } | { kind: 'permute'; chunk: number; matrix: tfTypes.Tensor3D };

/** Uploads the permutation constants of `steps` once (the caller disposes them). */
export function rotationOps(tf: TF, steps: readonly RotationStep[]): RotationOp[] {
  return steps.map((step) => {
    if (step.kind === 'blocks') return step;
    const { chunk, block } = rowPermutation(step.source);
    const copies = step.source.length / chunk;
    const tiled = new Float32Array(copies * chunk * chunk);
    for (let c = 0; c < copies; c++) tiled.set(block, c * chunk * chunk);
    return { kind: 'permute', chunk, matrix: tf.tensor3d(tiled, [copies, chunk, chunk]) };
  });
}

/** R·Z for Z [in, k], with `blocks` Q [m·N, b, b] from `boftBlocks`: batched matMuls only. */
export function rotateRows(tf: TF, z: tfTypes.Tensor2D, blocks: tfTypes.Tensor3D, layout: BoftLayout, ops: readonly RotationOp[]): tfTypes.Tensor2D {
  const [n, k] = z.shape;
  const { blocks: count, size } = layout;
  let y: tfTypes.Tensor2D = z;
  for (const op of ops) {
    if (op.kind === 'blocks') {
      const q = tf.slice(blocks, [op.factor * count, 0, 0], [count, size, size]);
      y = tf.reshape(tf.matMul(q, tf.reshape(y, [count, size, k])), [n, k]);
    } else {
      y = tf.reshape(tf.matMul(op.matrix, tf.reshape(y, [n / op.chunk, op.chunk, k])), [n, k]);
    }
  }
  return y;
}

export const boft = defineMethod({
  id: 'boft',
  name: 'BOFT',
  hyperparams: [
    {
      key: 'blockSize',
      label: 'Block size b',
      help: 'Size of each orthogonal block (HF boft_block_size). Set this or the number of blocks, and the other to 0: b × blocks must equal every targeted map’s input width.',
      kind: 'int',
      min: 0,
      max: 4096,
      default: 4,
    },
    {
      key: 'blockNum',
      label: 'Blocks N',
      help: 'Number of blocks per butterfly factor (HF boft_block_num); 0 derives it from the block size.',
      kind: 'int',
      min: 0,
      max: 16384,
      default: 0,
    },
    {
      key: 'butterflyFactor',
      label: 'Butterfly factors m',
      help: 'How many butterfly factors make R (HF boft_n_butterfly_factor). 1 is OFT’s block-diagonal R; each further factor mixes groups twice as wide, and needs twice as many blocks.',
      kind: 'int',
      min: 1,
      max: 16,
      default: 1,
    },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps whose weights are rotated and rescaled, by their paths or names in the model.',
      kind: 'modules',
      // HF PEFT's BOFT defaults are LoRA's: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
  ],
  // Three factors of 4 × 4 blocks make R mix groups of 16 inputs.
  toyLearningRate: 5e-3,
  toyConfig: { blockSize: 4, butterflyFactor: 3, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // Abstract: "We apply this parameterization to OFT … By subsuming OFT as a special case".
  lineage: [{ id: 'oft', how: 'builds OFT’s orthogonal matrix from butterfly factors, so a dense rotation needs fewer parameters', where: 'abstract' }],
  anatomy: (arch, { butterflyFactor, targets }) =>
    attachAll(targetParts(arch, targets), 'added', butterflyFactor === 1 ? 'rotated by a block-diagonal orthogonal R; outputs rescaled' : `rotated by ${butterflyFactor} orthogonal butterfly factors; outputs rescaled`),
  notApplicable: (arch, { blockSize, blockNum, butterflyFactor, targets }) => layoutProblem(arch, { blockSize, blockNum, butterflyFactor }, targets),
  profile(arch, { blockSize, blockNum, butterflyFactor, targets }) {
    const tensors: TensorGroup[] = [];
    let addedMatmul = 0;
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) {
        const layout = boftLayout(l.inFeatures, { blockSize, blockNum, butterflyFactor });
        if ('error' in layout) continue; // notApplicable says why
        tensors.push({ shape: [layout.factors, layout.blocks, layout.size, layout.size], count: s.layers }, { shape: [l.outFeatures, 1], count: s.layers });
        // HF multiplies every token by the dense in × in rotation it builds (x @ boft_rotation).
        addedMatmul += s.layers * l.inFeatures * l.inFeatures;
      }
    }
    return {
      tensors,
      addedMatmul,
      // s's gradient reads the unscaled output of each targeted map (out values per token); R's
      // reads x, which the backbone keeps already.
      extraActivationValues: (stack) => matchingLinears(stack, targets).reduce((n, l) => n + l.outFeatures, 0),
    };
  },
  peft: ({ blockSize, blockNum, butterflyFactor, targets }, arch) => {
    const notes = [
      ...(arch.family === 'gpt2' ? ['HF PEFT’s BOFT wraps nn.Linear only, and GPT-2’s maps are Conv1D modules: it refuses these targets, where this count treats them as the Linear maps they are.'] : []),
      ...(butterflyFactor > 1 ? ['HF PEFT builds more than one butterfly factor only where its CUDA extension compiles; elsewhere it warns and uses one factor (OFT), which trains fewer parameters than counted here.'] : []),
    ];
    return {
      configClass: 'BOFTConfig',
      args: {
        boft_block_size: blockSize,
        boft_block_num: blockNum,
        boft_n_butterfly_factor: butterflyFactor,
        target_modules: peftTargetModules(arch, targets),
      },
      ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
    };
  },
  apply(model, { blockSize, blockNum, butterflyFactor, targets }) {
    const tf = model.tf;
    const problem = layoutProblem(model.arch, { blockSize, blockNum, butterflyFactor }, targets);
    if (problem) throw new RangeError(problem);
    const sites = toyTargetSites(model, targets).map((site) => ({ site, layout: boftLayout(site.inFeatures, { blockSize, blockNum, butterflyFactor }) as BoftLayout }));
    // The toy keeps the boft_R of all maps whose blocks have one size in one variable [Σ m·N, b, b]
    // (the numbers HF keeps in one [m, N, b, b] tensor per map, in map order), so a forward pass
    // runs the Cayley transform once per block size rather than once per map: far fewer ops.
    const blocksOfSize = new Map<number, number>();
    const firstBlock = sites.map(({ layout }) => {
      const first = blocksOfSize.get(layout.size) ?? 0;
      blocksOfSize.set(layout.size, first + layout.factors * layout.blocks);
      return first;
    });
    // A = 0: R = I exactly.
    const blockVars = new Map([...blocksOfSize].map(([size, count]) => [size, zerosVariable(tf, [count, size, size]) as tfTypes.Variable<tfTypes.Rank.R3>]));
    const scales: tfTypes.Variable[] = [];
    // Permutation constants depend only on the layout: built once per input width, freed in dispose().
    const opsByWidth = new Map<number, RotationOp[]>();
    const tunedWeights = new Map<string, (w: tfTypes.Tensor2D, q: ReadonlyMap<number, tfTypes.Tensor3D>) => tfTypes.Tensor2D>();
    sites.forEach(({ site, layout }, i) => {
      let ops = opsByWidth.get(site.inFeatures);
      if (!ops) {
        ops = rotationOps(tf, rotationSteps(layout));
        opsByWidth.set(site.inFeatures, ops);
      }
      const siteOps = ops;
      const { size } = layout;
      const begin = [firstBlock[i]!, 0, 0];
      const extent = [layout.factors * layout.blocks, size, size];
      // s = 1: with R = I the tuned model starts as the base model (HF init_weights = True).
      const s = tf.tidy(() => tf.variable(tf.ones([site.outFeatures, 1]), true)) as tfTypes.Variable<tfTypes.Rank.R2>;
      scales.push(s);
      // W' = (R·W)·diag(s): the matrix HF merges. Forming it costs in·out·(b + chunk) per factor,
      // and the forward pass then multiplies each token once, by W' in place of W.
      tunedWeights.set(site.weightName, (w, q) => {
        const mine = tf.slice(q.get(size)!, begin, extent);
        return tf.mul(rotateRows(tf, w, mine, layout, siteOps), tf.reshape(s, [1, site.outFeatures]));
      });
    });
    const allBlocks = () => new Map([...blockVars].map(([size, a]) => [size, boftBlocks(tf, a)]));
    const backup = weightBackup(
      model,
      sites.map(({ site }) => site.weightName),
    );
    // The blocks Q of the current forward pass (the context object is the same throughout one
    // pass); they are freed with the pass's tidy, and a new pass computes its own.
    let cache: { ctx: ForwardContext; q: Map<number, tfTypes.Tensor3D> } | null = null;
    const variables = [...blockVars.values(), ...scales];
    return {
      trainable: variables,
      hooks: {
        // The bias is another weight, so it stays unscaled, as in HF's forward.
        weight(name, w, ctx) {
          const tuned = tunedWeights.get(name);
          if (!tuned || backup.taken) return w;
          if (cache?.ctx !== ctx) cache = { ctx, q: allBlocks() };
          return tuned(w as tfTypes.Tensor2D, cache.q);
        },
      },
      merge() {
        if (backup.taken) return;
        backup.take();
        tf.tidy(() => {
          const q = allBlocks();
          for (const [name, tuned] of tunedWeights) {
            const w = model.weight(name) as tfTypes.Variable<tfTypes.Rank.R2>;
            w.assign(tuned(w, q));
          }
        });
      },
      unmerge: () => backup.restore(),
      dispose: () => {
        backup.dispose();
        cache = null;
        disposeAll(variables);
        for (const ops of opsByWidth.values()) for (const op of ops) if (op.kind === 'permute') op.matrix.dispose();
      },
    };
  },
});
