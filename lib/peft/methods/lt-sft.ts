import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import { type BlockPart, weightParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { type TensorGroup, embeddingWidth, groupsSize, matmulParams } from '../method-api/profile';
import type { ToyModel } from '../model/transformer';
import { maskSize, topK } from './fish-mask';

/**
 * LT-SFT, Lottery Ticket Sparse Fine-Tuning (Ansell, Ponti, Korhonen & Vulić, ACL 2022, arXiv
 * 2110.07560): fine-tune every eligible weight (phase 1), keep the K entries that moved furthest
 * from the pretrained values, |θ₁ − θ₀|, put every weight back to θ₀, and fine-tune again with only
 * those K entries free (phase 2). The result is a sparse difference φ = θ₂ − θ₀ with K non-zeros
 * that can be added to the base model, and to other such differences (a language SFT plus a task
 * SFT: θ₀ + φ_L + φ_T).
 *
 * Follows the authors' library, cambridgeltl/composable-sft at commit
 * 29f7872d018555ee84fb9620ba7d69df426a7bdb:
 * - src/sft/lt_sft.py, `_LotteryTicketSparseFineTuner.train`: phase 1 with masking disabled and a new
 *   optimizer and scheduler (`self.optimizer = None; self.lr_scheduler = None`), then
 *   `unfreeze_k_most_changed_params(K)`, then every parameter copied back to its value before phase 1,
 *   then phase 2 with masking enabled and, again, a new optimizer and scheduler. Its own lengths:
 *   `full_ft_*_per_iteration` and `sparse_ft_*_per_iteration` (sft_args.py).
 * - K: `ft_params_num`, or else int(ft_params_proportion × the maskable parameters), default
 *   proportion 0.01 (sft_args.py). The example scripts set the number: 14,155,776 for task SFTs
 *   (every train_*.sh under examples/ but the MLM one) and 7,667,712 for language SFTs
 *   (examples/language-modeling/train_mlm.sh; README: "Small" SFTs have ~7.6M parameters).
 *   The count is K (`trainedCount` on the toy) although phase 1 trains every eligible weight.
 * - Selection (`unfreeze_k_most_changed_params`): |θ₁ − θ₀| over every maskable entry at once, the
 *   threshold is the K-th largest (np.partition), and every entry `>= thresh` is kept. Ties at the
 *   threshold can make that more than K; we break ties by position (fish-mask's topK), so the mask
 *   holds exactly K.
 * - Which parameters are maskable: the example scripts take every parameter of the base model
 *   (`n.startswith(model.base_model_prefix) and p.requires_grad`), after `--freeze_layer_norm` (in
 *   every script) has frozen the LayerNorm parameters; the task head lies outside the base model and
 *   is fully trained and saved dense, and the MLM script also unties and freezes the output
 *   embeddings (`--freeze_decoder`). So token and position embeddings, every matrix and every bias
 *   are eligible. We read that as: every weight except the norms (`norms: 'frozen'`, the scripts;
 *   'eligible' is SftArguments' default) and an untied LM head (frozen, as `--freeze_decoder`); a
 *   tied head is the embedding table and stays eligible. The scripts find norms by the name
 *   'LayerNorm' (BERT's and XLM-R's spelling); we take every norm of the architecture.
 * - Masking (src/sft/trainer.py, `training_step`): gradients are multiplied by the mask before the
 *   optimizer step; optimizer state stays dense. Our AdamW masks its update (weight decay included),
 *   so every entry outside the mask stays bit-identical to θ₀.
 * - L1 (trainer.py): λ · Σ|θ − θ₀| / N over the trained parameters, N every parameter of the model,
 *   `full_l1_reg` in phase 1 and `sparse_l1_reg` in phase 2, both 0 by default; the MLM script sets
 *   both to 0.1, the task scripts neither. One setting `l1` here serves both phases.
 * - Saved (sft.py, `SFT.save`): the differences as a sparse tensor per parameter, values plus
 *   positions (delta-encoded int64 index steps); the dense head as "abs". We count K values and K
 *   indices (2K four-byte entries), as FISH Mask's profile.
 *
 * On the toy (one run shows both phases): phase 1 is the first `fullShare`% of the run's steps; at
 * its last step `onStep` selects the mask, restores θ₀, resets the optimizer and starts a fresh
 * schedule (warmup of one step, then linear decay from the peak to zero at the end of the run), as
 * the reference's new HF scheduler (its default has no warmup). Phase 1 itself follows the first
 * part of the run's single schedule, so its rate is not yet zero at the switch, where the reference's
 * phase 1 decays to zero by its own end.
 */

const NORM_EXTRA = /norm/i;

/** The tensors phase 1 trains on an architecture: every weight but an untied LM head and, unless `norms` is 'eligible', the norms. */
export function eligibleTensors(arch: Architecture, norms: string): TensorGroup[] {
  const h = arch.hiddenSize;
  const groups: TensorGroup[] = [{ shape: [arch.vocabSize, embeddingWidth(arch)], count: 1 }];
  if (arch.learnedPositions > 0) groups.push({ shape: [arch.learnedPositions, h], count: 1 });
  for (const s of arch.stacks) {
    for (const l of s.linears) {
      groups.push({ shape: [l.inFeatures, l.outFeatures], count: s.layers });
      if (l.bias) groups.push({ shape: [l.outFeatures], count: s.layers });
    }
    if (norms === 'eligible') {
      for (const n of s.norms) groups.push({ shape: [n.size], count: s.layers * (n.bias ? 2 : 1) });
      if (s.finalNorm) groups.push({ shape: [s.finalNorm.size], count: s.finalNorm.bias ? 2 : 1 });
    }
    if (s.extraParams > 0) groups.push({ shape: [s.extraParams], count: 1 });
  }
  // Outside the stacks: BERT's token types and pooler stay eligible, its embedding LayerNorm does not.
  for (const e of arch.extraParams) if (e.count > 0 && (norms === 'eligible' || !NORM_EXTRA.test(e.name))) groups.push({ shape: [e.count], count: 1 });
  return groups;
}

/** K: the number set, else the share of the eligible weights, rounded down (at least one). */
export function keptCount(eligible: number, share: number, k: number): number {
  return k > 0 ? k : maskSize(eligible, share);
}

const NORM_PARTS: readonly BlockPart[] = ['attn.norm', 'ffn.norm', 'final'];

/** Names of the toy's norm weights (`h.0.ln_1.weight`, `ln_f.bias`). */
function isToyNorm(model: ToyModel, name: string): boolean {
  const stack = model.arch.stacks[0]!;
  const leaf = /^h\.\d+\.(\w+)\.(weight|bias)$/.exec(name)?.[1];
  return name.startsWith(`${stack.finalNorm?.name ?? 'ln_f'}.`) || stack.norms.some((n) => n.name === leaf);
}

export const ltSft = defineMethod({
  id: 'lt-sft',
  name: 'LT-SFT',
  hyperparams: [
    {
      key: 'share',
      label: 'Kept share (%)',
      help: 'K as a percentage of the weights eligible for selection (the reference’s ft_params_proportion, default 1%). Not used when K is set.',
      kind: 'number',
      min: 0.001,
      max: 100,
      default: 1,
    },
    {
      key: 'k',
      label: 'Kept entries K',
      help: 'How many weights the sparse difference keeps (the reference’s ft_params_num; its example scripts use 14,155,776 for task SFTs and 7,667,712 for language SFTs). 0 uses the share.',
      kind: 'int',
      min: 0,
      max: 1e12,
      default: 0,
    },
    {
      key: 'norms',
      label: 'Norm weights',
      help: 'Whether norm gains and biases may be selected. Every example script of the reference passes --freeze_layer_norm, which freezes them.',
      kind: 'choice',
      options: [
        { value: 'frozen', label: 'Frozen (the example scripts)' },
        { value: 'eligible', label: 'Eligible' },
      ],
      default: 'frozen',
    },
    {
      key: 'fullShare',
      label: 'Phase 1 steps (%)',
      help: 'Share of the run spent fine-tuning every eligible weight before the K most-changed are kept and the weights reset. The reference gives each phase its own length; its NLI, sentiment and QA scripts make them equal.',
      kind: 'number',
      min: 1,
      max: 99,
      default: 50,
      toyOnly: true,
    },
    {
      key: 'l1',
      label: 'L1 towards θ₀ (λ)',
      help: 'Adds λ·Σ|θ − θ₀| / N to the loss in both phases (the reference’s full_l1_reg and sparse_l1_reg: 0 in its task scripts, 0.1 in its language-SFT script).',
      kind: 'number',
      min: 0,
      max: 1000,
      default: 0,
      toyOnly: true,
    },
  ],
  // 8% of the toy's 104,320 eligible weights (8,345): near the share the reference's task K is of
  // mBERT (14,155,776 of 177,853,440, our count from its config). Equal phases, as the reference's
  // NLI, sentiment and QA scripts.
  toyConfig: { share: 8 },
  toyLearningRate: 1e-2,
  traits: {
    backpropThroughBackbone: true,
    inference: 'unchanged',
    countNote: ({ share, k }) =>
      k > 0
        ? `The count is the chosen K = ${k.toLocaleString('en-US')}; which weights, the largest changes of a first full fine-tune decide.`
        : `The count is the chosen K, ${share}% of the weights eligible for selection; which weights, the largest changes of a first full fine-tune decide.`,
  },
  lineage: [],
  anatomy: (arch, { norms }) =>
    weightParts(arch)
      .filter((part) => !(norms === 'frozen' && NORM_PARTS.includes(part)) && !(part === 'head' && !arch.tiedEmbeddings))
      .map((part) => ({ part, kind: 'trained', note: 'the K most-changed weights, retrained from θ₀', chosenFromData: true })),
  profile(arch, { share, k, norms }) {
    const tensors = eligibleTensors(arch, norms);
    const kept = keptCount(groupsSize(tensors), share, k);
    return {
      // Phase 1 trains every eligible weight, and the reference's optimizer state stays dense.
      tensors,
      trainable: kept,
      // K values and K positions (one four-byte index per value), as FISH Mask's.
      saved: [{ shape: [kept], count: 2 }],
      trainableInBase: kept,
      // Every eligible matrix gets its weight gradient (phase 1 densely; phase 2 masks it afterwards).
      baseMatmulTrainable: matmulParams(arch) - (arch.tiedEmbeddings ? 0 : arch.vocabSize * embeddingWidth(arch)),
    };
  },
  notApplicable(arch, { share, k, norms }) {
    const eligible = groupsSize(eligibleTensors(arch, norms));
    const kept = keptCount(eligible, share, k);
    return kept > eligible ? `K = ${kept.toLocaleString('en-US')} is more than the ${eligible.toLocaleString('en-US')} weights of ${arch.name} eligible for selection.` : null;
  },
  apply(model, { share, k, norms, fullShare, l1 }) {
    const tf = model.tf;
    const eligible = [...model.weights].filter(([name]) => norms === 'eligible' || !isToyNorm(model, name)).map(([, v]) => v);
    const kept = keptCount(
      eligible.reduce((n, v) => n + v.size, 0),
      share,
      k,
    );
    // θ₀, and one mask per eligible weight, made now so the tensor count never changes in training.
    const theta0 = eligible.map((v) => tf.tidy(() => tf.keep(v.clone())));
    const maskVars = eligible.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    // Empty in phase 1 (every eligible entry trains); filled at the switch.
    const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
    const total = model.parameterCount();
    const l1Penalty =
      l1 > 0
        ? {
            // λ · Σ|θ − θ₀| / N, N every parameter of the model (the reference's `_num_params`); summed two at a time.
            regularizer: () => {
              const sum = eligible.map((v, i) => tf.sum(tf.abs(tf.sub(v, theta0[i]!)))).reduce((s, x) => tf.add(s, x), tf.scalar(0));
              return tf.mul(sum, l1 / total) as tfTypes.Scalar;
            },
          }
        : {};
    return {
      trainable: [...eligible],
      hooks: {},
      gradientMasks: masks,
      trainedCount: kept,
      ...l1Penalty,
      onStep({ step, totalSteps }) {
        if (totalSteps < 2 || step !== switchStep(totalSteps, fullShare)) return;
        const keep = selectMostChanged(
          eligible.map((v) => v.dataSync() as Float32Array),
          theta0.map((t) => t.dataSync() as Float32Array),
          kept,
        );
        eligible.forEach((v, i) => {
          tf.tidy(() => {
            maskVars[i]!.assign(tf.tensor(keep[i]!, v.shape));
            v.assign(theta0[i]!.clone());
          });
          masks.set(v, maskVars[i]!);
        });
        // A new optimizer and a new schedule for phase 2, as the reference's second `train()`.
        return { resetOptimizer: eligible, restartSchedule: { warmupSteps: 1, fresh: true } };
      },
      dispose() {
        masks.clear();
        tf.dispose([...theta0, ...maskVars]);
      },
    };
  },
});

/** The step after which phase 1 ends: the share of the run, at least one step into it and one before its end. */
export function switchStep(totalSteps: number, fullSharePercent: number): number {
  return Math.min(totalSteps - 1, Math.max(1, Math.round((totalSteps * fullSharePercent) / 100)));
}

/**
 * The masks of the K entries that moved furthest, |after − before|, over all tensors at once
 * (ties at the threshold going to the earliest positions): one 0/1 array per tensor.
 */
export function selectMostChanged(after: readonly Float32Array[], before: readonly Float32Array[], k: number): Float32Array[] {
  const size = after.reduce((n, a) => n + a.length, 0);
  const change = new Float32Array(size);
  let offset = 0;
  after.forEach((a, i) => {
    const b = before[i]!;
    for (let j = 0; j < a.length; j++) change[offset + j] = Math.abs((a[j] as number) - (b[j] as number));
    offset += a.length;
  });
  const keep = topK(change, k);
  offset = 0;
  return after.map((a) => {
    const part = Float32Array.from(keep.subarray(offset, offset + a.length));
    offset += a.length;
    return part;
  });
}

export type LtSftConfig = Parameters<typeof ltSft.apply>[1];
