import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { normalVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import { TASKS } from '../model/tasks';
import { prefixTuning } from './prefix-tuning';

/**
 * HF PEFT's prefix width and depth (peft/utils/other.py `_prepare_prompt_learning_config`,
 * huggingface/peft at 5d602fd): token_dim is the config's hidden size, scaled by kv heads / heads
 * when the config names num_key_value_heads (rounding the head size down, as its integer division
 * does); num_layers is the config's layer count, which is the encoder's on T5. On a model whose
 * config has no num_key_value_heads, kv heads equal heads and the formula gives the hidden size.
 */
export function hfPrefixShape(arch: Architecture): { layers: number; tokenDim: number } {
  const [stack] = arch.stacks;
  if (!stack) throw new Error(`${arch.name} has no layers`);
  const { heads, kvHeads } = stack.attention;
  return { layers: stack.layers, tokenDim: Math.floor(arch.hiddenSize / heads) * kvHeads };
}

/** Where HF PEFT's prefixes differ from the model's attention, in one or two sentences. */
function hfNote(arch: Architecture): string | null {
  const { tokenDim } = hfPrefixShape(arch);
  const notes: string[] = [];
  if (arch.stacks.length > 1) {
    notes.push(`On an encoder–decoder model HF PEFT puts these prefixes in the decoder only (its self- and cross-attention share one set), not in the encoder as P-Tuning v2 does.`);
  }
  const keyWidth = arch.stacks[0]!.attention.kvHeads * arch.stacks[0]!.attention.headDim;
  if (keyWidth !== tokenDim) {
    notes.push(`HF PEFT sizes each prefix vector as ${tokenDim} wide (hidden size / heads × kv heads), but ${arch.name}'s keys are ${keyWidth} wide, so its prefixes would not fit the attention as built; the count follows HF PEFT.`);
  }
  return notes.length > 0 ? notes.join(' ') : null;
}

/**
 * P-Tuning v2 (Liu et al., 2022): deep prompt tuning, trained keys and values in front of every
 * layer's own (as Prefix-Tuning), adapted to language understanding. The paper trains the
 * prefixes directly: its reparametrisation MLP is optional, helpful on some tasks only (§3.3), and
 * HF PEFT's recipe for P-Tuning v2 is PrefixTuningConfig with prefix_projection=False. For
 * classification it replaces the verbalizer and LM head by a randomly initialised linear head over
 * the classes, on top of the tokens as in BERT (§3.3; the authors' code puts a Linear(hidden,
 * labels) on BERT's pooled output).
 *
 * Counting follows HF PEFT's flat PrefixEncoder: l × num_layers × 2 × token_dim (see
 * hfPrefixShape). The class head is not counted here: on real models it belongs to the training
 * setup's classification task, which adds the head of the model's *ForSequenceClassification
 * class (lib/peft/cost/task.ts), as HF PEFT's task_type SEQ_CLS adds it to modules_to_save. On the
 * toy the head is the linear map the paper describes, returned as `taskHead`.
 *
 * The toy reuses Prefix-Tuning's flat prefixes (standard normal, as PyTorch's nn.Embedding in HF
 * PEFT and the authors' code); the head reads the final hidden state where the answer starts (the
 * toy is a causal decoder, so that is the one position that has seen the whole input), weight
 * normal with std 0.02 and bias zero (BERT's initialiser, which the authors' RoBERTa class applies).
 * The authors' dropout on the prefixes is left out.
 */
export const pTuningV2 = defineMethod({
  id: 'p-tuning-v2',
  name: 'P-Tuning v2',
  hyperparams: [
    {
      key: 'tokens',
      label: 'Prompt length l',
      help: 'Trained keys and values placed before every layer’s own. The paper finds simple classification best with under 20, hard sequence labelling with about 100.',
      kind: 'int',
      min: 1,
      max: 512,
      default: 20,
    },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { tokens: 8 },
  toyTasks: 'classification',
  toyTask: 'topic',
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedKeyValues: (c) => c.tokens },
  lineage: [{ id: 'prefix-tuning', how: 'deep prompts in every layer as in prefix tuning, optimised and adapted for language understanding', where: 'abstract' }],
  anatomy: (_arch, { tokens }): Attachment[] => [
    { part: 'attn.kv-prefix', kind: 'added', note: `${tokens} trained keys and values per layer` },
    { part: 'head', kind: 'added', note: 'a linear head over the classes' },
  ],
  profile(arch, { tokens }) {
    const { layers, tokenDim } = hfPrefixShape(arch);
    // The prefixes multiply nothing (they are keys and values): no added matrix products.
    return { tensors: [{ shape: [tokens, layers * 2 * tokenDim], count: 1 }], addedMatmul: 0, inferenceMatmul: 0 };
  },
  peft: ({ tokens }, arch) => {
    const note = hfNote(arch);
    return { configClass: 'PrefixTuningConfig', args: { num_virtual_tokens: tokens, prefix_projection: false }, ...(note ? { note } : {}) };
  },
  apply(model, { tokens }, { seed = 0, task = TASKS[0]! } = {}) {
    const tf = model.tf;
    const classes = task.classes?.length;
    if (!classes) throw new Error(`P-Tuning v2 trains a head over a task's classes, and "${task.name}" has none`);
    const prefixes = prefixTuning.apply(model, { tokens, projection: 'none', bottleneck: 1 }, { seed });
    const rng = createRng(seed + 1);
    const weight = normalVariable(tf, rng, [model.dims.hiddenSize, classes], 0.02);
    const bias = zerosVariable(tf, [classes]);
    return {
      trainable: [...prefixes.trainable, weight, bias],
      taskHead: [weight, bias],
      hooks: prefixes.hooks,
      // Its own tidy: callers may run it outside one (evaluation), and the product must not leak.
      classifier: (features) => tf.tidy(() => tf.add(tf.matMul(features, weight as tfTypes.Tensor2D), bias) as tfTypes.Tensor2D),
      dispose: () => {
        prefixes.dispose();
        weight.dispose();
        bias.dispose();
      },
    };
  },
});
