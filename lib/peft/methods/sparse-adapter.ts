import type * as tfTypes from '@tensorflow/tfjs';
import { totalLayers } from '../arch';
import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { CalibrationContext } from '../method-api/types';
import type { ModelHooks } from '../model/hooks';
import { disposeAll } from '../model/params';
import { createRng } from '../model/random';
import { bottleneckAdapters, bottleneckForward, bottleneckTensors, sitesOf } from './adapters';
import { topK } from './fish-mask';

/**
 * SparseAdapter (He, Ding, Dong, Zhang & Tao, 2022, Findings of EMNLP, arXiv 2210.04284): bottleneck
 * adapters pruned once, at initialisation, to a sparse ratio s, then trained with the pruned
 * entries held at zero. The "Large-Sparse" setting widens the bottleneck with the sparsity, so that
 * a wider but sparser adapter keeps the dense adapter's budget (the paper's example: twice the
 * width at 50% sparsity, §1); our width is round(m / (1 − s)).
 *
 * Reference: the authors' code, Shwai-He/SparseAdapter at b19008432c5983ecae3f054e74aa8a1dac19f28a
 * (built on He et al.'s unify-parameter-efficient-tuning code):
 * - criteria (src/transformers/pruning/pruners.py, prune.py): `rand` (Gaussian scores), `mag`
 *   (|θ|), `snip` (|θ ⊙ Σ_batches ∂L/∂θ|, the gradient with respect to a mask of ones), `grasp`
 *   and `synflow`. `rand` is the default of petl/options.py and of every example script; the
 *   abstract names SNIP at 40% as a good choice, and SNIP is our default. We implement rand, mag
 *   and snip; GraSP needs a Hessian-gradient product (a second backward pass through the first),
 *   and the code's SynFlow is written for RoBERTa's adapter modules only.
 * - what is masked (pruning/generator.py `masked_parameters`): the weight matrices of every
 *   adapter (`down_mask`, `up_mask` buffers of `Adapter_Layer`; LoRA's A and B where LoRA is the
 *   adapter), not the biases (nor the adapter's own LayerNorm). The forward pass multiplies each
 *   matrix by its mask (petl/petl_factory.py), so a pruned entry gets no gradient.
 * - one global threshold over all adapters (`mask_scope` default 'global'). The code's
 *   `--sparsity` is the share KEPT ("the non-zero rate in adapters", default 0.5; 1 means no
 *   pruning); `_global_mask` prunes k = ceil((1 − sparsity)·N) entries, those with scores at or
 *   below the k-th smallest. Our hyperparameter s is the paper's sparse ratio, the share PRUNED:
 *   we prune ceil((1 − (1 − s))·N), the same double arithmetic as the code run with
 *   `--sparsity 1−s`, and keep N minus that. Ties at the threshold (which the code prunes all of)
 *   go by position, so the mask holds exactly that many.
 * - one pruning pass before the first epoch (`prune_iterations` 1, `prune_epochs` 1), SNIP's
 *   gradients summed over the batches of a pruning split of the training set; ours over the run's
 *   calibration batches, in `calibrate`. Random and magnitude scores need no data and are taken in
 *   `apply`.
 *
 * The adapters are ours (adapters.ts: Houlsby placement, swish, std 1e-3, no LayerNorm), so the
 * count follows AdapterHub's Houlsby shapes; the reference's adapter (He et al.'s `Adapter_Layer`,
 * after the attention and FFN outputs in the GLUE scripts, width 64) adds a trained LayerNorm of
 * 2·h per adapter and uses ReLU. The count is the non-zeros: kept matrix entries plus every bias.
 * Training memory and compute stay those of the dense adapter (dense tensors, masked gradients).
 */

export type Pruner = 'snip' | 'rand' | 'mag';

/** The adapter's width: m, or round(m / (1 − s)) in the Large-Sparse setting. */
export function sparseWidth(m: number, sparsity: number, setting: string): number {
  return setting === 'large-sparse' ? Math.max(1, Math.round(m / (1 - sparsity))) : m;
}

/** Entries pruned of `total` at sparse ratio s: ceil((1 − kept share)·total), as the reference's
 * `_global_mask` with `--sparsity` = 1 − s. */
export function prunedCount(total: number, sparsity: number): number {
  const keptShare = 1 - sparsity;
  return Math.ceil((1 - keptShare) * total);
}

export const keptCount = (total: number, sparsity: number): number => total - prunedCount(total, sparsity);

export const sparseAdapter = defineMethod({
  id: 'sparse-adapter',
  name: 'SparseAdapter',
  hyperparams: [
    { key: 'bottleneck', label: 'Bottleneck m', help: 'Width of the dense adapter the budget is set by (the authors’ GLUE scripts: 64).', kind: 'int', min: 1, max: 8192, default: 64 },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter.',
      kind: 'choice',
      options: [
        { value: 'both', label: 'After attention and MLP (Houlsby)' },
        { value: 'mlp', label: 'After the MLP only (Pfeiffer-style)' },
        { value: 'attention', label: 'After attention only' },
      ],
      default: 'both',
    },
    {
      key: 'sparsity',
      label: 'Sparse ratio s',
      help: 'Share of the adapters’ weight-matrix entries pruned at initialisation (the abstract’s example: 0.4). Biases are not pruned.',
      kind: 'number',
      min: 0,
      max: 0.99,
      default: 0.4,
    },
    {
      key: 'pruner',
      label: 'Pruning criterion',
      help: 'How entries are scored before the lowest-scoring share s is pruned, over all adapters at once.',
      kind: 'choice',
      options: [
        { value: 'snip', label: 'SNIP: |weight × gradient| on task batches' },
        { value: 'rand', label: 'Random (the reference code’s default)' },
        { value: 'mag', label: 'Magnitude |weight| at initialisation' },
      ],
      default: 'snip',
    },
    {
      key: 'setting',
      label: 'Setting',
      help: 'Large-Sparse widens the adapter to round(m / (1 − s)), so the pruned adapter keeps about the dense adapter’s count.',
      kind: 'choice',
      options: [
        { value: 'plain', label: 'Width m, pruned (fewer parameters)' },
        { value: 'large-sparse', label: 'Large-Sparse: width m / (1 − s), same budget' },
      ],
      default: 'plain',
    },
  ],
  // Large-Sparse on the toy: width 16 at 50%, about the count of the 8-wide dense adapter there.
  toyConfig: { bottleneck: 8, sparsity: 0.5, setting: 'large-sparse' },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'extra-modules',
    countNote: ({ sparsity, pruner }) =>
      `The count is what is left of the adapters’ weight matrices after pruning the chosen share s = ${sparsity} (biases stay dense); which entries survive, the ${pruner === 'snip' ? 'SNIP scores on task data' : pruner === 'mag' ? 'initial magnitudes' : 'random scores'} decide.`,
  },
  lineage: [{ id: 'adapters', how: 'prunes adapters at initialisation, so a larger adapter fits the same budget', where: 'abstract' }],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'bottleneck adapter pruned at init, sequential'),
  profile(arch, { bottleneck, placement, sparsity, setting }) {
    const sites = sitesOf(placement).length;
    const h = arch.hiddenSize;
    const count = totalLayers(arch) * sites;
    const m = sparseWidth(bottleneck, sparsity, setting);
    const matrices = count * 2 * h * m;
    const kept = keptCount(matrices, sparsity);
    return {
      // The reference trains dense tensors with masked gradients: optimizer state for all of them.
      tensors: bottleneckTensors(h, m, count),
      trainable: kept + count * (m + h),
      // As FISH Mask: the kept values and one four-byte position each, and the dense biases.
      saved: [
        { shape: [kept], count: 2 },
        { shape: [m], count },
        { shape: [h], count },
      ],
      // Dense matmuls with masked weights, as the reference computes them.
      addedMatmul: matrices,
      extraActivationValues: () => sites * (h + 2 * m),
    };
  },
  apply(model, { bottleneck, placement, sparsity, pruner, setting }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const modules = bottleneckAdapters(model, sparseWidth(bottleneck, sparsity, setting), placement, rng);
    const all = [...modules.values()].flatMap((a) => [a.down, a.downBias, a.up, a.upBias]);
    // The pruned matrices, in one global order (adapter by adapter, down then up).
    const matrices = [...modules.values()].flatMap((a) => [a.down, a.up]);
    const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
    const masked = (v: tfTypes.Variable): tfTypes.Tensor => {
      const mask = masks.get(v);
      return mask ? tf.mul(v, mask) : v;
    };
    const hooks: ModelHooks = {
      sublayerOutput(layer, sublayer, output) {
        const a = modules.get(`${layer}.${sublayer}`);
        return a ? bottleneckForward(tf, { ...a, down: masked(a.down), up: masked(a.up) }, output) : output;
      },
    };

    /** Keeps the highest-scoring entries (scores flat, in `matrices` order) and zeroes the rest. */
    const prune = (scores: Float32Array) => {
      const keep = topK(scores, keptCount(scores.length, sparsity));
      tf.dispose([...masks.values()]);
      masks.clear();
      let offset = 0;
      for (const v of matrices) {
        const mask = tf.tensor(Float32Array.from(keep.subarray(offset, offset + v.size)), v.shape);
        offset += v.size;
        masks.set(v, mask);
        tf.tidy(() => v.assign(tf.mul(v, mask)));
      }
    };
    const flat = (parts: readonly Float32Array[]): Float32Array => {
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    };

    // SNIP: |θ ⊙ Σ_b ∂L_b/∂θ| at initialisation (the gradient with respect to a mask of ones),
    // through the adapters, over the calibration batches.
    const calibrate = (ctx: CalibrationContext) => {
      let sums: tfTypes.Tensor[] = tf.tidy(() => matrices.map((v) => tf.zerosLike(v)));
      for (const batch of ctx.batches) {
        const { value, grads } = tf.variableGrads(() => ctx.loss(batch, hooks), matrices);
        const next = tf.tidy(() => matrices.map((v, i) => (grads[v.name] ? tf.add(sums[i] as tfTypes.Tensor, grads[v.name] as tfTypes.Tensor) : tf.clone(sums[i] as tfTypes.Tensor))));
        tf.dispose([value, ...Object.values(grads), ...sums]);
        sums = next;
      }
      const scores = matrices.map((v, i) => tf.tidy(() => tf.abs(tf.mul(v, sums[i] as tfTypes.Tensor)).dataSync() as Float32Array));
      tf.dispose(sums);
      prune(flat(scores));
    };

    if (pruner === 'rand') prune(Float32Array.from({ length: matrices.reduce((n, v) => n + v.size, 0) }, () => rng()));
    else if (pruner === 'mag') prune(flat(matrices.map((v) => tf.tidy(() => tf.abs(v).dataSync() as Float32Array))));

    return {
      trainable: all,
      hooks,
      gradientMasks: masks,
      ...(pruner === 'snip' ? { calibrate } : {}),
      dispose: () => {
        tf.dispose([...masks.values()]);
        masks.clear();
        disposeAll(all);
      },
    };
  },
});
