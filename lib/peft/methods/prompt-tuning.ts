import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { createRng, randInt } from '../model/random';

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
  toyLearningRate: 3e-2,
  // The prompt's own activations are counted by lengthening the sequence.
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedTokens: (c) => c.tokens },
  lineage: [{ id: 'prefix-tuning', how: 'a simplification: trained vectors before the input only, not in every layer', where: 'abstract' }],
  anatomy: (_arch, { tokens }): Attachment[] => [{ part: 'input', kind: 'added', note: `${tokens} trained prompt vectors` }],
  profile: (arch, { tokens }) => ({ tensors: [{ shape: [tokens, arch.hiddenSize], count: arch.stacks.length }] }),
  // HF PEFT's PromptEmbedding holds num_virtual_tokens × num_transformer_submodules rows (2 with
  // task_type SEQ_2_SEQ_LM, which the export sets for an encoder–decoder model); SAMPLE_VOCAB
  // starts them as copies of random vocabulary embeddings, as here.
  peft: ({ tokens }) => ({ configClass: 'PromptTuningConfig', args: { num_virtual_tokens: tokens, prompt_tuning_init: 'SAMPLE_VOCAB' } }),
  apply(model, { tokens }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const rows = Array.from({ length: tokens }, () => randInt(rng, 0, model.dims.vocabSize - 1));
    const prompt = tf.tidy(() => tf.variable(tf.gather(model.weight('wte'), rows) as tfTypes.Tensor2D, true));
    return {
      trainable: [prompt],
      hooks: { inputPrefix: () => prompt },
      dispose: () => prompt.dispose(),
    };
  },
});
