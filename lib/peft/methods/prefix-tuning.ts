import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { TensorGroup } from '../method-api/profile';
import { disposeAll, normalVariable, uniformVariable } from '../model/params';
import { createRng } from '../model/random';

/**
 * One prefix module: the prefixes of one kind of attention (a stack's self-attention, or a
 * decoder's cross-attention) in all its layers, produced by one embedding and MLP. `width` is the
 * width of that attention's keys and values, kv heads × head size (T5-3B: 32 × 128 = 4096,
 * although d_model is 1024).
 */
export interface PrefixModule {
  kind: 'self' | 'cross';
  layers: number;
  width: number;
}

/**
 * The prefix modules of an architecture, as in the AdapterHub `adapters` library the survey's
 * experiments used (its PrefixTuningPool keeps one module per location): an encoder–decoder model
 * gets three (encoder self-attention, decoder self-attention, cross-attention), a decoder-only
 * or encoder-only model one.
 */
export function prefixModules(arch: Architecture): PrefixModule[] {
  return arch.stacks.flatMap((s) => {
    const own: PrefixModule = { kind: 'self', layers: s.layers, width: s.attention.kvHeads * s.attention.headDim };
    const cross = s.crossAttention;
    return cross ? [own, { kind: 'cross', layers: s.layers, width: cross.kvHeads * cross.headDim }] : [own];
  });
}

/**
 * Where HF PEFT's PrefixTuningConfig counts differently from us. HF builds one PrefixEncoder
 * (peft/tuners/prefix_tuning/model.py) of width token_dim, which `_prepare_prompt_learning_config`
 * sets to kv heads × head size for a model with grouped-query attention and to hidden_size
 * otherwise: E (l × token_dim), Linear(token_dim → m), Linear(m → L·2·token_dim), or l × L·2·token_dim
 * without the projection. On a one-stack model whose keys are as wide as its hidden states this is
 * our count; with grouped-query attention and the MLP, HF's E and first Linear are narrower; an
 * encoder–decoder model gets one encoder in HF and three modules here.
 */
function hfPrefixNote(arch: Architecture, l: number, mlp: boolean, m: number): string | null {
  const [stack, ...more] = arch.stacks;
  if (!stack) return null;
  if (more.length > 0) {
    return `HF PEFT's PrefixTuningConfig builds one prefix encoder for an encoder–decoder model, where this count follows the AdapterHub layout the survey measured (one per attention kind), so the count it prints differs.`;
  }
  const tokenDim = stack.attention.kvHeads * stack.attention.headDim;
  const out = stack.layers * 2 * tokenDim;
  const hf = mlp ? l * tokenDim + tokenDim * m + m + m * out + out : l * out;
  const ours = prefixTuning.trainableParams(arch, { tokens: l, projection: mlp ? 'mlp' : 'none', bottleneck: m });
  return hf === ours ? null : `HF PEFT's prefix encoder is ${tokenDim} wide on ${arch.name} (its key width), so it trains ${hf.toLocaleString('en-US')} parameters where this count is ${ours.toLocaleString('en-US')}.`;
}

/**
 * Prefix-Tuning (Li & Liang, 2021): every attention layer gets l trained key and l trained value
 * vectors in front of its own, which all real tokens attend to; the model stays frozen. With the
 * 'mlp' projection (the paper's reparametrisation, §4.3) the prefixes of a module come from
 * E (l × d) → Linear(d, m) → tanh → Linear(m, 2·L·a), a for the key width; only the prefixes
 * are kept after training. With 'none' the prefixes are trained directly.
 *
 * Counting follows the AdapterHub `adapters` PrefixTuning the survey's experiments used, with the
 * survey authors' `kv_size` patch (xw-yao/peft_comparison): E and the first Linear are d_model
 * wide, the second Linear outputs 2·L·heads·head size, and every module has its own E and MLP.
 * On T5-Large (d = a = 1024, 24 + 24 layers, l = 30, m = 512) one module trains
 * 30·1024 + (1024·512 + 512) + (512·49152 + 49152) = 25,770,496, and three make 77,311,488;
 * it saves 3·30·49152 = 4,423,680. HF PEFT's flat PrefixTuningConfig on a decoder-only model
 * trains the same l·2·L·a. Initialisation follows the reference code's PyTorch defaults:
 * E (and the flat prefixes) standard normal, each Linear's weight and bias uniform in ±1/√fan_in.
 */
export const prefixTuning = defineMethod({
  id: 'prefix-tuning',
  name: 'Prefix-Tuning',
  hyperparams: [
    { key: 'tokens', label: 'Prefix length l', help: 'Trained keys and values placed before each attention layer’s own.', kind: 'int', min: 1, max: 512, default: 30 },
    {
      key: 'projection',
      label: 'Reparametrisation',
      help: 'Train the prefixes through an MLP that is dropped after training (the paper’s choice), or train them directly.',
      kind: 'choice',
      options: [
        { value: 'mlp', label: 'MLP during training (Li & Liang)' },
        { value: 'none', label: 'None: train the prefixes directly' },
      ],
      default: 'mlp',
    },
    { key: 'bottleneck', label: 'MLP width m', help: 'Hidden width of the reparametrisation MLP (unused without it).', kind: 'int', min: 1, max: 8192, default: 512 },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { tokens: 8, bottleneck: 16 },
  // The prefix widens every attention score matrix (self- and cross-attention) by l keys; the
  // sequence, and so every other activation, keeps its length.
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedKeyValues: (c) => c.tokens },
  lineage: [],
  anatomy: (_arch, { tokens }): Attachment[] => [{ part: 'attn.kv-prefix', kind: 'added', note: `${tokens} trained keys and values per layer` }],
  profile(arch, { tokens: l, projection, bottleneck: m }) {
    const d = arch.hiddenSize;
    const modules = prefixModules(arch);
    const tensors: TensorGroup[] = modules.flatMap(({ layers, width }): TensorGroup[] => {
      const out = 2 * layers * width;
      if (projection !== 'mlp') return [{ shape: [l, out], count: 1 }];
      return [
        { shape: [l, d], count: 1 },
        { shape: [d, m], count: 1 },
        { shape: [m], count: 1 },
        { shape: [m, out], count: 1 },
        { shape: [out], count: 1 },
      ];
    });
    return {
      tensors,
      saved: modules.map(({ layers, width }) => ({ shape: [l, 2 * layers * width], count: 1 })),
      // The MLP runs once per batch on l rows, not once per token, so its share of the per-token
      // compute is negligible; the prefixes themselves multiply nothing (they are keys and values).
      addedMatmul: 0,
      inferenceMatmul: 0,
    };
  },
  peft: ({ tokens: l, projection, bottleneck: m }, arch) => ({
    configClass: 'PrefixTuningConfig',
    args: { num_virtual_tokens: l, prefix_projection: projection === 'mlp', encoder_hidden_size: projection === 'mlp' ? m : undefined },
    ...(() => {
      const note = hfPrefixNote(arch, l, projection === 'mlp', m);
      return note ? { note } : {};
    })(),
  }),
  apply(model, { tokens: l, projection, bottleneck: m }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const d = model.dims.hiddenSize;
    const [module] = prefixModules(model.arch);
    if (!module) throw new Error('the toy architecture has one stack');
    const a = module.width;
    const out = 2 * module.layers * a;
    const all: tfTypes.Variable[] = [];
    const make = (v: tfTypes.Variable) => (all.push(v), v);

    // Columns of the MLP's output (or of the flat prefixes), per layer: its l keys, then its l values.
    let rows: (layer: number) => tfTypes.Tensor2D;
    if (projection === 'mlp') {
      const embedding = make(normalVariable(tf, rng, [l, d], 1));
      const w1 = make(uniformVariable(tf, rng, [d, m], 1 / Math.sqrt(d)));
      const b1 = make(uniformVariable(tf, rng, [m], 1 / Math.sqrt(d)));
      const w2 = make(uniformVariable(tf, rng, [m, out], 1 / Math.sqrt(m)));
      const b2 = make(uniformVariable(tf, rng, [out], 1 / Math.sqrt(m)));
      // Only this layer's 2a output columns are computed; the hidden layer is cheap to redo.
      rows = (layer) => {
        const hidden = tf.tanh(tf.add(tf.matMul(embedding, w1), b1)) as tfTypes.Tensor2D;
        return tf.add(tf.matMul(hidden, tf.slice(w2, [0, 2 * a * layer], [m, 2 * a])), tf.slice(b2, [2 * a * layer], [2 * a]));
      };
    } else {
      const prefixes = make(normalVariable(tf, rng, [l, out], 1));
      rows = (layer) => tf.slice(prefixes as tfTypes.Tensor2D, [0, 2 * a * layer], [l, 2 * a]);
    }
    return {
      trainable: all,
      hooks: {
        keyValuePrefix(layer) {
          const kv = rows(layer);
          return { key: tf.slice(kv, [0, 0], [l, a]), value: tf.slice(kv, [0, a], [l, a]) };
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});
