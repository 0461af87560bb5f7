import type * as tfTypes from '@tensorflow/tfjs';
import { attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { appliedDelta, deltaWeights } from '../method-api/delta-weight';
import { kron } from '../method-api/linalg';
import { lycorisExport, lycorisHyperparams, lycorisRefusal, lycorisSites } from '../method-api/lycoris';
import { patternValue, readPattern } from '../method-api/pattern';
import type { TensorGroup } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import { uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

/**
 * LoKr, the low-rank Kronecker product of the LyCORIS library (Yeh et al., ICLR 2024), as HF PEFT
 * implements it at huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40
 * (src/peft/tuners/lokr/config.py, layer.py, model.py; lycoris_utils.py). For a Linear with
 * weight [out, in] (HF's layout):
 *
 *   in  = c·d  with (c, d) = factorization(in,  decompose_factor)
 *   out = a·b  with (a, b) = factorization(out, decompose_factor)
 *   W1: a × c  (lokr_w1; or lokr_w1_a a × r · lokr_w1_b r × c when decompose_both and r < max(a, c)/2)
 *   W2: b × d  (lokr_w2; or lokr_w2_a b × r · lokr_w2_b r × d when r < max(b, d)/2)
 *   ΔW = (α/r) · W1 ⊗ W2,  [a·b, c·d] = [out, in]
 *
 * rank(W1 ⊗ W2) = rank W1 · rank W2, so a small W1 and a rank-r W2 can give ΔW a high rank.
 * - LoKrConfig defaults: r = 8, alpha = 8, decompose_both = False, decompose_factor = −1 (split each
 *   width near its square root), targets LoRA's table (q and v). The scale is α/r even when W2 is
 *   a full matrix.
 * - Init (init_weights = True): W1 (or lokr_w1_a) zeros, every other factor Kaiming-uniform
 *   (a = √5: U(±1/√fan_in)), so ΔW = 0 at the start. (init_weights = "lycoris" zeros W2's side
 *   instead; not offered.)
 * - HF also wraps nn.Conv1d and nn.Conv2d (kernel dimensions on W2, or the CP form with lokr_t2),
 *   which transformer blocks do not have, and refuses anything else, transformers' Conv1D (GPT-2)
 *   included: refused here too. rank_dropout and module_dropout stay at 0.
 * - The forward pass forms ΔW and adds x·ΔWᵀ (HF's `F.linear`), as the toy does, with linalg's kron.
 */

/**
 * HF PEFT's `factorization(dimension, factor)` (lokr/layer.py, from LyCORIS): with a positive
 * factor that divides the dimension, (factor, dimension/factor) as given, even when the first is
 * larger; otherwise it walks the divisors m upwards while m ≤ factor (any m for −1) and m < n, and
 * returns the last pair, smaller first. For −1 that is the pair of divisors nearest √dimension.
 * (Its `length` test, m + n > dimension + 1, can never stop the walk, so it is left out.)
 */
export function factorization(dimension: number, factor = -1): [number, number] {
  if (factor > 0 && dimension % factor === 0) return [factor, dimension / factor];
  const limit = factor === -1 ? dimension : factor;
  let [m, n] = [1, dimension];
  while (m < n) {
    let next = m + 1;
    while (dimension % next !== 0) next++;
    if (next > limit) break;
    [m, n] = [next, dimension / next];
  }
  return m > n ? [n, m] : [m, n];
}

/** One factor of the Kronecker product: a full rows × cols matrix, or a product of rows × r and r × cols. */
export interface KronFactor {
  rows: number;
  cols: number;
  lowRank: boolean;
}

export interface LokrShapes {
  /** W1: a × c, a and c the first parts of out and in. */
  w1: KronFactor;
  /** W2: b × d. */
  w2: KronFactor;
}

/** W1's and W2's shapes for a Linear in → out, as LoKrLayer.update_layer decides them. */
export function lokrShapes(inFeatures: number, outFeatures: number, r: number, decomposeBoth: boolean, decomposeFactor: number): LokrShapes {
  const [c, d] = factorization(inFeatures, decomposeFactor);
  const [a, b] = factorization(outFeatures, decomposeFactor);
  return {
    w1: { rows: a, cols: c, lowRank: decomposeBoth && r < Math.max(a, c) / 2 },
    w2: { rows: b, cols: d, lowRank: r < Math.max(b, d) / 2 },
  };
}

/** The trained tensors of one factor in HF's layout. */
function factorTensors(f: KronFactor, r: number, count: number): TensorGroup[] {
  return f.lowRank ? [{ shape: [f.rows, r], count }, { shape: [r, f.cols], count }] : [{ shape: [f.rows, f.cols], count }];
}

/** LoKrConfig's own options beyond LycorisConfig's. */
const LOKR_OPTIONS = [
  {
    key: 'decomposeBoth',
    label: 'Decompose both factors',
    help: 'HF decompose_both: also write W1 as a rank-r product where r is less than half its larger side.',
    kind: 'choice',
    options: [
      { value: 'no', label: 'No: W1 is a full matrix (HF default)' },
      { value: 'yes', label: 'Yes: W1 low-rank too' },
    ],
    default: 'no',
  },
  {
    key: 'decomposeFactor',
    label: 'Decompose factor f',
    help: 'HF decompose_factor: how each width is split in two. −1 splits near its square root; an f that divides it gives (f, width/f); otherwise the largest divisor up to f.',
    kind: 'int',
    min: -1,
    max: 8192,
    default: -1,
  },
] as const;

export const lokr = defineMethod({
  id: 'lokr',
  name: 'LoKr',
  hyperparams: [
    ...lycorisHyperparams('Rank of W2 (and of W1 with both decomposed) where it is written as a product; a factor whose sides are both at most 2r stays a full matrix.'),
    ...LOKR_OPTIONS,
  ],
  rankParam: 'r',
  // Every map of the toy: a 64 × 64 map splits into 8 × 8 factors, both full at r = 8 (128
  // numbers per map), so the toy needs all of them and a rate well above LoRA's.
  toyLearningRate: 2e-2,
  toyConfig: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // LyCORIS paper §3.2: "an extension of the KronA technique ... (Edalati et al., 2022)".
  lineage: [{ id: 'krona', how: 'extends the Kronecker update to convolutions, with an optional low-rank right factor', where: '§3.2' }],
  anatomy: (arch, { targets }) => attachAll(targetParts(arch, targets), 'added', 'Kronecker product update W1 ⊗ W2'),
  notApplicable: (arch, { targets }) => lycorisRefusal('LoKr', arch, targets),
  profile(arch, config) {
    const tensors: TensorGroup[] = [];
    let addedMatmul = 0;
    for (const s of lycorisSites(arch, config)) {
      const { w1, w2 } = lokrShapes(s.inFeatures, s.outFeatures, s.r, config.decomposeBoth === 'yes', config.decomposeFactor);
      tensors.push(...factorTensors(w1, s.r, s.count), ...factorTensors(w2, s.r, s.count));
      // HF multiplies each token by the formed ΔW (in × out).
      addedMatmul += s.count * s.inFeatures * s.outFeatures;
    }
    // As LoHa: x is kept by the frozen map already; the formed ΔW held per map and step is not modelled.
    return { tensors, addedMatmul };
  },
  peft: (c, arch) => lycorisExport('LoKrConfig', 'LoKr', c, arch, { decompose_both: c.decomposeBoth === 'yes', decompose_factor: c.decomposeFactor }),
  apply(model, { r, alpha, targets, rankPattern, alphaPattern, decomposeBoth, decomposeFactor }, { seed = 0 } = {}) {
    const tf = model.tf;
    const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
    const rng = createRng(seed);
    const factors: tfTypes.Variable[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const rr = patternValue(ranks, site.path, r);
      const scale = patternValue(alphas, site.path, alpha) / rr;
      const { w1, w2 } = lokrShapes(site.inFeatures, site.outFeatures, rr, decomposeBoth === 'yes', decomposeFactor);
      // Each factor transposed ([cols, rows]), so that W1ᵀ ⊗ W2ᵀ = (W1 ⊗ W2)ᵀ is ΔW in our x·W layout.
      // W1's side is zero (lokr_w1, or lokr_w1_a), W2's Kaiming-uniform: bounds 1/√(fan_in of HF's tensor).
      const transposed = (f: KronFactor, zeroSide: boolean): (() => tfTypes.Tensor2D) => {
        if (!f.lowRank) {
          const w = zeroSide ? zerosVariable(tf, [f.cols, f.rows]) : uniformVariable(tf, rng, [f.cols, f.rows], 1 / Math.sqrt(f.cols));
          factors.push(w);
          return () => w as tfTypes.Variable<tfTypes.Rank.R2>;
        }
        const fa = zeroSide ? zerosVariable(tf, [rr, f.rows]) : uniformVariable(tf, rng, [rr, f.rows], 1 / Math.sqrt(rr)); // HF *_a: rows × r
        const fb = uniformVariable(tf, rng, [f.cols, rr], 1 / Math.sqrt(f.cols)); // HF *_b: r × cols
        factors.push(fa, fb);
        return () => tf.matMul(fb, fa);
      };
      const w1t = transposed(w1, true);
      const w2t = transposed(w2, false);
      return { matrix: () => tf.mul(kron(tf, w1t(), w2t()), scale) as tfTypes.Tensor2D };
    });
    return appliedDelta(model, delta, factors);
  },
});
