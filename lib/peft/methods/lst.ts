import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture, Attention, LinearRole, Stack } from '../arch';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { type TensorGroup, groupsSize } from '../method-api/profile';
import { stopGradient } from '../method-api/stop-gradient';
import type { ForwardContext } from '../model/hooks';
import { disposeAll, normalVariable, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * Ladder Side-Tuning (Sung, Cho & Bansal, 2022): the backbone stays frozen and runs forward only;
 * a side network of width d/r beside it reads the backbone through "ladders" and is the only
 * thing trained, so no gradient passes through the backbone.
 *
 * Following the authors' code (ylsung/Ladder-Side-Tuning, seq2seq/third_party/models/t5/
 * modeling_side_t5.py, the `use_gate="learnable"`, `add_residual_after=False` setting of their
 * scripts), per stack:
 *   s = D₀ e                                  (e: the embedded input; D: linear d → d/r with bias)
 *   for every backbone block i that has a side block:
 *     x = μᵢ·s + (1 − μᵢ)·Dᵢ hᵢ,  μᵢ = sigmoid(αᵢ / T),  T = 0.1, αᵢ = 0 at init (μ = 0.5)
 *     s = fᵢ(x)                               (fᵢ: side block)
 *   s = norm(s)
 * and once for the model: U s (linear d/r → d with bias). Every hᵢ (and e) is read through
 * `stopGradient`.
 *
 * Side block: the backbone block's own structure with every width divided by r (hidden d/r, head
 * size d_head/r with the same number of heads, feed-forward f/r; norms and biases as the backbone
 * has them), as the authors build it (a copy of the model config with d_model, d_kv and d_ff
 * divided by r, floor division). In an encoder–decoder the decoder's side blocks cross-attend to
 * the side encoder's final state (width d/r), and each side stack has its own copy of the stack's
 * relative-position table (T5: buckets × heads). The authors also create one gate per backbone
 * layer, even where layer dropping leaves a layer without a side block; so do we.
 *
 * Counted for any architecture from its description (there is no HF PEFT implementation); for
 * T5-base with the authors' Table 1 script (r = 8, side blocks at 9 of 12 layers per stack) this
 * gives 3,878,712 parameters, the 1.74% of T5-base of the paper's Table 1 (and 9,057,328, 1.23%,
 * for T5-large with the authors' T5-large script).
 *
 * On the toy (and where it differs from the paper):
 * - the side blocks start from a seeded random initialisation (normal, std 0.02, as the toy
 *   itself) instead of the paper's copy of the backbone shrunk by Fisher-guided structural
 *   pruning; the ladders start as PyTorch's default for a linear map (uniform ±1/√d), with zero
 *   biases;
 * - e is the embedded input as the first block reads it, after that block's pre-norm (the toy
 *   hands a method the input of its first sublayer, not the raw embeddings);
 * - U s is added to the backbone's final hidden state before the frozen final norm and LM head,
 *   where the authors' T5 feeds U s to the LM head in place of the backbone's output. U starts at
 *   zero, so training starts exactly from the base model.
 */

/** Gate temperature T of μ = sigmoid(α / T) (the authors' `gate_T`). */
export const LST_GATE_TEMPERATURE = 0.1;

/** Width n of the backbone divided by the reduction factor (floor, at least 1). */
const narrow = (n: number, r: number) => Math.max(1, Math.floor(n / r));

/** Head size of a side attention: the backbone's divided by r; the number of heads stays. */
const sideHeadDim = (att: Attention, r: number) => narrow(att.headDim, r);

interface SideLinear {
  name: string;
  role: LinearRole;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

/** One side block's shapes: the stack's block with every width divided by r. */
export interface SideBlock {
  hidden: number;
  linears: SideLinear[];
  norms: { name: string; size: number; bias: boolean }[];
}

export function sideBlock(arch: Architecture, stack: Stack, r: number): SideBlock {
  const hidden = narrow(arch.hiddenSize, r);
  const self = sideHeadDim(stack.attention, r);
  const cross = stack.crossAttention ? sideHeadDim(stack.crossAttention, r) : 0;
  const { heads, kvHeads } = stack.attention;
  const ca = stack.crossAttention;
  const shape = (role: LinearRole, inF: number, outF: number): [number, number] => {
    switch (role) {
      case 'attn.q':
        return [hidden, heads * self];
      case 'attn.k':
      case 'attn.v':
        return [hidden, kvHeads * self];
      case 'attn.qkv':
        return [hidden, (heads + 2 * kvHeads) * self];
      case 'attn.o':
        return [heads * self, hidden];
      case 'cross.q':
        return [hidden, (ca?.heads ?? 0) * cross];
      case 'cross.k':
      case 'cross.v':
        // Keys and values come from the side encoder's final state, of width d/r too.
        return [hidden, (ca?.kvHeads ?? 0) * cross];
      case 'cross.o':
        return [(ca?.heads ?? 0) * cross, hidden];
      case 'mlp.in':
      case 'mlp.gate':
        return [hidden, narrow(outF, r)];
      case 'mlp.out':
        return [narrow(inF, r), hidden];
      case 'mlp.router':
        // A router's output is one score per expert, not a width: the side block keeps the experts.
        return [hidden, outF];
    }
  };
  return {
    hidden,
    linears: stack.linears.map((l) => {
      const [inFeatures, outFeatures] = shape(l.role, l.inFeatures, l.outFeatures);
      return { name: l.name, role: l.role, inFeatures, outFeatures, bias: l.bias };
    }),
    norms: stack.norms.map((n) => ({ name: n.name, size: narrow(n.size, r), bias: n.bias })),
  };
}

/** Backbone layers that get a side block (and a ladder): all, or all but layers 0, k, 2k, … */
export function sideLayers(layers: number, dropEvery: number): number[] {
  return Array.from({ length: layers }, (_, i) => i).filter((i) => !(dropEvery > 0 && i % dropEvery === 0));
}

/** Activation values one side block keeps per token, split as lib/peft/cost/activations.ts
 * splits a backbone layer (values only; dropout masks left out). */
function sideBlockValues(block: SideBlock, stack: Stack, r: number, tokens: number): number {
  const attention = (att: Attention) => {
    const hd = sideHeadDim(att, r);
    // input, Q, K, V, the output map's input; per query the softmax and dropout outputs.
    return block.hidden + 2 * att.heads * hd + 2 * att.kvHeads * hd + 2 * att.heads * tokens;
  };
  const out = block.linears.find((l) => l.role === 'mlp.out');
  const width = out ? out.inFeatures : 4 * block.hidden;
  const gated = block.linears.some((l) => l.role === 'mlp.gate');
  const mlp = block.hidden + (gated ? 4 : 2) * width;
  return attention(stack.attention) + (stack.crossAttention ? attention(stack.crossAttention) : 0) + mlp + block.norms.length * block.hidden;
}

export const lst = defineMethod({
  id: 'lst',
  name: 'Ladder Side-Tuning (LST)',
  hyperparams: [
    {
      key: 'reduction',
      label: 'Reduction factor r',
      help: 'The side network is the backbone with every width divided by r (hidden size, head size, feed-forward size).',
      kind: 'int',
      min: 1,
      max: 256,
      default: 8,
    },
    {
      key: 'dropEvery',
      label: 'Drop every k-th side block',
      help: 'Layer dropping: layers 0, k, 2k, … of each stack get no side block and no ladder (the authors use k = 4 on T5-base, 2 on T5-large). 0 keeps a side block at every layer.',
      kind: 'int',
      min: 0,
      max: 256,
      default: 0,
    },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { reduction: 4 },
  traits: { backpropThroughBackbone: false, inference: 'extra-modules' },
  lineage: [],
  // The side network reads every block through its ladders but changes the backbone in one place:
  // its output joins the final hidden state.
  anatomy: (_arch, { reduction }): Attachment[] => [{ part: 'final', kind: 'added', note: `side network of width d/${reduction}, fed by every block` }],
  profile(arch, { reduction: r, dropEvery }) {
    const h = arch.hiddenSize;
    const tensors: TensorGroup[] = [];
    const sh = narrow(h, r);
    const blocks = new Map<Stack, { block: SideBlock; kept: number }>();
    for (const s of arch.stacks) {
      const block = sideBlock(arch, s, r);
      const kept = sideLayers(s.layers, dropEvery).length;
      blocks.set(s, { block, kept });
      for (const l of block.linears) {
        tensors.push({ shape: [l.inFeatures, l.outFeatures], count: kept });
        if (l.bias) tensors.push({ shape: [l.outFeatures], count: kept });
      }
      for (const n of block.norms) tensors.push({ shape: [n.size], count: kept * (n.bias ? 2 : 1) });
      // T5: the first side block holds the stack's relative-position table (its heads are kept).
      if (kept > 0 && s.extraParams > 0) tensors.push({ shape: [s.extraParams], count: 1 });
      // Ladders: one from the embeddings and one per side block, with biases.
      tensors.push({ shape: [h, sh], count: kept + 1 }, { shape: [sh], count: kept + 1 });
      // Gates: one per backbone layer, as the authors' code makes them.
      tensors.push({ shape: [s.layers], count: 1 });
      if (s.finalNorm) tensors.push({ shape: [narrow(s.finalNorm.size, r)], count: s.finalNorm.bias ? 2 : 1 });
    }
    tensors.push({ shape: [sh, h], count: 1 }, { shape: [h], count: 1 });
    const last = arch.stacks[arch.stacks.length - 1];
    return {
      tensors: tensors.filter((g) => g.count > 0),
      addedMatmul: groupsSize(tensors.filter((g) => g.shape.length === 2)),
      // The backbone is not backpropagated, so the memory model keeps only these (and the logits).
      // Per stack: each side block's own activations, its ladder's input hᵢ (d values, for the
      // ladder's weight gradient) and the gate's two inputs (2·d/r); the first ladder's input and
      // output; the side norm's input. Once: U's input and the frozen final norm's and LM head's
      // inputs, which the gradient passes through. Spread evenly over the stack's layers.
      extraActivationValues: (stack, tokens) => {
        const side = blocks.get(stack);
        if (!side || stack.layers === 0) return 0;
        const { block, kept } = side;
        let values = kept * (sideBlockValues(block, stack, r, tokens) + h + 2 * block.hidden) + h + 2 * block.hidden;
        if (stack === last) values += block.hidden + 2 * h;
        return values / stack.layers;
      },
    };
  },
  apply(model, { reduction: r, dropEvery }, { seed = 0 } = {}) {
    const tf = model.tf;
    const stack = model.arch.stacks[0];
    if (!stack) throw new Error('the toy model has one stack');
    const d = model.dims.hiddenSize;
    const shape = sideBlock(model.arch, stack, r);
    const sh = shape.hidden;
    const heads = stack.attention.heads;
    const headDim = sideHeadDim(stack.attention, r);
    const rng = createRng(seed);
    const all: tfTypes.Variable[] = [];
    const keep = <V extends tfTypes.Variable>(v: V): V => {
      all.push(v);
      return v;
    };
    const ladder = () => ({ w: keep(uniformVariable(tf, rng, [d, sh], 1 / Math.sqrt(d))), b: keep(zerosVariable(tf, [sh])) });

    const first = ladder();
    const blocks = new Map<number, { ladder: { w: tfTypes.Variable; b: tfTypes.Variable }; block: SideBlockVariables }>();
    for (const layer of sideLayers(stack.layers, dropEvery)) {
      const l = ladder();
      const linears = new Map<LinearRole, { w: tfTypes.Variable; b: tfTypes.Variable | null }>();
      for (const lin of shape.linears) {
        linears.set(lin.role, {
          w: keep(normalVariable(tf, rng, [lin.inFeatures, lin.outFeatures], 0.02)),
          b: lin.bias ? keep(zerosVariable(tf, [lin.outFeatures])) : null,
        });
      }
      const norms = new Map(shape.norms.map((n) => [n.name, sideNorm(tf, keep, n.size, n.bias)]));
      blocks.set(layer, { ladder: l, block: { linears, norms } });
    }
    // α = 0: every gate starts at sigmoid(0) = 0.5.
    const alpha = keep(zerosVariable(tf, [stack.layers]));
    const finalNorm = stack.finalNorm ? sideNorm(tf, keep, narrow(stack.finalNorm.size, r), stack.finalNorm.bias) : null;
    const up = { w: keep(zerosVariable(tf, [sh, d])), b: keep(zerosVariable(tf, [d])) };

    const project = (x: tfTypes.Tensor2D, p: { w: tfTypes.Tensor; b: tfTypes.Tensor | null }): tfTypes.Tensor2D =>
      p.b ? tf.add(tf.matMul(x, p.w as tfTypes.Tensor2D), p.b) : tf.matMul(x, p.w as tfTypes.Tensor2D);
    // The side stream between hooks of one forward pass; its tensors belong to that pass's tidy.
    let side: tfTypes.Tensor2D | null = null;

    return {
      trainable: all,
      hooks: {
        sublayerOutput(layer, sublayer, output, input) {
          // The first sublayer's input is the embedded input, normed: the stream starts from it.
          if (layer === 0 && sublayer === 'attention') side = project(stopGradient(tf, input), first);
          return output;
        },
        blockOutput(layer, h, ctx) {
          const entry = blocks.get(layer);
          if (!entry) return h;
          if (!side) throw new Error('LST: the side stream was not started (no first-sublayer input)');
          const mu = tf.sigmoid(tf.div(tf.slice(alpha, [layer], [1]), LST_GATE_TEMPERATURE));
          const ladderIn = project(stopGradient(tf, h), entry.ladder);
          const mixed = tf.add(tf.mul(mu, side), tf.mul(tf.sub(1, mu), ladderIn)) as tfTypes.Tensor2D;
          side = sideBlockForward(tf, mixed, entry.block, heads, headDim, ctx);
          return h;
        },
        finalHidden(h) {
          if (!side) return h;
          const s = finalNorm ? layerNorm(tf, side, finalNorm) : side;
          side = null;
          return tf.add(h, project(s, up));
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});

interface NormVariables {
  gain: tfTypes.Variable;
  bias: tfTypes.Variable | null;
}

interface SideBlockVariables {
  linears: ReadonlyMap<LinearRole, { w: tfTypes.Variable; b: tfTypes.Variable | null }>;
  norms: ReadonlyMap<string, NormVariables>;
}

function sideNorm(tf: TF, keep: (v: tfTypes.Variable) => tfTypes.Variable, size: number, bias: boolean): NormVariables {
  return { gain: keep(tf.tidy(() => tf.variable(tf.ones([size]), true))), bias: bias ? keep(zerosVariable(tf, [size])) : null };
}

function layerNorm(tf: TF, x: tfTypes.Tensor2D, n: NormVariables): tfTypes.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.gain);
  return (n.bias ? tf.add(normed, n.bias) : normed) as tfTypes.Tensor2D;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation, as the toy's MLP. */
function gelu(tf: TF, x: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** The toy block at side width: pre-LayerNorm causal self-attention and a GELU MLP, with residuals. */
function sideBlockForward(tf: TF, x: tfTypes.Tensor2D, v: SideBlockVariables, heads: number, headDim: number, ctx: ForwardContext): tfTypes.Tensor2D {
  const lin = (role: LinearRole, input: tfTypes.Tensor2D): tfTypes.Tensor2D => {
    const p = v.linears.get(role);
    if (!p) throw new Error(`LST: the side block has no ${role} map`);
    const y = tf.matMul(input, p.w) as tfTypes.Tensor2D;
    return p.b ? (tf.add(y, p.b) as tfTypes.Tensor2D) : y;
  };
  const norm = (name: string, input: tfTypes.Tensor2D) => {
    const n = v.norms.get(name);
    if (!n) throw new Error(`LST: the side block has no norm ${name}`);
    return layerNorm(tf, input, n);
  };
  const { batch, seq } = ctx;
  const inner = heads * headDim;
  const split = (t: tfTypes.Tensor) => tf.transpose(tf.reshape(t, [batch, seq, heads, headDim]), [0, 2, 1, 3]) as tfTypes.Tensor4D;
  const a = norm('ln_1', x);
  const mask = new Float32Array(seq * seq);
  for (let q = 0; q < seq; q++) for (let k = q + 1; k < seq; k++) mask[q * seq + k] = -1e9;
  const scores = tf.add(tf.div(tf.matMul(split(lin('attn.q', a)), split(lin('attn.k', a)), false, true), Math.sqrt(headDim)), tf.tensor2d(mask, [seq, seq]));
  const context = tf.matMul(tf.softmax(scores), split(lin('attn.v', a)));
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, inner]) as tfTypes.Tensor2D;
  const afterAttention = tf.add(x, lin('attn.o', merged)) as tfTypes.Tensor2D;
  const m = norm('ln_2', afterAttention);
  return tf.add(afterAttention, lin('mlp.out', gelu(tf, lin('mlp.in', m)))) as tfTypes.Tensor2D;
}
