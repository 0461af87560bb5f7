import type * as tfTypes from '@tensorflow/tfjs';
import { totalParams } from '../arch';
import { weightParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import { type TensorGroup, allWeightTensors, matmulParams } from '../method-api/profile';
import type { AppliedMethod } from '../method-api/types';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';
import { maskSize, topK } from './fish-mask';

/**
 * Diff Pruning (Guo, Rush & Kim, ACL 2021, arXiv 2012.07463): the pretrained weights θ stay
 * frozen and a task learns a difference δ, θ_task = θ + δ, with δ = z ⊙ w. Each entry's gate z
 * follows a stretched hard-concrete distribution with a learned log α (Louizos et al., 2018), and
 * the expected number of non-zero gates, Σ σ(log α − log(−l/r)), is added to the loss times λ.
 * After that phase δ is cut by magnitude to the target share of all parameters (0.5% in the
 * paper) and the kept entries are fine-tuned further with the mask fixed.
 *
 * Reference: dguo98/DiffPruning at commit 085fa7d9e2bcbcd19f705a08b1c0c6c74c54bada, the three
 * scripts its README runs in turn (examples/run_glue_diffpruning.py, run_glue_mag.py,
 * run_glue_fixmask_finetune.py):
 * - every named parameter gets w (zeros) and log α (all `alpha_init`, 5 in the README), except the
 *   classification head, which trains densely without a gate (our language models have none).
 * - `concrete_stretched`: u ~ U(0,1) clamped to [1e-4, 1 − 1e-4], s = σ(log u − log(1 − u) + log α),
 *   z = min(1, max(0, s·(r − l) + l)), with l = −1.5, r = 1.5 in the README. There is no
 *   temperature (Louizos et al.'s β is 1), and the penalty's log ratio is log(−l/r). Its hand-written
 *   gradient, 1[0 < s̄ < 1]·(r − l)·s(1 − s), is what automatic differentiation gives here.
 * - structured (`per_params_alpha`, default 1, the README's "structured pruning"): one more gate
 *   per parameter tensor, multiplied into every entry's gate, with its own log α (also 5). The code
 *   adds σ(log α_g − log(−l/r)) once per tensor to the penalty (not per entry).
 * - penalty weight λ = `sparsity_pen` (1.25e-7 in the README), the same for every layer by default.
 * - two AdamW optimizers: w at the run's rate (1e-5 in the README) on a linear schedule, the log α
 *   (entries and tensor gates) at a constant 0.1. Our trainer has one optimizer and one rate, so
 *   here log α = α₀ + ALPHA_GAIN · a with `a` trained from 0: at the toy's rate of 1e-2, Adam moves
 *   log α by about 0.1 per step, as the reference's separate optimizer does.
 * - run_glue_mag.py: δ = (model weights) − θ over every tensor, a threshold bisected on [0, 1] until
 *   at most `target_sparsity` (0.005) of all entries exceed it, entries below it set to zero. We
 *   keep exactly k = ⌊total × share⌋ entries (FISH Mask's `topK`, ties to the earliest positions),
 *   the share of the bisection's limit without its tolerance. The reference ranks the δ of its last
 *   checkpoint, drawn with sampled gates; we rank the deterministic test-time gates
 *   ẑ = min(1, max(0, σ(log α)(r − l) + l)) (Louizos et al.'s estimator).
 * - run_glue_fixmask_finetune.py with `--finetune 1`: a new run (fresh AdamW, its own linear
 *   schedule) trains w under the fixed mask, starting from the first phase's w (not from z ⊙ w), with
 *   no gates and no penalty. We do the same within one run: at the projection, w ← mask ⊙ w, the
 *   optimizer state of w is reset and the schedule restarts fresh; log α is frozen (zero masks).
 *
 * Counting: the trainable count is the number of non-zero entries δ keeps, k. During the first
 * phase the optimizer holds w and log α for every parameter (2× the model, plus one gate per tensor
 * when structured): the profile's tensors, which is why training memory is not below full
 * fine-tuning. A task's checkpoint is the k values and their k positions.
 */

/** log α = α₀ + ALPHA_GAIN · a: Adam moves `a` by about the learning rate per step. */
export const ALPHA_GAIN = 10;
/** The reference clamps u before the logit so the sample stays finite. */
const U_CLAMP = 1e-4;

export const diffPruning = defineMethod({
  id: 'diff-pruning',
  name: 'Diff Pruning',
  hyperparams: [
    {
      key: 'share',
      label: 'Kept share (%)',
      help: 'Percentage of all parameters left non-zero in δ after the magnitude pruning (the paper’s 0.5%). This is the trainable count.',
      kind: 'number',
      min: 0.001,
      max: 100,
      default: 0.5,
    },
    {
      key: 'pruneAt',
      label: 'L0 phase (share of steps)',
      help: 'Share of the run trained with the L0 relaxation before δ is cut to the kept share; the rest fine-tunes the kept entries with the mask fixed. The README runs 3 epochs of each (0.5).',
      kind: 'number',
      min: 0.05,
      max: 1,
      default: 0.5,
    },
    {
      key: 'lambda',
      label: 'Sparsity penalty λ',
      help: 'Weight of the expected number of non-zero gates in the loss (the README’s sparsity_pen, 1.25e-7 per entry).',
      kind: 'number',
      min: 0,
      max: 1,
      default: 1.25e-7,
    },
    { key: 'alphaInit', label: 'Initial log α', help: 'Starting log α of every gate (the README’s alpha_init, 5: almost every gate starts open).', kind: 'number', min: -10, max: 20, default: 5 },
    { key: 'lower', label: 'Stretch l', help: 'Lower end of the stretched interval (l < 0), so a gate can be exactly 0 (the README’s −1.5).', kind: 'number', min: -10, max: -0.001, default: -1.5 },
    { key: 'upper', label: 'Stretch r', help: 'Upper end of the stretched interval (r > 1), so a gate can be exactly 1 (the README’s 1.5).', kind: 'number', min: 1.001, max: 10, default: 1.5 },
    {
      key: 'structured',
      label: 'Structured gates',
      help: 'One more gate per weight tensor, multiplied into each entry’s gate (the reference code’s default, per_params_alpha = 1).',
      kind: 'choice',
      options: [
        { value: 'on', label: 'Per entry and per tensor (reference default)' },
        { value: 'off', label: 'Per entry only' },
      ],
      default: 'on',
    },
  ],
  // A 0.5% cut leaves the 104,960-parameter toy only 524 entries; 3% (3,148) is FISH Mask's toy share.
  // λ = 1e-4 makes the gates of entries the task does not use close within the first half of a
  // 300-step run; the README's 1.25e-7 is sized for BERT-Large and thousands of steps.
  toyConfig: { share: 3, lambda: 1e-4 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    countNote: ({ share }) =>
      `The count is the chosen ${share}% of all weights that δ keeps after the final magnitude pruning; until then every weight has a difference entry and a gate in the optimizer.`,
  },
  lineage: [],
  anatomy: (arch, { share }) => weightParts(arch).map((part) => ({ part, kind: 'added', note: `diff δ = z ⊙ w, cut to ${share}% of all weights` })),
  profile(arch, { share, structured }) {
    const k = maskSize(totalParams(arch), share);
    const weights = allWeightTensors(arch);
    // One tensor gate per parameter tensor as the shapes describe them. Parameters outside the
    // blocks that this description lumps into one vector (BERT's embedding LayerNorm, its pooler)
    // are several tensors in HF, so there the gate count is a few short: a few scalars of optimizer
    // state. The trainable and saved counts do not depend on it.
    const gates: TensorGroup[] = structured === 'on' ? [{ shape: [1], count: weights.reduce((n, g) => n + g.count, 0) }] : [];
    return {
      // w and log α for every weight (and the tensor gates): all in the optimizer during the L0 phase.
      tensors: [...weights, ...weights, ...gates],
      trainable: k,
      // The k kept values and their k positions (one int32 index each, as many bytes as an fp32 value).
      saved: [{ shape: [k], count: 2 }],
      // Gates and w need the dense gradient of every weight, matrices included.
      baseMatmulTrainable: matmulParams(arch),
    };
  },
  apply(model, { share, pruneAt, lambda, alphaInit, lower, upper, structured }, { seed = 0 } = {}) {
    const tf = model.tf;
    const names = [...model.weights.keys()];
    const index = new Map(names.map((n, i) => [n, i]));
    const base = names.map((n) => model.weight(n));
    const variable = (shape: number[]) => tf.tidy(() => tf.variable(tf.zeros(shape), true));
    // δ's values, and the change a of each log α (log α = α₀ + ALPHA_GAIN · a), all starting at 0.
    const w = base.map((v) => variable(v.shape));
    const a = base.map((v) => variable(v.shape));
    const groups = structured === 'on' ? base.map(() => variable([1])) : [];
    // Made up front so the tensor count does not change at the projection.
    const maskTensors = base.map((v) => tf.tidy(() => tf.variable(tf.zeros(v.shape), false)));
    const frozen = tf.scalar(0);
    const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
    const backup = weightBackup(model, names);
    const k = maskSize(model.parameterCount(), share);
    const rng = createRng(seed + 7_368_787);
    let fixed = false;

    const logAlpha = (v: tfTypes.Variable) => tf.add(alphaInit, tf.mul(v, ALPHA_GAIN));
    // log u − log(1 − u) + α₀ computed here rather than as tensor ops: fewer ops per weight and step.
    const sample = (v: tfTypes.Variable) => {
      const noise = Float32Array.from({ length: v.size }, () => {
        const u = Math.min(1 - U_CLAMP, Math.max(U_CLAMP, rng()));
        return Math.log(u) - Math.log(1 - u) + alphaInit;
      });
      return stretchedGate(tf, tf.add(tf.tensor(noise, v.shape), tf.mul(v, ALPHA_GAIN)), lower, upper);
    };
    /** The gate of weight i: sampled in training, the deterministic estimate otherwise. */
    const gate = (i: number, train: boolean): tfTypes.Tensor => {
      const pick = (v: tfTypes.Variable) => (train ? sample(v) : expectedGate(tf, logAlpha(v), lower, upper));
      const z = pick(a[i] as tfTypes.Variable);
      return structured === 'on' ? tf.mul(z, pick(groups[i] as tfTypes.Variable)) : z;
    };
    /** δ of weight i as evaluation sees it. */
    const delta = (i: number): tfTypes.Tensor => (fixed ? (w[i] as tfTypes.Variable) : tf.mul(gate(i, false), w[i] as tfTypes.Variable));

    const applied: AppliedMethod = {
      trainable: [...w, ...a, ...groups],
      trainedCount: k,
      gradientMasks: masks,
      hooks: {
        weight(name, weight, ctx) {
          const i = index.get(name);
          if (i === undefined || backup.taken) return weight;
          if (fixed) return tf.add(weight, w[i] as tfTypes.Variable);
          return tf.add(weight, tf.mul(gate(i, ctx.mode === 'train'), w[i] as tfTypes.Variable));
        },
      },
      regularizer: () => tf.mul(lambda, l0Penalty(tf, [...a, ...groups].map(logAlpha), lower, upper)) as tfTypes.Scalar,
      onStep({ step, totalSteps }) {
        if (fixed || step < pruneStep(pruneAt, totalSteps)) return;
        // Magnitude projection of δ to exactly k entries over all weights together.
        const scores = new Float32Array(model.parameterCount());
        let offset = 0;
        base.forEach((v, i) => {
          scores.set(tf.tidy(() => tf.abs(delta(i)).dataSync() as Float32Array), offset);
          offset += v.size;
        });
        const keep = topK(scores, k);
        offset = 0;
        base.forEach((v, i) => {
          const mask = maskTensors[i] as tfTypes.Variable;
          const wi = w[i] as tfTypes.Variable;
          tf.tidy(() => {
            mask.assign(tf.tensor(Float32Array.from(keep.subarray(offset, offset + v.size)), v.shape));
            wi.assign(tf.mul(wi, mask));
          });
          offset += v.size;
          masks.set(wi, mask);
        });
        for (const v of [...a, ...groups]) masks.set(v, frozen);
        fixed = true;
        delete applied.regularizer;
        // The reference's fixed-mask phase is a new run: fresh AdamW state and its own schedule.
        return { resetOptimizer: w, restartSchedule: { warmupSteps: 1, fresh: true } };
      },
      merge() {
        if (backup.taken) return;
        backup.take();
        base.forEach((v, i) => tf.tidy(() => v.assign(tf.add(v, delta(i)))));
      },
      unmerge: () => backup.restore(),
      dispose() {
        backup.dispose();
        tf.dispose([...w, ...a, ...groups, ...maskTensors, frozen]);
      },
    };
    return applied;
  },
});

/** The step after which δ is cut: the `pruneAt` share of the run, at least one step, at most all. */
export function pruneStep(pruneAt: number, totalSteps: number): number {
  return Math.min(totalSteps, Math.max(1, Math.round(pruneAt * totalSteps)));
}

/**
 * A stretched hard-concrete sample from uniform noise `u` in (0, 1): s = σ(log u − log(1 − u) +
 * log α), stretched to (l, r) and clipped to [0, 1], so exact zeros and ones have positive
 * probability (temperature 1, as the reference code).
 */
export function hardConcrete(tf: TF, logAlpha: tfTypes.Tensor, u: tfTypes.Tensor, lower: number, upper: number): tfTypes.Tensor {
  return tf.tidy(() => stretchedGate(tf, tf.add(tf.sub(tf.log(u), tf.log(tf.sub(1, u))), logAlpha), lower, upper));
}

/** min(1, max(0, σ(x)·(r − l) + l)) for x = log u − log(1 − u) + log α. */
function stretchedGate(tf: TF, x: tfTypes.Tensor, lower: number, upper: number): tfTypes.Tensor {
  return tf.clipByValue(tf.add(tf.mul(tf.sigmoid(x), upper - lower), lower), 0, 1);
}

/** The test-time gate ẑ = min(1, max(0, σ(log α)(r − l) + l)) (Louizos et al., 2018). */
export function expectedGate(tf: TF, logAlpha: tfTypes.Tensor, lower: number, upper: number): tfTypes.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.sigmoid(logAlpha), upper - lower), lower), 0, 1));
}

/**
 * The expected number of non-zero gates, Σ σ(log α − log(−l/r)) over every log α given (each is
 * P(z > 0)). Summed two at a time: no addN on the toy.
 */
export function l0Penalty(tf: TF, logAlphas: readonly tfTypes.Tensor[], lower: number, upper: number): tfTypes.Scalar {
  const shift = Math.log(-lower / upper);
  return tf.tidy(() => logAlphas.map((la) => tf.sum(tf.sigmoid(tf.sub(la, shift)))).reduce((sum, s) => tf.add(sum, s), tf.scalar(0)) as tfTypes.Scalar);
}
