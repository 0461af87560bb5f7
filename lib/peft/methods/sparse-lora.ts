import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { combineApplied } from '../method-api/compose';
import { defineMethod } from '../method-api/define';
import { appliedDelta, deltaWeights } from '../method-api/delta-weight';
import { greBsmoSparse } from '../method-api/grebsmo';
import { type TensorGroup, groupsSize } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import type { AppliedMethod } from '../method-api/types';
import { normalVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { ToyModel } from '../model/transformer';
import { topK } from './fish-mask';
import { type LoraLikeConfig, applyLora, loraProfile } from './lora';

/**
 * Sparse LoRA, read as DSEE (Chen et al., 2021, "DSEE: Dually Sparsity-embedded Efficient Tuning
 * of Pre-trained Language Models", arXiv 2111.00160). The survey's v1 figure prints "Sparse LoRa"
 * in the overlap of the selective and reparametrization sets without a citation we could match;
 * DSEE is the paper whose update is exactly "a LoRA-style low-rank update plus a sparse one", so
 * the taxonomy takes it as the reference (marked uncertain there).
 *
 * Each targeted frozen map W gets ΔW = (α/r)·(A·B + S), A (in × r), B (r × out) trained in full
 * and S trained only at N positions per matrix that are fixed before training from a
 * low-rank-plus-sparse decomposition of the pretrained W (GreBsmo, method-api/grebsmo.ts): the N
 * largest entries of its sparse part. The rest of S stays exactly zero.
 *
 * Reference: VITA-Group/DSEE at 61844c3 (the BERT code under non-GPT-2/):
 * - src/transformers/models/bert/modeling_bert.py: query/value get `*_lora_a` (hidden → r),
 *   `*_lora_b` (r → hidden) and `*_lora_s` (hidden → hidden, no bias); the forward adds
 *   lora_b(lora_a(x))·α/r and lora_s(x)·α/r. Init: lora_a ~ N(0, 0.02²), lora_b = 0, lora_s = 0.
 * - examples/pytorch/text-classification/run_glue.py: defaults lora_alpha = 32, sparse_method =
 *   'grebsmo'; the mask is `torch.nn.utils.prune.custom_from_mask` on lora_s (weight = weight_orig ·
 *   mask), so the optimizer holds the dense weight_orig (AdamW state for every entry) while only
 *   the N masked entries ever move. The profile counts it that way: tensors hold the dense S,
 *   `trainable` counts N per matrix.
 * - the positions: `kthvalue` of |S| at numel − N + 1 and mask = |S| ≥ that value, which admits
 *   more than N on ties; we keep exactly N (ties to the earlier position, fish-mask's topK).
 * - scripts/*.sh and the README at b455a42: r = 16 and N = 16 or 64 (the README's example: 64) on
 *   bert-base-uncased, query and value only.
 * - DSEE's second half, pruning the final weights for inference (run_glue_prune_with_WAB.py: a
 *   second training stage after global magnitude pruning of the frozen maps, 20% in the scripts),
 *   changes no trainable count and is not run on the toy; the page describes it.
 */

export interface SparseLoraConfig {
  r: number;
  alpha: number;
  targets: readonly string[];
  sparse: number;
}

/** LoRA's settings for the low-rank half: no biases, one rank and α for every target. */
const loraPart = ({ r, alpha, targets }: SparseLoraConfig): LoraLikeConfig => ({ r, alpha, targets, bias: 'none', rankPattern: '', alphaPattern: '' });

/** Number of entries of S trained in one in × out matrix: N, or all of them in a smaller matrix. */
export function sparseEntries(inFeatures: number, outFeatures: number, n: number): number {
  return Math.min(n, inFeatures * outFeatures);
}

export function sparseLoraProfile(arch: Architecture, config: SparseLoraConfig) {
  const lora = loraProfile(arch, loraPart(config));
  const dense: TensorGroup[] = [];
  let sparse = 0;
  let matmul = 0;
  for (const s of arch.stacks) {
    for (const l of matchingLinears(s, config.targets)) {
      dense.push({ shape: [l.inFeatures, l.outFeatures], count: s.layers });
      sparse += s.layers * sparseEntries(l.inFeatures, l.outFeatures, config.sparse);
      // The reference multiplies x by the dense masked S (an nn.Linear).
      matmul += s.layers * l.inFeatures * l.outFeatures;
    }
  }
  const trainable = groupsSize(lora.tensors) + sparse;
  return {
    ...lora,
    // The optimizer holds LoRA's factors and the dense S (masked), as the reference's does.
    tensors: [...lora.tensors, ...dense],
    trainable,
    // The checkpoint: A and B, and for S its N values and their N positions (one index each).
    saved: [...lora.tensors, { shape: [sparse], count: 2 }],
    addedMatmul: lora.addedMatmul + matmul,
  };
}

function sparseLoraAnatomy(arch: Architecture, { r, sparse, targets }: SparseLoraConfig): Attachment[] {
  return attachAll(targetParts(arch, targets), 'added', `rank-${r} BA plus ${sparse} fixed sparse entries`);
}

/**
 * The N positions of one map's sparse update: the largest entries of GreBsmo's sparse part of W,
 * decomposed as PyTorch stores it (out × in, so on Wᵀ here), returned as a 0/1 mask in the toy's
 * in × out layout.
 */
export function sparsePositions(w: Float32Array, inFeatures: number, outFeatures: number, n: number, seed: number): Uint8Array {
  const t = new Float64Array(inFeatures * outFeatures);
  for (let i = 0; i < inFeatures; i++) for (let j = 0; j < outFeatures; j++) t[j * inFeatures + i] = w[i * outFeatures + j]!;
  const s = greBsmoSparse(t, outFeatures, inFeatures, { seed });
  const scores = new Float32Array(s.length);
  // Back to in × out.
  for (let j = 0; j < outFeatures; j++) for (let i = 0; i < inFeatures; i++) scores[i * outFeatures + j] = Math.abs(s[j * inFeatures + i]!);
  return topK(scores, sparseEntries(inFeatures, outFeatures, n));
}

/**
 * On the toy: LoRA through `applyLora` (A from N(0, 0.02²) as the reference's BERT init, B zero),
 * and S as a second weight delta whose variable is dense and zero, with a gradient mask of its N
 * positions (our AdamW masks the whole update, so S is exactly zero elsewhere after any number of
 * steps). Merging folds both into W; unmerging restores it exactly.
 */
export function applySparseLora(model: ToyModel, config: SparseLoraConfig, { seed = 0 }: { seed?: number } = {}): AppliedMethod {
  const tf = model.tf;
  const rng = createRng(seed);
  const lora = applyLora(model, loraPart(config), {
    seed,
    init: (site, rank) => ({ a: normalVariable(tf, rng, [site.inFeatures, rank], 0.02), b: zerosVariable(tf, [rank, site.outFeatures]) }),
  });
  const scale = config.alpha / config.r;
  const sparse: tfTypes.Variable[] = [];
  const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
  const delta = deltaWeights(model, toyTargetSites(model, config.targets), (site) => {
    const w = model.weight(site.weightName).dataSync() as Float32Array;
    const mask = sparsePositions(w, site.inFeatures, site.outFeatures, config.sparse, seed);
    const s = zerosVariable(tf, [site.inFeatures, site.outFeatures]);
    sparse.push(s);
    masks.set(s, tf.tensor2d(Float32Array.from(mask), [site.inFeatures, site.outFeatures]));
    return {
      matrix: () => tf.mul(s, scale),
      forward: (x) => tf.mul(tf.matMul(x, s), scale),
    };
  });
  const sparseApplied = appliedDelta(model, delta, sparse);
  return combineApplied(tf, [
    lora,
    {
      ...sparseApplied,
      gradientMasks: masks,
      dispose: () => {
        sparseApplied.dispose();
        tf.dispose([...masks.values()]);
        masks.clear();
      },
    },
  ]);
}

export const sparseLora = defineMethod({
  id: 'sparse-lora',
  name: 'Sparse LoRA (DSEE)',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the low-rank part AB (DSEE’s scripts use 16).', kind: 'int', min: 1, max: 1024, default: 16 },
    { key: 'alpha', label: 'Alpha α', help: 'Both parts of the update are scaled by α/r (the reference code’s default α is 32).', kind: 'number', min: 0.01, max: 4096, default: 32 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get the low-rank plus sparse update (DSEE: query and value).',
      kind: 'modules',
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
    {
      key: 'sparse',
      label: 'Sparse entries N',
      help: 'Entries of the sparse part S trained in each targeted matrix, at the positions where a low-rank-plus-sparse decomposition of the pretrained weight leaves its largest residuals (the README’s example: 64).',
      kind: 'int',
      min: 1,
      max: 1_000_000,
      default: 64,
    },
  ],
  // No rankParam: /compare's low-rank family is the taxonomy's 'low-rank' subgroup, and Sparse
  // LoRA is filed as a hybrid.
  // The reference's A ~ N(0, 0.02²) is small beside the toy's 64-wide inputs; a rank of 4 and a
  // higher rate train it within the playground's default run.
  toyConfig: { r: 4, alpha: 8 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    atInference: 'Unmerged, the reference code keeps each S as a dense masked matrix: a full extra d_in × d_out matrix per targeted map besides A and B.',
    countNote: ({ r, sparse }) => `The count is LoRA’s at rank ${r} plus the chosen N = ${sparse} sparse entries in each targeted matrix; which entries, a decomposition of the pretrained weight decides.`,
  },
  // The DSEE paper's text could not be read here (only its abstract and code); its code builds on
  // LoRA's A and B, but the lineage records a parent only where the paper itself states it.
  lineage: [],
  anatomy: sparseLoraAnatomy,
  profile: sparseLoraProfile,
  apply: applySparseLora,
});
