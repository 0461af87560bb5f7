import type * as tfTypes from '@tensorflow/tfjs';
import { totalParams } from '../arch';
import { weightParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { allWeightTensors, matmulParams } from '../method-api/profile';
import type { Batch } from '../model/tasks';
import type { TF } from '../model/transformer';

/**
 * FISH Mask (Sung, Nair & Raffel, 2021): before training, score every weight of the model by its
 * diagonal empirical Fisher information on task examples, keep the k highest-scoring weights
 * (k a fixed share of ALL parameters) and train only those; the mask never changes.
 *
 * Reference: the authors' GLUE code, varunnair18/FISH at b5bff1e
 * (transformers/examples/text-classification/run_glue_sparse_update.py, `create_mask_gradient`
 * with the `label-square` option that scripts/run_sparse_updates.sh runs):
 * - the score of a weight is the SUM over N examples (num_samples, 1,024 in the script), one at a
 *   time (batch size 1), of its squared gradient of the loss at the true label. We do the same
 *   over the first N examples of the calibration batches (summing, as they do; dividing by N
 *   would not change the ranking).
 * - every named parameter is eligible: embeddings (our LM head is tied to them), position table,
 *   norms, biases and all matrices. Their classification head, always trained and counted inside
 *   the budget, has no counterpart in our language models.
 * - k = int(total × keep_ratio) (rounded down), chosen by torch.topk over all scores at once. Ties
 *   at the threshold are broken by position (model weight order, then element order), so the mask
 *   holds exactly k entries. We keep at least one entry where the reference would assert.
 * - training: every parameter keeps its dense gradient and AdamW state; the gradient is multiplied
 *   by the mask before the optimizer step. The profile counts that (optimizer state for every
 *   weight, full weight-gradient matmuls). On the toy the optimizer only holds the weights the
 *   mask reaches, and our AdamW masks its update (weight decay included), so every other element
 *   stays bit-identical.
 */
export const fishMask = defineMethod({
  id: 'fish-mask',
  name: 'FISH Mask',
  hyperparams: [
    {
      key: 'share',
      label: 'Trained share (%)',
      help: 'Percentage of all parameters kept in the mask (those with the largest Fisher information). The paper uses 0.5%.',
      kind: 'number',
      min: 0.001,
      max: 100,
      default: 0.5,
    },
    {
      key: 'samples',
      label: 'Fisher samples N',
      help: 'Task examples whose squared gradients, one example at a time, score the weights (the authors use 1,024). Capped by the examples available for calibration.',
      kind: 'int',
      min: 1,
      max: 100_000,
      default: 1024,
    },
  ],
  // A 0.5% mask leaves the 104,960-parameter toy only 524 weights; 3% trains it within 40 steps.
  // 32 examples keep the one-example-at-a-time calibration short in the browser.
  toyConfig: { share: 3, samples: 32 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'unchanged',
    countNote: ({ share }) => `The count is the chosen ${share}% of all weights; which weights, the Fisher scores on task data decide.`,
  },
  lineage: [],
  // Every weight is a candidate; which parts end up trained depends on the Fisher scores.
  anatomy: (arch, { share }) =>
    weightParts(arch).map((part) => ({ part, kind: 'trained', note: `the ${share}% of weights with the most Fisher information`, chosenFromData: true })),
  profile(arch, { share }) {
    const k = maskSize(totalParams(arch), share);
    return {
      // The reference optimizer covers every parameter (dense state, masked gradients).
      tensors: allWeightTensors(arch),
      trainable: k,
      // The checkpoint holds the k values and their k positions (one int32 index per value, as
      // many bytes as an fp32 value), so it is counted as 2k four-byte entries.
      saved: [{ shape: [k], count: 2 }],
      trainableInBase: k,
      // The backward pass computes every weight gradient densely before masking it.
      baseMatmulTrainable: matmulParams(arch),
    };
  },
  apply(model, { share, samples }) {
    const tf = model.tf;
    const weights = [...model.weights.values()];
    // Every weight is a candidate until calibration; the trainer builds its optimizer afterwards,
    // from the narrowed list.
    const trainable: tfTypes.Variable[] = [...weights];
    const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
    const k = maskSize(model.parameterCount(), share);
    const clearMasks = () => {
      tf.dispose([...masks.values()]);
      masks.clear();
    };
    return {
      trainable,
      hooks: {},
      gradientMasks: masks,
      calibrate(ctx) {
        const scores = fisherDiagonal(tf, weights, ctx.batches, ctx.loss, samples);
        const keep = topK(scores, k);
        clearMasks();
        const kept: tfTypes.Variable[] = [];
        let offset = 0;
        for (const v of weights) {
          const part = keep.subarray(offset, offset + v.size);
          offset += v.size;
          if (!part.some((x) => x === 1)) continue;
          kept.push(v);
          masks.set(v, tf.tensor(Float32Array.from(part), v.shape));
        }
        trainable.splice(0, trainable.length, ...kept);
      },
      dispose: clearMasks,
    };
  },
});

/** Mask size: the share of `total` rounded down, as the reference code, but at least one. */
export function maskSize(total: number, sharePercent: number): number {
  return Math.max(1, Math.floor(total * (sharePercent / 100)));
}

/**
 * The batch's row `b` as a batch of one example, cut after its last scored position: with causal
 * attention the padding after it changes neither the loss nor any gradient, and costs time.
 */
function exampleOf(batch: Batch, b: number): Batch {
  const start = b * batch.length;
  let length = 1;
  for (let t = 0; t < batch.length; t++) if ((batch.mask[start + t] as number) > 0) length = t + 1;
  const span = [start, start + length] as const;
  return {
    size: 1,
    length,
    inputs: batch.inputs.slice(...span),
    labels: batch.labels.slice(...span),
    mask: batch.mask.slice(...span),
    promptLengths: batch.promptLengths.slice(b, b + 1),
  };
}

/**
 * Sum over the first `samples` examples of `batches` of the squared gradient of each one's loss,
 * per weight, flattened in the order of `weights` (the empirical Fisher diagonal up to 1/N).
 */
export function fisherDiagonal(
  tf: TF,
  weights: readonly tfTypes.Variable[],
  batches: readonly Batch[],
  loss: (batch: Batch) => tfTypes.Scalar,
  samples = Infinity,
): Float32Array {
  let sums: tfTypes.Tensor[] = tf.tidy(() => weights.map((v) => tf.zerosLike(v)));
  let seen = 0;
  for (const batch of batches) {
    for (let b = 0; b < batch.size && seen < samples; b++, seen++) {
      const one = exampleOf(batch, b);
      if (!one.mask.some((m) => m > 0)) continue; // nothing scored: a zero gradient
      const { value, grads } = tf.variableGrads(() => loss(one), [...weights]);
      const next = tf.tidy(() => weights.map((v, i) => (grads[v.name] ? tf.add(sums[i] as tfTypes.Tensor, tf.square(grads[v.name] as tfTypes.Tensor)) : tf.clone(sums[i] as tfTypes.Tensor))));
      tf.dispose([value, ...Object.values(grads), ...sums]);
      sums = next;
    }
  }
  const total = weights.reduce((n, v) => n + v.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const s of sums) {
    out.set(s.dataSync() as Float32Array, offset);
    offset += s.size;
  }
  tf.dispose(sums);
  return out;
}

/** 0/1 per score: exactly the k largest, ties at the threshold going to the earliest positions. */
export function topK(scores: Float32Array, k: number): Uint8Array {
  const keep = new Uint8Array(scores.length);
  const n = Math.min(k, scores.length);
  if (n <= 0) return keep;
  const threshold = Float32Array.from(scores).sort()[scores.length - n] as number;
  let above = 0;
  for (const s of scores) if (s > threshold) above++;
  let ties = n - above;
  scores.forEach((s, i) => {
    if (s > threshold || (s === threshold && ties-- > 0)) keep[i] = 1;
  });
  return keep;
}
