import type * as tfTypes from '@tensorflow/tfjs';
import { matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { biasAttachments, toyTrainedBiases, trainedBiases } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import { svd } from '../method-api/linalg';
import { targetsOutside } from '../method-api/outside';
import { type TensorGroup, embeddingWidth } from '../method-api/profile';
import { patternValue, readPattern } from '../method-api/pattern';
import { toyTargetSites } from '../method-api/toy-sites';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import { LORA_OPTIONS, loraProfile } from './lora';

/**
 * ReLoRA (Lialin et al., ICLR 2024, arXiv 2307.05695): LoRA whose update is merged into the frozen
 * weights every `resetEvery` steps and then started again, so that a sequence of rank-r updates
 * adds up to a change of W of higher rank: rank(Σ ΔWᵢ) ≤ Σ rank(ΔWᵢ).
 *
 * Follows the authors' code, Guitaricet/relora at commit 176f37633fe02019835387258ddabcf6d91e328d:
 * - peft_pretraining/relora.py, ReLoRaLinear: h = xW + (α/r)·x·A·B (our x·W layout; their lora_A is
 *   our Aᵀ). `merge_and_reinit`: W += (α/r)·A·B, A re-drawn with kaiming_uniform_(a = √5) (uniform in
 *   ±1/√in, as HF PEFT's LoRA), B set to zero, so the function is unchanged at the reset.
 * - torchrun_main.py wraps every nn.Linear whose name contains "attn", "attention" or "mlp" (all
 *   attention and MLP maps of LLaMA and Pythia); defaults: --lora_r 128, --lora_alpha 32.
 * - training_utils.py, optimizer_reset: after each merge, the optimizer state of the LoRA
 *   parameters (exp_avg and exp_avg_sq, not the step) is pruned tensor by tensor, either by
 *   magnitude (`magnitude_pruning_`: zero what is ≤ the prune-ratio quantile of |x|) or at random;
 *   the default `--reset_optimizer_on_relora` prunes 99.9% at random. We prune by magnitude, the
 *   paper's partial reset; `optimizerPruning` is the share removed. The reset runs through the
 *   trainer's `pruneOptimizer` action.
 * - `get_cosine_schedule_with_multiple_warmups`: after each reset the learning rate restarts from
 *   zero and climbs linearly over --restart_warmup_steps to the decaying schedule (the paper's
 *   "jagged" schedule, its Figure 2). Our trainer's `restartSchedule` does the same on the site's
 *   common schedule (linear decay rather than the code's cosine with a 10% floor).
 *
 * Simplified on the toy, and said so on the page:
 * - The code zeroes A as well as B when it wraps a model (`keep_original_weights`), so its LoRA
 *   factors get no gradient until the first reset re-draws A; in the meantime the parameters its
 *   wrapper leaves trainable (embeddings, norms, the LM head, biases) train alone, the paper's
 *   full-rank warm start. We fine-tune a pretrained toy with only the factors trainable, so A starts
 *   as at every re-initialisation.
 * - Counting: the code leaves every parameter outside the wrapped weights trainable (it is a
 *   pretraining recipe). We count what the method adds, LoRA's factors on its targets (loraProfile),
 *   and leave other trained modules to the training setup (modules_to_save), as for LoRA. What is
 *   saved is not an adapter: the restarts have changed every targeted weight, so the checkpoint
 *   holds those weights (the authors' save_pretrained writes the whole model).
 * - No reset at the run's last step: the update left unmerged then merges as LoRA's does.
 * HF PEFT has no ReLoRA (huggingface/peft at 5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40 has no such
 * tuner), so there is no export; the authors' code is itself a wrapper of its own, not of PEFT.
 */
export const relora = defineMethod({
  id: 'relora',
  name: 'ReLoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of each low-rank update AB (the authors’ --lora_r, default 128).', kind: 'int', min: 1, max: 1024, default: 128 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r (the authors’ --lora_alpha, default 32).', kind: 'number', min: 0.01, max: 4096, default: 32 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model. The authors wrap every attention and MLP map.',
      kind: 'modules',
      // Every linear map of attention and the MLP, as the authors' substring match on "attn",
      // "attention" and "mlp" selects in LLaMA and Pythia (a MoE router is not among them).
      defaultRoles: ['attn.q', 'attn.k', 'attn.v', 'attn.qkv', 'attn.o', 'cross.q', 'cross.k', 'cross.v', 'cross.o', 'mlp.in', 'mlp.gate', 'mlp.out'],
      outside: ['embedding', 'lmHead'],
    },
    ...LORA_OPTIONS,
    {
      key: 'resetEvery',
      label: 'Merge every (steps)',
      help: 'Steps between two merge-and-restarts (the authors’ --relora; 5,000 in their README’s 250M example).',
      kind: 'int',
      min: 2,
      max: 100_000,
      default: 5000,
      toyOnly: true,
    },
    {
      key: 'restartWarmup',
      label: 'Re-warmup (steps)',
      help: 'After each restart the learning rate climbs back from zero over this many steps (the authors’ --restart_warmup_steps, 100 in their examples).',
      kind: 'int',
      min: 1,
      max: 10_000,
      default: 100,
      toyOnly: true,
    },
    {
      key: 'optimizerPruning',
      label: 'Optimizer state pruned',
      help: 'Share of the Adam state of A and B zeroed at each restart: the entries with the smallest second moments (1 = a full reset).',
      kind: 'number',
      min: 0,
      max: 1,
      default: 0.99,
      toyOnly: true,
    },
  ],
  rankParam: 'r',
  // Rank 4 on all six maps: 300 playground steps hold 11 restarts, enough for the merged update of a
  // 64-wide map to pass rank 4 many times over. α/r = 2, as LoRA's toy run.
  toyConfig: { r: 4, alpha: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'], resetEvery: 25, restartWarmup: 3 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    modifiesBaseWeights: true,
    atInference: 'Every restart has already written its update into the weights; only the last, unmerged one is left to merge.',
  },
  lineage: [{ id: 'lora', how: 'merges LoRA into the weights and restarts it, so low-rank steps add up to a high-rank update', where: '§3' }],
  anatomy: (arch, { r, targets, bias, rankPattern }) => [
    ...attachAll(targetParts(arch, targets), 'added', `${rankPattern ? 'low-rank' : `rank-${r}`} update BA, merged into W and restarted`),
    ...biasAttachments(arch, bias, targets),
  ],
  profile(arch, config) {
    const lowRank = loraProfile(arch, config);
    // Each restart writes its update into W, so what training leaves behind is every targeted
    // weight, changed at full rank (with the last update merged too), not an adapter: the
    // checkpoint holds those weights and the trained biases.
    const weights: TensorGroup[] = arch.stacks.flatMap((s) => matchingLinears(s, config.targets).map((l) => ({ shape: [l.inFeatures, l.outFeatures], count: s.layers })));
    if (targetsOutside(arch, config.targets, 'embedding')) weights.push({ shape: [arch.vocabSize, embeddingWidth(arch)], count: 1 });
    if (targetsOutside(arch, config.targets, 'lmHead')) weights.push({ shape: [embeddingWidth(arch), arch.vocabSize], count: 1 });
    return { ...lowRank, saved: [...weights, ...trainedBiases(arch, config.bias, config.targets)] };
  },
  apply(model, config, { seed = 0 } = {}) {
    const tf = model.tf;
    const { r, alpha, targets, rankPattern, alphaPattern, resetEvery, restartWarmup, optimizerPruning } = config;
    const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
    const rng = createRng(seed);
    const factors: { a: tfTypes.Variable; b: tfTypes.Variable; bound: number }[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const rr = patternValue(ranks, site.path, r);
      const scale = patternValue(alphas, site.path, alpha) / rr;
      const bound = 1 / Math.sqrt(site.inFeatures);
      const a = uniformVariable(tf, rng, [site.inFeatures, rr], bound);
      const b = zerosVariable(tf, [rr, site.outFeatures]);
      factors.push({ a, b, bound });
      return {
        matrix: () => tf.mul(tf.matMul(a, b), scale),
        forward: (x) => tf.mul(tf.matMul(tf.matMul(x, a), b), scale),
      };
    });
    const lowRank = factors.flatMap(({ a, b }) => [a, b]);
    const biases = toyTrainedBiases(model, config.bias, targets);
    return {
      trainable: [...lowRank, ...biases],
      hooks: delta.hooks,
      merge: delta.merge,
      unmerge: delta.unmerge,
      onStep({ step, totalSteps }) {
        if (step % resetEvery !== 0 || step >= totalSteps) return;
        // Merge-and-reinit: W ← W + (α/r)·A·B, then A fresh and B zero, so the outputs stay put.
        delta.fold();
        tf.tidy(() => {
          for (const { a, b, bound } of factors) {
            a.assign(tf.tensor(Float32Array.from({ length: a.size }, () => (2 * rng() - 1) * bound), a.shape));
            b.assign(tf.zerosLike(b));
          }
        });
        return { pruneOptimizer: { variables: lowRank, keep: 1 - optimizerPruning }, restartSchedule: { warmupSteps: restartWarmup } };
      },
      // The merges are training, as the optimizer's steps are: W keeps them. What goes is A, B and
      // any copy of W an unfinished merge() holds.
      dispose: () => {
        delta.dispose();
        disposeAll(lowRank);
      },
    };
  },
});

/**
 * The number of singular values of a `rows × cols` float32 matrix that stand above rounding:
 * σ > σ_max · max(rows, cols) · ε with ε = 2⁻²³ (float32), NumPy's `matrix_rank` rule.
 */
export function numericalRank(singularValues: readonly number[], rows: number, cols: number): number {
  const top = singularValues[0] ?? 0;
  const tolerance = top * Math.max(rows, cols) * 2 ** -23;
  return singularValues.filter((s) => s > tolerance).length;
}

/** Singular values (largest first) and numerical rank of W − W₀ for one weight, `[in, out]` row-major. */
export function updateSpectrum(current: ArrayLike<number>, start: ArrayLike<number>, rows: number, cols: number): { singularValues: number[]; rank: number } {
  const difference = Float64Array.from({ length: rows * cols }, (_, i) => (current[i] as number) - (start[i] as number));
  const { s } = svd(difference, rows, cols);
  return { singularValues: s, rank: numericalRank(s, rows, cols) };
}

export type ReloraConfig = Parameters<typeof relora.apply>[1];
