import type * as tf from '@tensorflow/tfjs';
import type { LinearRole } from '../arch';

/** What every hook learns about the forward pass it runs in. */
export interface ForwardContext {
  batch: number;
  /** Rows per sequence inside the blocks: prefix slots plus real tokens. */
  seq: number;
  /** Virtual tokens placed before the input (0 without an input prefix). */
  prefixLength: number;
  /** Position of each real token, `0 … length − 1`; row `prefixLength + i` of a sequence holds token i. */
  positions: readonly number[];
  mode: 'train' | 'eval';
  /** Training steps done so far (0 in evaluation before training). */
  step: number;
  /** Tokens before the answer in each sequence, BOS included, where the caller knows them
   * (training, evaluation, generation): for methods that act on prompt positions only. */
  promptLengths?: readonly number[];
}

/** Where a linear map sits: its layer, leaf name (`q_proj`, `fc1`), block path and role. */
export interface LinearSite {
  layer: number;
  name: string;
  path: string;
  role: LinearRole;
}

export type Sublayer = 'attention' | 'mlp';
/** Activations a hook may rescale or replace: projected keys and values, the MLP hidden units. */
export type ActivationSite = 'key' | 'value' | 'mlp.hidden';

/**
 * The points where a PEFT method may change the toy transformer's forward pass: few and general,
 * so a new family of methods needs no special case in transformer.ts. Tensors are 2-D
 * `[batch·seq, features]` (batch and sequence flattened) unless noted, so nothing needs more than
 * the 4-D tensors WebGPU handles reliably.
 */
export interface ModelHooks {
  /** Every weight the forward pass reads goes through here (`h.0.q_proj.weight`, `wte`, …):
   * deltas on any weight, quantize–dequantize, orthogonal transforms. */
  weight?(name: string, w: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** Wrap a linear map: `x` is its input, `base` what the (possibly hooked) weights produced. */
  linear?(site: LinearSite, x: tf.Tensor2D, base: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** Change a sublayer's output before the residual add; `input` is what the sublayer read
   * (after its norm), which a parallel module needs. */
  sublayerOutput?(layer: number, sublayer: Sublayer, output: tf.Tensor2D, input: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** Vectors placed before the embedded input, `[virtualTokens, hidden]`. */
  inputPrefix?(ctx: ForwardContext): tf.Tensor2D | null;
  /** Keys and values placed before each layer's own, `[prefixLength, hidden]` each. `scale`, when
   * given, is one factor per sequence (`[batch]`) that multiplies this layer's prefix keys and
   * values in that sequence: an input-dependent gate on the prefix, as UniPELT's. */
  keyValuePrefix?(layer: number, ctx: ForwardContext): { key: tf.Tensor2D; value: tf.Tensor2D; scale?: tf.Tensor1D } | null;
  /** Extra attention context added to a layer's own before the output map, from queries
   * `[batch, heads, seq, headDim]` (the layer's scaled-dot-product inputs): an attention over
   * positions of the method's own with a separate softmax, as LLaMA-Adapter's gated adaption
   * prompts. Returns `[batch, heads, seq, headDim]`, or null to leave the layer as it is. */
  attentionContext?(layer: number, queries: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D | null;
  /** Rescale or replace an activation, e.g. (IA)³'s learned vectors on keys, values and the MLP. */
  activation?(layer: number, site: ActivationSite, x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** A block's output (the residual stream after the block), e.g. read by a side network or
   * edited at chosen positions. */
  blockOutput?(layer: number, h: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
  /** The hidden state after the last block, before the final norm and the LM head. */
  finalHidden?(h: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D;
}

/** Hook names in the order they are applied when two methods are chained. */
export const HOOK_NAMES = ['weight', 'linear', 'sublayerOutput', 'inputPrefix', 'keyValuePrefix', 'attentionContext', 'activation', 'blockOutput', 'finalHidden'] as const;
