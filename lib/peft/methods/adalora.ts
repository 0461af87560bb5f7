import type * as tfTypes from '@tensorflow/tfjs';
import { matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { BIAS_HYPERPARAM, biasAttachments, toyTrainedBiases, trainedBiases } from '../method-api/bias';
import { targetsOutside } from '../method-api/outside';
import { peftTargetModules } from '../method-api/peft-export';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import { type TensorGroup, embeddingWidth, groupsSize } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import { disposeAll, normalVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * AdaLoRA (Zhang et al., 2023): each targeted map W gets an SVD-shaped update P Λ Q whose rank
 * shrinks during training: singular values of unimportant triplets are set to zero on a cubic
 * budget schedule, and an orthogonality penalty keeps P and Q close to singular vectors.
 *
 * Reference: HF PEFT, src/peft/tuners/adalora/ (config.py, layer.py, model.py) at commit
 * 5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40.
 * - In our x·W layout (W is [in, out]) the update is x·(A ⊙ e)·B·scale with A [in, r] = HF's
 *   lora_A transposed (the paper's Qᵀ), e [r] = lora_E (Λ), B [r, out] = lora_B transposed (Pᵀ).
 *   A and B are drawn from N(0, 0.02²) and e starts at zero, so training starts from the base
 *   model; scale = alpha / (init rank + 1e-5), HF's lora_alpha / (ranknum + 1e-5), kept when
 *   triplets are pruned.
 * - Importance (RankAllocator.update_ipt), after each optimizer step: I = |w·g| per entry,
 *   Ī ← β1·Ī + (1−β1)·I, Ū ← β2·Ū + (1−β2)·|I − Ī|, entry score Ī·Ū. A triplet's score is the
 *   score of its e entry plus the mean score of its A column and of its B row (mask_to_budget).
 * - Budget (budget_schedule): init budget = init rank × targets, target budget = target rank ×
 *   targets; up to tinit the full budget, then cubic decay to the target at T − tfinal, masking
 *   every deltaT steps; at T − tfinal a final masking whose pattern is re-applied after every
 *   later step. Masking zeroes the e entries of the lowest-scoring triplets in place; the
 *   optimizer keeps running, so a pruned triplet can come back at the next masking.
 *   HF masks every triplet scoring ≤ the k-th lowest score (more than k on ties); we break ties by
 *   position (target order, then triplet order) so exactly k are masked.
 * - Our tinit and tfinal are shares of the run's steps (HF counts steps), so a playground run of
 *   any length keeps its three phases; deltaT is in steps as in HF.
 * - Regularizer (AdaLoraModel.forward): orth_reg_weight × the mean, over all A and B matrices, of
 *   the unsquared Frobenius norms ‖AᵀA − I‖ and ‖BBᵀ − I‖ (the paper writes squared norms).
 * - HF's gradients at update time are whatever the training loop left in p.grad (clipped when the
 *   loop clips in place); we use the step's unclipped gradients.
 *
 * Counting follows HF PEFT: print_trainable_parameters counts lora_A, lora_B and lora_E, init
 * rank × (in + out + 1) per target (ranknum is not trainable). The saved state dict is cut to the
 * kept triplets (resize_state_dict_by_rank_pattern): the target budget of triplets, target rank ×
 * (in + out + 1) per target when the budget is spread evenly (exact when all targets have the same
 * shape; otherwise it depends on where the budget lands).
 */
/** The run length an AdaLoRA export assumes when none is given (HF PEFT requires one). */
export const ADALORA_EXPORT_STEPS = 1000;

export const adalora = defineMethod({
  id: 'adalora',
  name: 'AdaLoRA',
  hyperparams: [
    { key: 'initR', label: 'Initial rank r₀', help: 'Rank of every update when training starts (HF init_r).', kind: 'int', min: 1, max: 1024, default: 12 },
    {
      key: 'targetR',
      label: 'Target rank',
      help: 'Average rank left after pruning (HF target_r): the final budget is this times the number of adapted maps. At most the initial rank.',
      kind: 'int',
      min: 1,
      max: 1024,
      default: 8,
    },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α / r₀ (HF lora_alpha, default 8).', kind: 'number', min: 0.01, max: 4096, default: 8 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model.',
      kind: 'modules',
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      // HF PEFT's TRANSFORMERS_MODELS_TO_ADALORA_TARGET_MODULES_MAPPING (not LoRA's table). Flan-T5
      // (model_type t5) gets T5's list, whose `wi` matches nothing in its gated FFN (wi_0, wi_1):
      // HF skips it silently, we leave it out. RoBERTa's `dense` also matches the pooler and a
      // classification head's dense layer when the loaded model has them; we target the three
      // in every layer. Mistral has no entry (HF asks for target_modules); we fall back to q, v.
      byFamily: {
        t5: ['q', 'k', 'v', 'o', 'wi', 'wo'],
        'flan-t5': ['q', 'k', 'v', 'o', 'wo'],
        mt0: ['q', 'k', 'v', 'o', 'wi_0', 'wi_1', 'wo'],
        gpt2: ['c_attn'],
        bloom: ['query_key_value'],
        opt: ['q_proj', 'k_proj', 'v_proj', 'out_proj', 'fc1', 'fc2'],
        bert: ['query', 'value'],
        roberta: ['query', 'key', 'value', 'attention.output.dense', 'intermediate.dense', 'output.dense'],
        llama: ['q_proj', 'v_proj'],
        gemma2: ['q_proj', 'v_proj'],
        qwen2: ['q_proj', 'v_proj'],
      },
      // HF PEFT's AdaLoRA wraps Linear (and Conv1D, Conv2d) modules only, so the LM head but not
      // the embedding (`AdaLoraModel._create_new_module` raises for anything else).
      outside: ['lmHead'],
    },
    { key: 'tinit', label: 'Warm-up share t_i', help: 'Share of the steps trained at the initial rank before pruning starts (HF tinit, in steps there).', kind: 'number', min: 0, max: 0.45, default: 0 },
    { key: 'tfinal', label: 'Final share t_f', help: 'Share of the steps trained with the final rank pattern fixed (HF tfinal, in steps there).', kind: 'number', min: 0, max: 0.45, default: 0 },
    { key: 'deltaT', label: 'Interval ΔT', help: 'Steps between two maskings while the budget falls (HF deltaT).', kind: 'int', min: 1, max: 10_000, default: 1 },
    { key: 'beta1', label: 'β₁ (sensitivity)', help: 'Smoothing of the sensitivity |w·g| (HF beta1).', kind: 'number', min: 0.01, max: 0.99, default: 0.85 },
    { key: 'beta2', label: 'β₂ (uncertainty)', help: 'Smoothing of its fluctuation (HF beta2).', kind: 'number', min: 0.01, max: 0.99, default: 0.85 },
    { key: 'orthReg', label: 'Orthogonality weight γ', help: 'Weight of the penalty pushing P and Q towards orthonormality (HF orth_reg_weight).', kind: 'number', min: 0, max: 10, default: 0.5 },
    BIAS_HYPERPARAM,
  ],
  // The toy's run is a few hundred steps: a tenth to warm up, the last quarter at the final ranks.
  // α = 32 as in HF PEFT's AdaLoRA seq2seq example; HF's default 8 (scale 8/12) learns slowly.
  toyConfig: { alpha: 32, tinit: 0.1, tfinal: 0.25 },
  rankParam: 'initR',
  toyLearningRate: 2e-2,
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [{ id: 'lora', how: 'writes the low-rank update as PΛQ and prunes its rank by importance', where: 'abstract' }],
  anatomy: (arch, { initR, targets, bias }) => [
    ...attachAll(targetParts(arch, targets), 'added', `update PΛQ of rank ${initR}, pruned while training`),
    ...biasAttachments(arch, bias, targets),
  ],
  profile(arch, { initR, targetR, targets, bias }) {
    const kept = Math.min(targetR, initR);
    const tensors: TensorGroup[] = [];
    const saved: TensorGroup[] = [];
    let addedMatmul = 0;
    let inferenceMatmul = 0;
    const maps = arch.stacks.flatMap((s) => matchingLinears(s, targets).map((l) => ({ inFeatures: l.inFeatures, outFeatures: l.outFeatures, count: s.layers })));
    // The LM head is a Linear(width → vocab) like any other target.
    if (targetsOutside(arch, targets, 'lmHead')) maps.push({ inFeatures: embeddingWidth(arch), outFeatures: arch.vocabSize, count: 1 });
    for (const { inFeatures, outFeatures, count } of maps) {
      tensors.push({ shape: [inFeatures, initR], count }, { shape: [initR], count }, { shape: [initR, outFeatures], count });
      saved.push({ shape: [inFeatures, kept], count }, { shape: [kept], count }, { shape: [kept, outFeatures], count });
      addedMatmul += count * initR * (inFeatures + outFeatures);
      inferenceMatmul += count * kept * (inFeatures + outFeatures);
    }
    const biases = trainedBiases(arch, bias, targets);
    return {
      tensors: [...tensors, ...biases],
      saved: [...saved, ...biases],
      trainableInBase: groupsSize(biases),
      addedMatmul,
      inferenceMatmul,
      // x·A and (x·A)⊙e (r values each per token) are kept for the gradients of e and B.
      extraActivationValues: (stack) => matchingLinears(stack, targets).length * 2 * initR,
    };
  },
  // HF PEFT's AdaLoraConfig counts steps where we count shares of the run, and requires
  // total_step; tinit and tfinal become our shares of it, rounded down as `phases` does.
  peft: (c, arch, { totalSteps = ADALORA_EXPORT_STEPS } = {}) => ({
    configClass: 'AdaLoraConfig',
    args: {
      init_r: c.initR,
      target_r: c.targetR,
      lora_alpha: c.alpha,
      target_modules: peftTargetModules(arch, c.targets),
      tinit: Math.floor(c.tinit * totalSteps),
      tfinal: Math.floor(c.tfinal * totalSteps),
      deltaT: c.deltaT,
      beta1: c.beta1,
      beta2: c.beta2,
      orth_reg_weight: c.orthReg,
      total_step: totalSteps,
      bias: c.bias,
    },
  }),
  apply(model, config, { seed = 0 } = {}) {
    const tf = model.tf;
    const { initR, alpha, targets } = config;
    const scale = alpha / (initR + 1e-5);
    const rng = createRng(seed);
    const triplets: Triplet[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const a = normalVariable(tf, rng, [site.inFeatures, initR], 0.02);
      const e = zerosVariable(tf, [initR]);
      const b = normalVariable(tf, rng, [initR, site.outFeatures], 0.02);
      triplets.push({ a, e, b });
      return {
        matrix: () => tf.mul(tf.matMul(tf.mul(a, e), b), scale),
        forward: (x) => tf.mul(tf.matMul(tf.mul(tf.matMul(x, a), e), b), scale),
      };
    });
    const trainable = triplets.flatMap((t) => [t.a, t.e, t.b]);
    const biases = toyTrainedBiases(model, config.bias, targets);
    const allocator = new RankAllocator(tf, triplets, config);
    const eye = tf.tidy(() => tf.keep(tf.eye(initR)));
    const { orthReg } = config;
    return {
      trainable: [...trainable, ...biases],
      hooks: delta.hooks,
      merge: delta.merge,
      unmerge: delta.unmerge,
      // γ = 0 adds nothing, as in HF PEFT; no penalty graph then.
      ...(orthReg > 0
        ? {
            regularizer: () =>
              tf.tidy(() => {
                // ‖AᵀA − I‖ and ‖BBᵀ − I‖ (HF: lora_A·lora_Aᵀ and lora_Bᵀ·lora_B), summed two at a time
                const norms = triplets.flatMap(({ a, b }) => [
                  tf.norm(tf.sub(tf.matMul(a, a, true, false), eye)),
                  tf.norm(tf.sub(tf.matMul(b, b, false, true), eye)),
                ]);
                const sum = norms.reduce((s, n) => tf.add(s, n), tf.scalar(0));
                return tf.mul(sum, orthReg / norms.length) as tfTypes.Scalar;
              }),
          }
        : {}),
      onStep: (ctx) => allocator.step(ctx.step, ctx.totalSteps, ctx.grads),
      dispose: () => {
        delta.dispose();
        allocator.dispose();
        eye.dispose();
        disposeAll(trainable);
      },
    };
  },
});

export interface Triplet {
  /** [in, r]: HF lora_A transposed. */
  a: tfTypes.Variable;
  /** [r]: HF lora_E, the singular values Λ. */
  e: tfTypes.Variable;
  /** [r, out]: HF lora_B transposed. */
  b: tfTypes.Variable;
}

export interface Schedule {
  initR: number;
  targetR: number;
  tinit: number;
  tfinal: number;
  deltaT: number;
  beta1: number;
  beta2: number;
}

/** The phase boundaries of a run of `total` steps, in steps. */
export function phases(total: number, tinit: number, tfinal: number): { tinit: number; end: number } {
  // floor, and tinit, tfinal < 0.5 each, so tinit < end: there is always a budgeting phase.
  return { tinit: Math.floor(tinit * total), end: total - Math.floor(tfinal * total) };
}

/** HF PEFT's budget_schedule: the budget at `step` and whether to mask then. */
export function budgetAt(step: number, total: number, s: Pick<Schedule, 'tinit' | 'tfinal' | 'deltaT'>, initBudget: number, targetBudget: number): { budget: number; mask: boolean } {
  const { tinit, end } = phases(total, s.tinit, s.tfinal);
  if (step <= tinit) return { budget: initBudget, mask: false };
  if (step > end) return { budget: targetBudget, mask: true };
  const left = 1 - (step - tinit) / (end - tinit);
  return { budget: Math.trunc((initBudget - targetBudget) * left ** 3 + targetBudget), mask: step % s.deltaT === 0 };
}

/** Importance tracking and budget masking, as HF PEFT's RankAllocator. */
export class RankAllocator {
  /** Ī and Ū for every trainable tensor, in the order a, e, b of each triplet. */
  private readonly state: { v: tfTypes.Variable; ipt: tfTypes.Variable; unc: tfTypes.Variable }[];
  private readonly initBudget: number;
  private readonly targetBudget: number;
  /** The final rank pattern (1 = kept), per triplet, once fixed. */
  private pattern: Float32Array[] | null = null;

  constructor(
    private readonly tf: TF,
    private readonly triplets: readonly Triplet[],
    private readonly s: Schedule,
  ) {
    this.state = triplets.flatMap(({ a, e, b }) => [a, e, b]).map((v) => ({ v, ipt: zerosState(tf, v), unc: zerosState(tf, v) }));
    this.initBudget = s.initR * triplets.length;
    this.targetBudget = Math.min(s.targetR, s.initR) * triplets.length;
  }

  step(step: number, total: number, grads: ReadonlyMap<tfTypes.Variable, tfTypes.Tensor>): void {
    const { end } = phases(total, this.s.tinit, this.s.tfinal);
    if (step < end) {
      this.updateImportance(grads);
      const { budget, mask } = budgetAt(step, total, this.s, this.initBudget, this.targetBudget);
      if (mask) this.applyPattern(this.patternFor(budget));
    } else if (step === end) {
      this.pattern = this.patternFor(this.targetBudget);
      this.applyPattern(this.pattern);
      this.resetImportance();
    } else if (this.pattern) {
      this.applyPattern(this.pattern);
    }
  }

  private updateImportance(grads: ReadonlyMap<tfTypes.Variable, tfTypes.Tensor>): void {
    const { tf } = this;
    const { beta1, beta2 } = this.s;
    tf.tidy(() => {
      for (const { v, ipt, unc } of this.state) {
        const g = grads.get(v);
        if (!g) continue;
        const now = tf.abs(tf.mul(v, g));
        const smoothed = tf.add(tf.mul(ipt, beta1), tf.mul(now, 1 - beta1));
        unc.assign(tf.add(tf.mul(unc, beta2), tf.mul(tf.abs(tf.sub(now, smoothed)), 1 - beta2)));
        ipt.assign(smoothed);
      }
    });
  }

  private resetImportance(): void {
    this.tf.tidy(() => {
      for (const { ipt, unc } of this.state) {
        ipt.assign(this.tf.zerosLike(ipt));
        unc.assign(this.tf.zerosLike(unc));
      }
    });
  }

  /** Each triplet's score: s(e_i) + mean s(A[:, i]) + mean s(B[i, :]), with s = Ī·Ū. */
  scores(): Float32Array[] {
    const { tf } = this;
    return this.triplets.map((_, t) => {
      const [a, e, b] = [0, 1, 2].map((j) => this.state[3 * t + j]!);
      return tf.tidy(() => {
        const s = (x: { ipt: tfTypes.Variable; unc: tfTypes.Variable }) => tf.mul(x.ipt, x.unc);
        return tf.add(tf.add(s(e!), tf.mean(s(a!), 0)), tf.mean(s(b!), 1)).dataSync() as Float32Array;
      });
    });
  }

  /** Keeps the `budget` highest-scoring triplets over all targets: 1 = kept. */
  private patternFor(budget: number): Float32Array[] {
    const scores = this.scores();
    const flat = scores.flatMap((s) => [...s]);
    const drop = this.initBudget - budget;
    const keep = flat.map(() => 1);
    if (drop > 0) {
      // lowest scores first; equal scores by position, so exactly `drop` are masked
      const order = flat.map((_, i) => i).sort((i, j) => (flat[i] as number) - (flat[j] as number) || i - j);
      for (const i of order.slice(0, drop)) keep[i] = 0;
    }
    const r = this.s.initR;
    return scores.map((_, t) => Float32Array.from(keep.slice(t * r, (t + 1) * r)));
  }

  private applyPattern(pattern: readonly Float32Array[]): void {
    const { tf } = this;
    tf.tidy(() => {
      this.triplets.forEach(({ e }, t) => e.assign(tf.mul(e, tf.tensor1d(pattern[t] as Float32Array))));
    });
  }

  dispose(): void {
    for (const { ipt, unc } of this.state) {
      ipt.dispose();
      unc.dispose();
    }
  }
}

function zerosState(tf: TF, like: tfTypes.Variable): tfTypes.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(like), false));
}
