import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { TensorGroup } from '../method-api/profile';
import { disposeAll, normalVariable, uniformVariable } from '../model/params';
import { type Rng, createRng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * The parameters of HF PEFT's PromptEncoder (peft/tuners/p_tuning/model.py, huggingface/peft at
 * 5d602fd) besides its embedding, as tensor shapes. `d` is token_dim (the model's hidden size),
 * `h` encoder_hidden_size.
 * - MLP: Linear(d, h), ReLU, Linear(h, h), ReLU, Linear(h, d), every Linear with a bias.
 * - LSTM: torch.nn.LSTM(d, h, num_layers, bidirectional): per layer and direction W_ih (4h × in),
 *   W_hh (4h × h) and two biases of 4h (b_ih and b_hh; PyTorch keeps both), `in` being d in the
 *   first layer and 2h after it; then Linear(2h, 2h), ReLU, Linear(2h, d).
 */
function encoderTensors(d: number, h: number, encoder: string, lstmLayers: number): TensorGroup[] {
  if (encoder === 'lstm') {
    const recurrent: TensorGroup[] = Array.from({ length: lstmLayers }, (_, layer): TensorGroup[] => {
      const input = layer === 0 ? d : 2 * h;
      return [
        { shape: [input, 4 * h], count: 2 },
        { shape: [h, 4 * h], count: 2 },
        { shape: [4 * h], count: 4 },
      ];
    }).flat();
    return [...recurrent, { shape: [2 * h, 2 * h], count: 1 }, { shape: [2 * h], count: 1 }, { shape: [2 * h, d], count: 1 }, { shape: [d], count: 1 }];
  }
  return [
    { shape: [d, h], count: 1 },
    { shape: [h], count: 1 },
    { shape: [h, h], count: 1 },
    { shape: [h], count: 1 },
    { shape: [h, d], count: 1 },
    { shape: [d], count: 1 },
  ];
}

/** A Linear layer as PyTorch initialises it: weight and bias uniform in ±1/√fan_in. */
function linearVariables(tf: TF, rng: Rng, fanIn: number, fanOut: number): [tfTypes.Variable, tfTypes.Variable] {
  const bound = 1 / Math.sqrt(fanIn);
  return [uniformVariable(tf, rng, [fanIn, fanOut], bound), uniformVariable(tf, rng, [fanOut], bound)];
}

interface LstmDirection {
  inputWeight: tfTypes.Variable;
  hiddenWeight: tfTypes.Variable;
  inputBias: tfTypes.Variable;
  hiddenBias: tfTypes.Variable;
}

/**
 * One direction of one LSTM layer over the rows of `x` [steps, in], written with core ops (no
 * tf.layers): PyTorch's gate order i, f, g, o; c ← f·c + i·g, h ← o·tanh(c); zero initial state.
 * The input projections of all steps are one matrix product; only the recurrence loops.
 */
function lstmDirection(tf: TF, x: tfTypes.Tensor2D, w: LstmDirection, hidden: number, reverse: boolean): tfTypes.Tensor2D {
  const steps = x.shape[0];
  const projected = tf.add(tf.add(tf.matMul(x, w.inputWeight as tfTypes.Tensor2D), w.inputBias), w.hiddenBias) as tfTypes.Tensor2D;
  let h = tf.zeros([1, hidden]) as tfTypes.Tensor2D;
  let c = tf.zeros([1, hidden]) as tfTypes.Tensor2D;
  const outputs: tfTypes.Tensor2D[] = new Array(steps);
  for (let i = 0; i < steps; i++) {
    const t = reverse ? steps - 1 - i : i;
    const gates = tf.add(tf.slice(projected, [t, 0], [1, 4 * hidden]), tf.matMul(h, w.hiddenWeight as tfTypes.Tensor2D)) as tfTypes.Tensor2D;
    const gate = (k: number) => tf.slice(gates, [0, k * hidden], [1, hidden]);
    c = tf.add(tf.mul(tf.sigmoid(gate(1)), c), tf.mul(tf.sigmoid(gate(0)), tf.tanh(gate(2))));
    h = tf.mul(tf.sigmoid(gate(3)), tf.tanh(c));
    outputs[t] = h;
  }
  return tf.concat(outputs, 0);
}

/**
 * P-Tuning (Liu et al., 2021, "GPT Understands, Too"): l virtual tokens whose embeddings are the
 * output of a small prompt encoder, so that they are trained jointly rather than independently;
 * the model stays frozen. The paper's encoder is a bidirectional LSTM followed by a ReLU MLP
 * (§3.2); HF PEFT's PromptEncoder offers that ('lstm') and a three-layer ReLU MLP ('mlp', its
 * default and recommended choice). After training the encoder is evaluated once and only its
 * output, the virtual-token embeddings, is kept.
 *
 * Counting follows HF PEFT's PromptEncoder: an embedding of l × num_transformer_submodules rows
 * (2 for an encoder–decoder model with task_type SEQ_2_SEQ_LM, which the export sets, as in
 * prompt-tuning.ts) of width d, plus the encoder; it saves the encoder's output for those rows
 * (get_prompt_embedding_to_save). Initialisation follows PyTorch's defaults as HF PEFT leaves
 * them: the embedding standard normal, each Linear uniform in ±1/√fan_in, each LSTM weight and
 * bias uniform in ±1/√h.
 *
 * On the toy the virtual tokens go before the input (HF PEFT's placement); the paper's templates
 * may also place some between input tokens. They carry no position embedding; real tokens keep
 * theirs. The encoder runs once per forward pass, on the l rows only.
 */
export const pTuning = defineMethod({
  id: 'p-tuning',
  name: 'P-Tuning',
  hyperparams: [
    { key: 'tokens', label: 'Virtual tokens l', help: 'Prompt vectors placed before the input, all produced by the prompt encoder.', kind: 'int', min: 1, max: 512, default: 20 },
    {
      key: 'encoder',
      label: 'Prompt encoder',
      help: 'What turns the trained embeddings into virtual tokens during training: HF PEFT’s three-layer MLP (its default) or the paper’s bidirectional LSTM with an MLP on top.',
      kind: 'choice',
      options: [
        { value: 'mlp', label: 'MLP (HF PEFT default)' },
        { value: 'lstm', label: 'Bidirectional LSTM + MLP (the paper)' },
      ],
      default: 'mlp',
    },
    { key: 'hidden', label: 'Encoder width', help: 'Hidden size of the prompt encoder (HF PEFT’s encoder_hidden_size; its examples use 128).', kind: 'int', min: 1, max: 8192, default: 128 },
    { key: 'lstmLayers', label: 'LSTM layers', help: 'Stacked bidirectional LSTM layers (HF PEFT’s encoder_num_layers, default 2); the MLP ignores it.', kind: 'int', min: 1, max: 4, default: 2 },
  ],
  toyLearningRate: 3e-2,
  toyConfig: { tokens: 8, hidden: 32 },
  // Input prompts learn slowly at toy scale; the two-class task shows it best (measured, see the page).
  toyTask: 'pair',
  // The prompt lengthens every sequence by l; the encoder runs once per batch on l rows, so its
  // share of the per-token compute is negligible and it is gone at inference.
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedTokens: (c) => c.tokens },
  lineage: [],
  anatomy: (_arch, { tokens, encoder }): Attachment[] => [
    { part: 'input', kind: 'added', note: `${tokens} virtual tokens from ${encoder === 'lstm' ? 'an LSTM' : 'an MLP'} prompt encoder` },
  ],
  profile(arch, { tokens, encoder, hidden, lstmLayers }) {
    const d = arch.hiddenSize;
    const rows = tokens * arch.stacks.length;
    return {
      tensors: [{ shape: [rows, d], count: 1 }, ...encoderTensors(d, hidden, encoder, lstmLayers)],
      saved: [{ shape: [rows, d], count: 1 }],
      addedMatmul: 0,
      inferenceMatmul: 0,
    };
  },
  peft: ({ tokens, encoder, hidden, lstmLayers }) => ({
    configClass: 'PromptEncoderConfig',
    args: {
      num_virtual_tokens: tokens,
      encoder_reparameterization_type: encoder === 'lstm' ? 'LSTM' : 'MLP',
      encoder_hidden_size: hidden,
      // HF PEFT warns when it is set for the MLP, which always has three Linear layers.
      encoder_num_layers: encoder === 'lstm' ? lstmLayers : undefined,
    },
  }),
  apply(model, { tokens, encoder, hidden: h, lstmLayers }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const d = model.dims.hiddenSize;
    const all: tfTypes.Variable[] = [];
    const make = <T extends tfTypes.Variable[]>(...vs: T): T => (all.push(...vs), vs);

    const [embedding] = make(normalVariable(tf, rng, [tokens * model.arch.stacks.length, d], 1));
    let encode: (x: tfTypes.Tensor2D) => tfTypes.Tensor2D;
    if (encoder === 'lstm') {
      const bound = 1 / Math.sqrt(h);
      const direction = (input: number): LstmDirection => {
        const [inputWeight, hiddenWeight, inputBias, hiddenBias] = make(
          uniformVariable(tf, rng, [input, 4 * h], bound),
          uniformVariable(tf, rng, [h, 4 * h], bound),
          uniformVariable(tf, rng, [4 * h], bound),
          uniformVariable(tf, rng, [4 * h], bound),
        );
        return { inputWeight, hiddenWeight, inputBias, hiddenBias };
      };
      const layers = Array.from({ length: lstmLayers }, (_, i) => [direction(i === 0 ? d : 2 * h), direction(i === 0 ? d : 2 * h)] as const);
      const [w1, b1] = make(...linearVariables(tf, rng, 2 * h, 2 * h));
      const [w2, b2] = make(...linearVariables(tf, rng, 2 * h, d));
      encode = (x) => {
        let seq = x;
        for (const [forward, backward] of layers) seq = tf.concat([lstmDirection(tf, seq, forward, h, false), lstmDirection(tf, seq, backward, h, true)], 1);
        const mid = tf.relu(tf.add(tf.matMul(seq, w1 as tfTypes.Tensor2D), b1));
        return tf.add(tf.matMul(mid, w2 as tfTypes.Tensor2D), b2) as tfTypes.Tensor2D;
      };
    } else {
      const [w1, b1] = make(...linearVariables(tf, rng, d, h));
      const [w2, b2] = make(...linearVariables(tf, rng, h, h));
      const [w3, b3] = make(...linearVariables(tf, rng, h, d));
      encode = (x) => {
        const a = tf.relu(tf.add(tf.matMul(x, w1 as tfTypes.Tensor2D), b1));
        const b = tf.relu(tf.add(tf.matMul(a, w2 as tfTypes.Tensor2D), b2));
        return tf.add(tf.matMul(b, w3 as tfTypes.Tensor2D), b3) as tfTypes.Tensor2D;
      };
    }
    return {
      trainable: all,
      // Runs inside the forward pass's tidy, so the encoder's intermediates are freed with it.
      hooks: { inputPrefix: () => encode(embedding as tfTypes.Tensor2D) },
      dispose: () => disposeAll(all),
    };
  },
});
