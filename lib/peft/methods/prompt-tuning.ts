import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { createRng, randInt } from '../model/random';
import { TASKS, type Task } from '../model/tasks';
import { encode } from '../model/tokenizer';
import type { ToyModel } from '../model/transformer';

/** Lester et al.'s three initialisations (§3.2 of the paper). */
export const PROMPT_INITS = ['sample-vocab', 'class-labels', 'random-uniform'] as const;
export type PromptInit = (typeof PROMPT_INITS)[number];

/**
 * The starting prompt `[tokens, hidden]`, a tensor the caller owns:
 * - 'sample-vocab': copies of randomly drawn vocabulary embeddings;
 * - 'class-labels': one row per class of the task, the mean of the embeddings of its label word's
 *   tokens (the paper averages a multi-token label; on the toy's characters every label is one),
 *   the remaining rows sampled from the vocabulary as the paper does; without classes, as 'sample-vocab';
 * - 'random-uniform': uniform in [−0.5, 0.5], the paper's random initialisation.
 */
export function initialPrompt(model: ToyModel, tokens: number, init: PromptInit, { seed = 0, task = TASKS[0] as Task }: { seed?: number; task?: Task } = {}): tfTypes.Tensor2D {
  const tf = model.tf;
  const { vocabSize, hiddenSize } = model.dims;
  if (init === 'random-uniform') return tf.randomUniform([tokens, hiddenSize], -0.5, 0.5, 'float32', seed) as tfTypes.Tensor2D;
  const rng = createRng(seed);
  const labels = init === 'class-labels' ? (task.classes ?? []).slice(0, tokens) : [];
  const rows = Array.from({ length: tokens - labels.length }, () => randInt(rng, 0, vocabSize - 1));
  return tf.tidy(() => {
    const wte = model.weight('wte') as tfTypes.Tensor2D;
    const parts = labels.map((word) => tf.mean(tf.gather(wte, encode(word)), 0, true) as tfTypes.Tensor2D);
    if (rows.length > 0) parts.push(tf.gather(wte, rows) as tfTypes.Tensor2D);
    return tf.concat(parts, 0) as tfTypes.Tensor2D;
  });
}

/**
 * Prompt Tuning (Lester et al., 2021): l trainable vectors are placed before the embedded input
 * of a frozen model. They start as copies of randomly drawn vocabulary embeddings, one of the
 * paper's initialisations. Counting follows HF PEFT: an encoder–decoder model gets a prompt for
 * each stack (encoder and decoder), so it trains 2·l·d parameters.
 * On the toy model the virtual tokens carry no position embedding; real tokens keep theirs.
 */
export const promptTuning = defineMethod({
  id: 'prompt-tuning',
  name: 'Prompt Tuning',
  hyperparams: [{ key: 'tokens', label: 'Virtual tokens l', help: 'Number of trainable prompt vectors.', kind: 'int', min: 1, max: 512, default: 8 }],
  // Measured (scripts/benchmark-prompt-length.ts, the page's chart, 2 seeds, 300 steps): on the toy
  // a prompt needs length. Same topic? reaches 64% with 16 vectors (guessing: 50%; 18% with 4),
  // Topic 32% with 32 (guessing: 25%), Echo stays near 0 at every length. So the playground opens
  // on Same topic? with 16 vectors. 0.3 (the paper's rate, with Adafactor) pushes AdamW's per-entry
  // steps past the embeddings' spread (std 0.13) and learns less.
  toyLearningRate: 3e-2,
  toyConfig: { tokens: 16 },
  toyTask: 'pair',
  // The prompt's own activations are counted by lengthening the sequence.
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedTokens: (c) => c.tokens },
  lineage: [{ id: 'prefix-tuning', how: 'a simplification: trained vectors before the input only, not in every layer', where: 'abstract' }],
  anatomy: (_arch, { tokens }): Attachment[] => [{ part: 'input', kind: 'added', note: `${tokens} trained prompt vectors` }],
  profile: (arch, { tokens }) => ({ tensors: [{ shape: [tokens, arch.hiddenSize], count: arch.stacks.length }] }),
  // HF PEFT's PromptEmbedding holds num_virtual_tokens × num_transformer_submodules rows (2 with
  // task_type SEQ_2_SEQ_LM, which the export sets for an encoder–decoder model); SAMPLE_VOCAB
  // starts them as copies of random vocabulary embeddings, as here.
  peft: ({ tokens }) => ({ configClass: 'PromptTuningConfig', args: { num_virtual_tokens: tokens, prompt_tuning_init: 'SAMPLE_VOCAB' } }),
  apply(model, { tokens }, { seed = 0, task } = {}) {
    const start = initialPrompt(model, tokens, 'sample-vocab', { seed, ...(task ? { task } : {}) });
    const prompt = model.tf.variable(start, true);
    start.dispose();
    return {
      trainable: [prompt],
      hooks: { inputPrefix: () => prompt },
      dispose: () => prompt.dispose(),
    };
  },
});
