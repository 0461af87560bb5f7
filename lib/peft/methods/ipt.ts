import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { AppliedMethod } from '../method-api/types';
import { disposeAll, normalVariable, uniformVariable } from '../model/params';
import { type Rng, createRng } from '../model/random';
import { type TaskId, findTask } from '../model/tasks';
import type { ToyModel } from '../model/transformer';
import { promptTuning } from './prompt-tuning';
import { fitMixture, promptTuningConfig, sourceTasks } from './spot';

/**
 * IPT, Intrinsic Prompt Tuning (Qin et al., arXiv 2110.07867), in two stages.
 *
 * Multi-task subspace finding (MSF): soft prompts P_i (l × d) are tuned on several source tasks;
 * an auto-encoder then learns to reconstruct them through d_I dimensions: a projection
 * Proj(P) = W₁·vec(P) + b₁ down to d_I, and a back-projection
 *     Proj_b(z) = W₃·tanh(W₂·z + b₂) + b₃   (d_I → m → l·d)
 * up again. Its loss is the task loss of each source task read through its reconstructed prompt
 * plus α times the mean squared reconstruction error. Intrinsic subspace tuning (IST): on a new
 * task only z ∈ ℝ^{d_I} is trained, the prompt being Proj_b(z) with Proj_b frozen.
 *
 * The structure follows the authors' code (thunlp/Intrinsic-Prompt-Tuning, bartPrompt.py,
 * `MyBartPrompt_AE` with AE_type 1, the type their MSF and IST scripts use): W₁ one linear map,
 * m = 768 = BART-base's d_model (here: the model's hidden size), α = 200 (`alpha_AE`'s default in
 * cli_multitask_AE.py), z drawn from N(0, 0.02²) (`prompt_task`, init_weights_prompt), the
 * auto-encoder's linear maps with PyTorch's default uniform ±1/√fan_in initialisation. The
 * prompt is placed before the encoder's input only, so an encoder–decoder model has one.
 *
 * Counting: the target run trains d_I scalars (the paper's "250 free parameters" with d_I = 250);
 * the task's checkpoint is those d_I numbers. Serving them also needs the shared back-projection,
 * d_I·m + m + m·l·d + l·d numbers kept once for every task, and MSF trains the whole auto-encoder
 * (`iptAutoencoderParams`).
 *
 * On the toy, `calibrate` runs MSF with `ctx.fit`: one prompt per source task (initialised and
 * trained as prompt tuning's, `sourceSteps` steps each), then `autoencoderSteps` steps of the
 * auto-encoder over the source tasks in round-robin chunks (fitMixture; the paper mixes tasks in a
 * batch). The source prompts are freed afterwards. `sourceSteps` 0 skips MSF: the subspace is
 * the randomly initialised back-projection (the authors' code has this ablation as
 * `--AE_recover_random`), the baseline the transfer is measured against.
 */

/** α: weight of the reconstruction error in MSF (the authors' `alpha_AE` default). */
export const RECONSTRUCTION_WEIGHT = 200;
/** Learning rate of the auto-encoder during MSF on the toy (our choice). */
export const AUTOENCODER_LEARNING_RATE = 5e-3;
const CODE_STD = 0.02;

/** Width of the prompt an architecture gets: l·d, one prompt before the first stack's input. */
function promptSize(arch: Architecture, tokens: number): number {
  return tokens * arch.hiddenSize;
}

/** Scalars of the auto-encoder MSF trains: Proj (l·d → d_I) and Proj_b (d_I → m → l·d), m = d. */
export function iptAutoencoderParams(arch: Architecture, { tokens, dim }: { tokens: number; dim: number }): number {
  const p = promptSize(arch, tokens);
  const m = arch.hiddenSize;
  return p * dim + dim + backProjectionParams(p, m, dim);
}

/** Scalars of the frozen back-projection every task's coordinates need to become a prompt. */
export function iptBackProjectionParams(arch: Architecture, { tokens, dim }: { tokens: number; dim: number }): number {
  return backProjectionParams(promptSize(arch, tokens), arch.hiddenSize, dim);
}

function backProjectionParams(p: number, m: number, dim: number): number {
  return dim * m + m + m * p + p;
}

/** The parts of an applied IPT a test inspects: the coordinates and the frozen back-projection. */
export interface IptParts {
  code: tfTypes.Variable;
  backProjection: { w2: tfTypes.Variable; b2: tfTypes.Variable; w3: tfTypes.Variable; b3: tfTypes.Variable };
  /** The prompt Proj_b(code), [l, d]. */
  prompt(): tfTypes.Tensor2D;
  /** Held-out loss and exact match of each source task after MSF (empty without MSF). */
  sources: ReadonlyMap<TaskId, { loss: number; accuracy: number }>;
}

const parts = new WeakMap<AppliedMethod, IptParts>();

export function iptParts(applied: AppliedMethod): IptParts {
  const p = parts.get(applied);
  if (!p) throw new Error('not an applied IPT');
  return p;
}

/** A linear map's weight and bias with PyTorch's default nn.Linear initialisation. */
function linear(model: ToyModel, rng: Rng, inF: number, outF: number): [tfTypes.Variable, tfTypes.Variable] {
  const bound = 1 / Math.sqrt(inF);
  return [uniformVariable(model.tf, rng, [inF, outF], bound), uniformVariable(model.tf, rng, [outF], bound)];
}

export const ipt = defineMethod({
  id: 'ipt',
  name: 'IPT',
  hyperparams: [
    { key: 'tokens', label: 'Virtual tokens l', help: 'Length of the soft prompt the subspace produces (the paper: 100).', kind: 'int', min: 1, max: 512, default: 8 },
    { key: 'dim', label: 'Intrinsic dimension d_I', help: 'Coordinates trained on a new task: the dimension of the subspace.', kind: 'int', min: 1, max: 100_000, default: 250 },
    {
      key: 'sources',
      label: 'Source tasks',
      help: 'The tasks whose prompts the subspace is found from (never the run’s task itself).',
      kind: 'choice',
      options: [
        { value: 'group', label: 'Related tasks (the target’s group)' },
        { value: 'all', label: 'Every other task' },
      ],
      default: 'group',
      toyOnly: true,
    },
    {
      key: 'sourceSteps',
      label: 'Steps per source prompt',
      help: 'Prompt-tuning steps on each source task; 0 skips finding the subspace (a random back-projection).',
      kind: 'int',
      min: 0,
      max: 2000,
      default: 40,
      toyOnly: true,
    },
    {
      key: 'autoencoderSteps',
      label: 'Auto-encoder steps',
      help: 'Steps training the auto-encoder on the source prompts and tasks.',
      kind: 'int',
      min: 0,
      max: 2000,
      default: 40,
      toyOnly: true,
    },
  ],
  // z is 8 numbers behind a tanh layer: a high rate moves it within a few dozen steps (measured on
  // topic, 40 steps: 0.2 lowered the loss more than 0.05; 0.5 no further).
  toyLearningRate: 0.2,
  toyConfig: { dim: 8 },
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedTokens: (c) => c.tokens },
  lineage: [{ id: 'prompt-tuning', how: "finds a low-dimensional subspace of many tasks' soft prompts and tunes only coordinates in it", where: 'abstract' }],
  anatomy: (_arch, { tokens, dim }): Attachment[] => [{ part: 'input', kind: 'added', note: `${tokens} prompt vectors from ${dim} trained coordinates` }],
  profile: (_arch, { dim }) => ({ tensors: [{ shape: [dim], count: 1 }] }),
  apply(model, { tokens, dim, sources, sourceSteps, autoencoderSteps }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed + 1);
    const hidden = model.dims.hiddenSize;
    const size = tokens * hidden;
    const [w1, b1] = linear(model, rng, size, dim);
    const [w2, b2] = linear(model, rng, dim, hidden);
    const [w3, b3] = linear(model, rng, hidden, size);
    const code = normalVariable(tf, rng, [1, dim], CODE_STD);
    const backProject = (z: tfTypes.Tensor2D): tfTypes.Tensor2D =>
      tf.tidy(() => tf.reshape(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(z, w2), b2)), w3), b3), [tokens, hidden]));
    const reconstruct = (p: tfTypes.Tensor2D): tfTypes.Tensor2D => tf.tidy(() => backProject(tf.add(tf.matMul(tf.reshape(p, [1, size]), w1), b1)));
    const sourceResults = new Map<TaskId, { loss: number; accuracy: number }>();

    const applied: AppliedMethod = {
      trainable: [code],
      hooks: { inputPrefix: () => backProject(code as tfTypes.Tensor as tfTypes.Tensor2D) },
      calibrate(ctx) {
        const tasks = sourceTasks(sources, ctx.task.id);
        if (sourceSteps === 0 || tasks.length === 0) return;
        // MSF, stage 1: a prompt per source task, tuned and initialised as prompt tuning's.
        const prompts = tasks.map((task, i) => {
          const source = promptTuning.apply(model, promptTuningConfig(model.arch, tokens, true), { seed: seed + 101 * (i + 1), task: findTask(task) });
          const [prompt] = source.trainable as [tfTypes.Variable];
          ctx.fit({ task, trainable: [prompt], hooks: source.hooks, steps: sourceSteps, learningRate: promptTuning.toyLearningRate });
          return [task, prompt] as const;
        });
        const promptOf = new Map(prompts);
        // MSF, stage 2: the auto-encoder, through each task's reconstructed prompt, prompts frozen.
        try {
          const results = fitMixture(ctx, tasks, autoencoderSteps, (task) => {
            const target = promptOf.get(task) as tfTypes.Variable as tfTypes.Tensor as tfTypes.Tensor2D;
            return {
              trainable: [w1, b1, w2, b2, w3, b3],
              hooks: { inputPrefix: () => reconstruct(target) },
              regularizer: () => tf.tidy(() => tf.mul(RECONSTRUCTION_WEIGHT, tf.mean(tf.square(tf.sub(reconstruct(target), target))))),
              learningRate: AUTOENCODER_LEARNING_RATE,
            };
          });
          for (const [task, result] of results) sourceResults.set(task, result);
        } finally {
          disposeAll(prompts.map(([, p]) => p));
        }
      },
      dispose: () => disposeAll([w1, b1, w2, b2, w3, b3, code]),
    };
    parts.set(applied, {
      code,
      backProjection: { w2, b2, w3, b3 },
      prompt: () => backProject(code as tfTypes.Tensor as tfTypes.Tensor2D),
      sources: sourceResults,
    });
    return applied;
  },
});
