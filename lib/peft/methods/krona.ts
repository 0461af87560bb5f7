import type * as tfTypes from '@tensorflow/tfjs';
import { matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { appliedDelta, deltaWeights } from '../method-api/delta-weight';
import { kron } from '../method-api/linalg';
import type { TensorGroup } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import { uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * KronA (Edalati et al., 2022, arXiv 2212.10650): LoRA's low-rank product replaced by a Kronecker
 * product. A frozen map W (in × out, our x·W layout) gains ΔW = s·(A ⊗ B) with A (a₁ × a₂) and
 * B (in/a₁ × out/a₂), so h = x·W + s·x·(A ⊗ B). rank(A ⊗ B) = rank A · rank B: two small factors can
 * give a full-rank update, where a low-rank product of the same size cannot. After training A ⊗ B
 * is added into W, so nothing remains at inference.
 *
 * There is no HF PEFT class for KronA: HF's LoKr (LyCORIS) is a different factorisation (it splits
 * each side by `factorization(dim, decompose_factor)`, writes the larger factor as a rank-r product
 * w2_a·w2_b and scales by α/r). The survey authors' own experiments ran "KronA" as LoKr
 * (peft_comparison/mappings.py, `hf_krona`); this file follows the KronA paper instead.
 *
 * What we could and could not read of the paper (its full text was not available to us; the
 * survey's §10.3 and the paper's abstracts were):
 * - The update ΔW = A ⊗ B with a scale s, and the product x·(A ⊗ B) computed without forming ΔW
 *   (the survey's §10.3 pseudocode: reshape x to a matrix, multiply by the factors on both sides,
 *   flatten). Here X = x reshaped to a₁ × (in/a₁); x·(A ⊗ B) = vec(Aᵀ·X·B), row-major; in the
 *   paper's column-vector notation, (A ⊗ B)x = vec(B·X·Aᵀ).
 * - Its targets: the workshop version's abstract calls KronA "a Kronecker equivalent of LoRA", so
 *   we take LoRA's defaults (q and v, or the fused qkv map). Our simplest reading, not a quote.
 * - Factor shapes: how the paper picks them for a d×d and a d×4d map we could not read. Our
 *   simplest reading: one shape of A for every targeted map (a₁ × a₂, default 16 × 16), B takes the
 *   rest. Where a₁ does not divide a map's width, A uses gcd(a₁, in) rows (gcd(a₂, out) columns);
 *   16 divides every width of the seven reference families, so that rule never acts there.
 * - Initialisation: ours, so that training starts from the pretrained function as LoRA's does:
 *   A uniform in ±1/√a₁, B zero.
 * - The paper's other variants, KronA^B and KronA^B_res (a Kronecker module beside the FFN block,
 *   the latter with a residual connection and a scale), are the taxonomy's separate `krona-res`.
 */

/** The factor shapes on one map: A [a₁, a₂] and B [in/a₁, out/a₂] (see the file comment). */
export function kronaShapes(inFeatures: number, outFeatures: number, a1: number, a2: number): { a: [number, number]; b: [number, number] } {
  const rows = gcd(inFeatures, a1);
  const cols = gcd(outFeatures, a2);
  return { a: [rows, cols], b: [inFeatures / rows, outFeatures / cols] };
}

function gcd(x: number, y: number): number {
  let [p, q] = [x, y];
  while (q !== 0) [p, q] = [q, p % q];
  return p;
}

/**
 * x·(A ⊗ B) for x [n, a₁·b₁], A [a₁, a₂], B [b₁, b₂] without forming the Kronecker product: with X_t
 * the t-th row of x as an a₁ × b₁ matrix, the row is vec(Aᵀ·X_t·B). Two 2-D matMuls and two 3-D
 * transposes (no gather), a₁·b₁·b₂ + a₁·a₂·b₂ multiply-adds per token instead of in·out.
 */
export function kroneckerRows(tf: TF, x: tfTypes.Tensor2D, a: tfTypes.Tensor2D, b: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const n = x.shape[0];
  const [a1, a2] = a.shape;
  const [b1, b2] = b.shape;
  const xb = tf.matMul(tf.reshape(x, [n * a1, b1]), b); // X_t·B, [n·a₁, b₂]
  const byColumn = tf.transpose(tf.reshape(xb, [n, a1, b2]), [0, 2, 1]); // [n, b₂, a₁]
  const ya = tf.matMul(tf.reshape(byColumn, [n * b2, a1]), a); // (X_t·B)ᵀ·A, [n·b₂, a₂]
  return tf.reshape(tf.transpose(tf.reshape(ya, [n, b2, a2]), [0, 2, 1]), [n, a2 * b2]);
}

export const krona = defineMethod({
  id: 'krona',
  name: 'KronA',
  hyperparams: [
    {
      key: 'a1',
      label: 'Rows of A (a₁)',
      help: 'A is a₁ × a₂ on every targeted map and B takes the rest, (in/a₁) × (out/a₂). Where a₁ does not divide a map\'s input width, A uses their greatest common divisor.',
      kind: 'int',
      min: 1,
      max: 1024,
      default: 16,
    },
    {
      key: 'a2',
      label: 'Columns of A (a₂)',
      help: 'A\'s width on the output side; B has out/a₂ columns (the greatest common divisor is used where a₂ does not divide the output width).',
      kind: 'int',
      min: 1,
      max: 1024,
      default: 16,
    },
    { key: 'scale', label: 'Scale s', help: 'The update is s·(A ⊗ B).', kind: 'number', min: 0.01, max: 100, default: 1 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get a Kronecker update, by their paths or names in the model.',
      kind: 'modules',
      // LoRA's targets (see the file comment): q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
  ],
  // 8 × 8 factors on the toy's 64-wide maps (B 8 × 8, or 8 × 32 on fc1): a full-rank update with
  // fewer scalars than LoRA's rank 8, at about LoRA's cost per step.
  toyConfig: { a1: 8, a2: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  toyLearningRate: 5e-3,
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [{ id: 'lora', how: 'replaces the low-rank product of LoRA with a Kronecker product of two small matrices', where: 'abstract' }],
  anatomy: (arch, { targets }) => attachAll(targetParts(arch, targets), 'added', 'Kronecker update A ⊗ B'),
  profile(arch, { a1, a2, targets }) {
    const tensors: TensorGroup[] = [];
    let addedMatmul = 0;
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) {
        const { a, b } = kronaShapes(l.inFeatures, l.outFeatures, a1, a2);
        tensors.push({ shape: a, count: s.layers }, { shape: b, count: s.layers });
        // Multiply-adds per token of kroneckerRows: X·B, then Aᵀ·(X·B).
        addedMatmul += s.layers * (l.inFeatures * b[1] + a[0] * a[1] * b[1]);
      }
    }
    return {
      tensors,
      addedMatmul,
      // X·B (a₁ × b₂ values per token) is kept for A's gradient; B's gradient reads x, which the
      // frozen map it feeds keeps already.
      extraActivationValues: (stack) =>
        matchingLinears(stack, targets).reduce((n, l) => {
          const { a, b } = kronaShapes(l.inFeatures, l.outFeatures, a1, a2);
          return n + a[0] * b[1];
        }, 0),
    };
  },
  apply(model, { a1, a2, scale, targets }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const factors: tfTypes.Variable[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const shapes = kronaShapes(site.inFeatures, site.outFeatures, a1, a2);
      const a = uniformVariable(tf, rng, shapes.a, 1 / Math.sqrt(shapes.a[0])) as tfTypes.Variable<tfTypes.Rank.R2>;
      const b = zerosVariable(tf, shapes.b) as tfTypes.Variable<tfTypes.Rank.R2>;
      factors.push(a, b);
      return {
        // Forming A ⊗ B is only for merging.
        matrix: () => tf.mul(kron(tf, a, b), scale),
        forward: (x) => tf.mul(kroneckerRows(tf, x, a, b), scale),
      };
    });
    return appliedDelta(model, delta, factors);
  },
});
