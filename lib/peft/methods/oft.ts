import type * as tfTypes from '@tensorflow/tfjs';
import { matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { cayleyNeumann, skewParamCount, skewSymmetric } from '../method-api/linalg';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import type { TensorGroup } from '../method-api/profile';
import { peftTargetModules } from '../method-api/peft-export';
import { toyTargetSites } from '../method-api/toy-sites';
import { disposeAll, zerosVariable } from '../model/params';
import type { TF } from '../model/transformer';

/**
 * OFT, Orthogonal Finetuning (Qiu et al., 2023): a frozen linear map W is multiplied by a learned
 * orthogonal matrix R, so the angles between its neurons (the hyperspherical energy) are kept.
 * R is block-diagonal, r blocks of size b = in/r, each the Cayley transform of a skew-symmetric S
 * built from b(b−1)/2 trained numbers; S = 0 at start, so R = I and training starts from the
 * pretrained function. After training R·W can be written into W: nothing is left at inference.
 *
 * Follows HF PEFT's OFT as of huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40
 * (src/peft/tuners/oft/config.py and layer.py):
 * - The rotation acts on the input side: HF rotates x block by block (x·R) and then applies the
 *   base layer, so in our x·W layout (W is [in, out]) the tuned map is W' = R·W, ΔW = (R − I)·W.
 * - Block size or r: exactly one is set; `oft_block_size` defaults to 32 and r is then in/32. A size
 *   that does not divide `in_features` is moved to the nearest divisor (`adjust_oft_parameters`).
 *   Unlike HF, which rejects both set, our r wins when it is not 0 (so the calculator's two
 *   controls cannot conflict).
 * - Parameters: one [r, b(b−1)/2] tensor per targeted map (the strict upper triangle of each
 *   block's S), no bias (`bias = "none"`).
 * - R from the Cayley–Neumann series (`use_cayley_neumann = True`, `num_cayley_neumann_terms` = 5),
 *   HF's defaults. The exact Cayley transform (a matrix inverse) is not offered: tfjs has no
 *   differentiable inverse or solve.
 * - Only HF's defaults for `coft` (off), `block_share` (off) and `module_dropout` (0).
 * - Default targets: HF's OFT table is a copy of LoRA's (constants.py), so q and v, or the fused
 *   qkv map. HF's OFT wraps only nn.Linear (and Conv2d, Embedding), so on GPT-2, whose c_attn is a
 *   Conv1D, HF refuses the default; we count it as the Linear of that shape it is.
 */

/** HF's `adjust_oft_parameters`: the divisor of n nearest to p (the lower one on a tie), n when p ≥ n. */
export function nearestDivisor(n: number, p: number): number {
  if (p >= n) return n;
  let higher = p;
  while (higher <= n && n % higher !== 0) higher++;
  let lower = p;
  while (lower > 1 && n % lower !== 0) lower--;
  return p - lower <= higher - p ? lower : higher;
}

/** The blocks of one targeted map with `in` input features, as HF resolves r and the block size. */
export function oftBlocks(inFeatures: number, r: number, blockSize: number): { r: number; b: number } {
  if (r > 0) {
    const blocks = inFeatures % r === 0 && r <= inFeatures ? r : nearestDivisor(inFeatures, r);
    return { r: blocks, b: inFeatures / blocks };
  }
  const b = inFeatures % blockSize === 0 && blockSize <= inFeatures ? blockSize : nearestDivisor(inFeatures, blockSize);
  return { r: inFeatures / b, b };
}

/** The HF `num_cayley_neumann_terms` T as linalg's `terms` (HF builds (I + S)·Σ_{k=0..T−2} Sᵏ; T = 3 builds the same as 4). */
export const linalgTerms = (hfTerms: number): number => Math.max(2, hfTerms - 2);

/** R [r, b, b] from the trained upper triangles [r, b(b−1)/2]. */
export function oftRotation(tf: TF, params: tfTypes.Tensor2D, b: number, hfTerms: number): tfTypes.Tensor3D {
  return cayleyNeumann(tf, skewSymmetric(tf, params, b), linalgTerms(hfTerms));
}

/** Rows of x [n, r·b] rotated block by block: (x·R) with R block-diagonal, [r, b, b]. */
function rotateRows(tf: TF, x: tfTypes.Tensor2D, rot: tfTypes.Tensor3D): tfTypes.Tensor2D {
  const [n, width] = x.shape;
  const [r, b] = rot.shape;
  const blocks = tf.transpose(tf.reshape(x, [n, r, b]), [1, 0, 2]) as tfTypes.Tensor3D; // [r, n, b]
  return tf.reshape(tf.transpose(tf.matMul(blocks, rot), [1, 0, 2]), [n, width]);
}

/** R·W for W [r·b, out] and R block-diagonal [r, b, b]: each block of b rows is rotated. */
function rotateWeight(tf: TF, w: tfTypes.Tensor2D, rot: tfTypes.Tensor3D): tfTypes.Tensor2D {
  const [width, out] = w.shape;
  const [r, b] = rot.shape;
  return tf.reshape(tf.matMul(rot, tf.reshape(w, [r, b, out])), [width, out]);
}

export const oft = defineMethod({
  id: 'oft',
  name: 'OFT',
  hyperparams: [
    {
      key: 'blockSize',
      label: 'Block size b',
      help: 'Size of each orthogonal block (HF oft_block_size); moved to the nearest divisor of the input width if it does not divide it. Ignored when r is set.',
      kind: 'int',
      min: 1,
      max: 256,
      default: 32,
    },
    {
      key: 'r',
      label: 'Blocks r',
      help: 'Number of blocks per map (HF r); 0 derives it from the block size, r = in/b.',
      kind: 'int',
      min: 0,
      max: 8192,
      default: 0,
    },
    {
      key: 'neumannTerms',
      label: 'Cayley–Neumann terms',
      help: 'HF num_cayley_neumann_terms: how many terms approximate the Cayley transform (more: closer to orthogonal).',
      kind: 'int',
      min: 3,
      max: 12,
      default: 5,
    },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps whose weights are rotated, by their paths or names in the model.',
      kind: 'modules',
      // HF PEFT's OFT defaults are LoRA's: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
  ],
  // Every map with blocks of 16 trains the toy well at a rate that keeps ‖S‖ small, so the 5-term
  // series stays close to orthogonal (RᵀR − I ≈ 1e-3 after 40 steps; at 1e-2 it reaches 0.1).
  toyLearningRate: 2e-3,
  toyConfig: { blockSize: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [],
  anatomy: (arch, { targets }) => attachAll(targetParts(arch, targets), 'added', 'weight rotated by a learned orthogonal matrix'),
  profile(arch, { r, blockSize, targets }) {
    const tensors: TensorGroup[] = [];
    let addedMatmul = 0;
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) {
        const blocks = oftBlocks(l.inFeatures, r, blockSize);
        tensors.push({ shape: [blocks.r, skewParamCount(blocks.b)], count: s.layers });
        // x·R multiplies each token by the r dense b × b blocks of R.
        addedMatmul += s.layers * blocks.r * blocks.b * blocks.b;
      }
    }
    // x·R need not be kept: the frozen W needs no input for its gradient, and R's gradient reads x,
    // which the backbone keeps already.
    return { tensors, addedMatmul };
  },
  // Our r and block size mean HF's r and oft_block_size (blocks per map, and their size); HF
  // takes exactly one non-zero, so the other is written as 0: r when r is set (ours wins then),
  // else the block size. Both are moved to a divisor of in_features the same way.
  peft: ({ r, blockSize, neumannTerms, targets }, arch) => ({
    configClass: 'OFTConfig',
    args: {
      r,
      oft_block_size: r > 0 ? 0 : blockSize,
      target_modules: peftTargetModules(arch, targets),
      use_cayley_neumann: true,
      num_cayley_neumann_terms: neumannTerms,
    },
    ...(arch.family === 'gpt2'
      ? { note: 'HF PEFT\'s OFT wraps nn.Linear only, and GPT-2\'s maps are Conv1D modules: it refuses these targets, where this count treats them as the Linear maps they are.' }
      : {}),
  }),
  apply(model, { r, blockSize, neumannTerms, targets }) {
    const tf = model.tf;
    const params: tfTypes.Variable[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const { r: blocks, b } = oftBlocks(site.inFeatures, r, blockSize);
      // S = 0: R = I exactly, so the tuned model starts as the base model (HF init_weights = True).
      const upper = zerosVariable(tf, [blocks, skewParamCount(b)]);
      params.push(upper);
      const rotation = () => oftRotation(tf, upper as tfTypes.Variable<tfTypes.Rank.R2>, b, neumannTerms);
      return {
        // (R − I)·W, for merging.
        matrix: (w) => tf.sub(rotateWeight(tf, w, rotation()), w),
        // x·(R − I)·W = (x·R − x)·W: rotating x costs r·b² per token, forming R·W would cost in·out·b.
        forward: (x, w) => tf.matMul(tf.sub(rotateRows(tf, x, rotation()), x), w),
      };
    });
    return {
      trainable: params,
      hooks: delta.hooks,
      merge: delta.merge,
      unmerge: delta.unmerge,
      dispose: () => {
        delta.dispose();
        disposeAll(params);
      },
    };
  },
});
