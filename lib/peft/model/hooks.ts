import type * as tf from '@tensorflow/tfjs';

/** Where a linear map sits: its layer and its module name (`q_proj`, `fc1`, ...). */
export interface LinearSite {
  layer: number;
  name: string;
}

export type Sublayer = 'attention' | 'mlp';
export type ScaleSite = 'key' | 'value' | 'mlp.hidden';

/**
 * The points where a PEFT method may change the toy transformer's forward pass. All tensors are
 * 2-D `[tokens, features]` (batch and sequence flattened) except where noted, so no hook needs
 * more than the 4-D tensors WebGPU handles reliably.
 */
export interface ModelHooks {
  /** Wrap a linear map: `x` is its input, `base` what the frozen map produced. */
  linear?(site: LinearSite, x: tf.Tensor2D, base: tf.Tensor2D): tf.Tensor2D;
  /** Change a sublayer's output before the residual add; `input` is what the sublayer read
   * (after its norm), which a parallel module needs. */
  sublayerOutput?(layer: number, sublayer: Sublayer, output: tf.Tensor2D, input: tf.Tensor2D): tf.Tensor2D;
  /** Vectors placed before the embedded input, `[virtualTokens, hidden]`. */
  inputPrefix?(): tf.Tensor2D;
  /** Keys and values placed before each layer's own, `[prefixLength, hidden]` each. */
  keyValuePrefix?(layer: number): { key: tf.Tensor2D; value: tf.Tensor2D } | null;
  /** Rescale an activation, e.g. (IA)³'s learned vectors on keys, values and the MLP. */
  scale?(layer: number, site: ScaleSite, x: tf.Tensor2D): tf.Tensor2D;
}
