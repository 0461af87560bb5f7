import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { ActivationSite, ForwardContext, LinearSite, ModelHooks } from './hooks';
import { TOY_DIMS, type ToyDims, toyArchitecture, weightShapes } from './toy-arch';
import { createRng, normals } from './random';

/**
 * The toy model every playground starts from: a GPT-style decoder written with TensorFlow.js core
 * ops. Pre-LayerNorm blocks, multi-head attention with separate q/k/v/o maps, a GELU MLP, and
 * an LM head tied to the token embeddings. Every weight is a `tf.Variable`; none is trained
 * unless a method lists it among its trainable variables.
 */

const GELU_C = Math.sqrt(2 / Math.PI);

function gelu(x: tf.Tensor2D): tf.Tensor2D {
  // tanh approximation, as in GPT-2
  const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Additive attention mask `[queries, prefix + queries]`: prefix keys are always visible. */
function causalMask(queries: number, prefix: number): tf.Tensor2D {
  const keys = prefix + queries;
  const m = new Float32Array(queries * keys);
  for (let q = 0; q < queries; q++) for (let k = prefix + q + 1; k < keys; k++) m[q * keys + k] = -1e9;
  return tf.tensor2d(m, [queries, keys]);
}

/** What a forward pass is run for: training or evaluation, the step, and where each sequence's
 * prompt ends when the caller knows it. */
export type ForwardRun = Pick<ForwardContext, 'mode' | 'step' | 'promptLengths'>;

/** The TensorFlow.js namespace, as a type: method files receive it through `model.tf`. */
export type TF = typeof tf;

export class ToyModel {
  readonly arch: Architecture;
  /** Methods reach TensorFlow.js through the model, so their files hold no runtime import of it
   * and the calculators can load them without shipping TensorFlow.js. */
  readonly tf: TF = tf;
  /** Each linear map's site (leaf name, block path, role) by leaf name, from the architecture. */
  private readonly sites: ReadonlyMap<string, Omit<LinearSite, 'layer'>>;
  private constructor(
    readonly dims: ToyDims,
    readonly weights: ReadonlyMap<string, tf.Variable>,
  ) {
    this.arch = toyArchitecture(dims);
    this.sites = new Map(this.arch.stacks[0]!.linears.map((l) => [l.name, { name: l.name, path: l.path, role: l.role }]));
  }

  /** GPT-2-style initialisation (normal, std 0.02; norms at identity), seeded. */
  static init(dims: ToyDims = TOY_DIMS, seed = 0): ToyModel {
    const rng = createRng(seed);
    const values = new Map<string, Float32Array>();
    for (const [name, shape] of weightShapes(dims)) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (name.endsWith('bias')) values.set(name, new Float32Array(size));
      else if (/ln_\w+\.weight$/.test(name)) values.set(name, new Float32Array(size).fill(1));
      else values.set(name, normals(rng, size, 0.02));
    }
    return ToyModel.fromValues(dims, values);
  }

  static fromValues(dims: ToyDims, values: ReadonlyMap<string, Float32Array>): ToyModel {
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of weightShapes(dims)) {
      const data = values.get(name);
      if (!data) throw new Error(`missing weight "${name}"`);
      // Marked trainable so gradients may flow to any of them; the trainer only ever updates
      // the variables a method lists, so everything else stays frozen.
      weights.set(name, tf.tidy(() => tf.variable(tf.tensor(data, shape), true)));
    }
    return new ToyModel(dims, weights);
  }

  weight(name: string): tf.Variable {
    const w = this.weights.get(name);
    if (!w) throw new Error(`the toy model has no weight "${name}"`);
    return w;
  }

  /** Copies of every weight's values, e.g. to save them or to check that frozen ones stayed put. */
  snapshot(): Map<string, Float32Array> {
    return new Map([...this.weights].map(([name, v]) => [name, v.dataSync() as Float32Array]));
  }

  parameterCount(): number {
    return [...this.weights.values()].reduce((sum, v) => sum + v.size, 0);
  }

  /** Logits `[batch, length, vocab]` for token ids `[batch, length]`. */
  forward(inputs: tf.Tensor2D, hooks: ModelHooks = {}, run: ForwardRun = { mode: 'eval', step: 0 }): tf.Tensor3D {
    return tf.tidy(() => {
      const { features, wte } = this.trunk(inputs, hooks, run);
      const [batch, length, h] = features.shape;
      const logits = tf.matMul(tf.reshape(features, [batch * length, h]), wte, false, true);
      return tf.reshape(logits, [batch, length, this.dims.vocabSize]) as tf.Tensor3D;
    });
  }

  /** The final normalised hidden states `[batch, length, hidden]` the LM head reads (a class head
   * reads them too). */
  features(inputs: tf.Tensor2D, hooks: ModelHooks = {}, run: ForwardRun = { mode: 'eval', step: 0 }): tf.Tensor3D {
    return tf.tidy(() => this.trunk(inputs, hooks, run).features);
  }

  /** The forward pass up to the final norm, and the token table as the (tied) LM head reads it. */
  private trunk(inputs: tf.Tensor2D, hooks: ModelHooks, run: ForwardRun): { features: tf.Tensor3D; wte: tf.Tensor } {
    const [batch, length] = inputs.shape;
    const { hiddenSize: h, vocabSize } = this.dims;
    const positions = Array.from({ length }, (_, i) => i);
    // The prefix is asked for before the context exists; it sees a context without it.
    const bare: ForwardContext = { batch, seq: length, prefixLength: 0, positions, ...run };
    const prefix = hooks.inputPrefix?.(bare) ?? null;
    const prefixLength = prefix ? prefix.shape[0] : 0;
    const ctx: ForwardContext = { ...bare, seq: prefixLength + length, prefixLength };
    const w = (name: string) => this.read(name, hooks, ctx);

    // One-hot × table instead of gather: the WASM backend cannot backprop through gather.
    const wte = w('wte');
    const tokens = tf.matMul(tf.oneHot(tf.reshape(inputs, [-1]), vocabSize), wte);
    let x = tf.add(tf.reshape(tokens, [batch, length, h]), tf.slice(w('wpe'), [0, 0], [length, h])) as tf.Tensor3D;
    if (prefix) x = tf.concat([tf.tile(tf.expandDims(prefix, 0), [batch, 1, 1]), x], 1) as tf.Tensor3D;
    let hidden = tf.reshape(x, [batch * ctx.seq, h]) as tf.Tensor2D;

    for (let layer = 0; layer < this.dims.layers; layer++) {
      const a = this.norm(hidden, `h.${layer}.ln_1`, w);
      let attn = this.attention(a, layer, hooks, ctx);
      if (hooks.sublayerOutput) attn = hooks.sublayerOutput(layer, 'attention', attn, a, ctx);
      hidden = tf.add(hidden, attn);

      const m = this.norm(hidden, `h.${layer}.ln_2`, w);
      const inner = this.activation(layer, 'mlp.hidden', gelu(this.linear(layer, 'fc1', m, hooks, ctx)), hooks, ctx);
      let mlp = this.linear(layer, 'fc2', inner, hooks, ctx);
      if (hooks.sublayerOutput) mlp = hooks.sublayerOutput(layer, 'mlp', mlp, m, ctx);
      hidden = tf.add(hidden, mlp);
      if (hooks.blockOutput) hidden = hooks.blockOutput(layer, hidden, ctx);
    }
    if (hooks.finalHidden) hidden = hooks.finalHidden(hidden, ctx);

    const out = this.norm(hidden, 'ln_f', w);
    return { features: tf.slice(tf.reshape(out, [batch, ctx.seq, h]) as tf.Tensor3D, [0, prefixLength, 0], [batch, length, h]), wte };
  }

  /** A weight as the forward pass sees it: through the `weight` hook when a method sets one. */
  private read(name: string, hooks: ModelHooks, ctx: ForwardContext): tf.Tensor {
    const w = this.weight(name);
    return hooks.weight ? hooks.weight(name, w, ctx) : w;
  }

  private linear(layer: number, name: string, x: tf.Tensor2D, hooks: ModelHooks, ctx: ForwardContext): tf.Tensor2D {
    const site = this.sites.get(name);
    if (!site) throw new Error(`the toy model has no linear map "${name}"`);
    const key = `h.${layer}.${name}`;
    const base = tf.add(tf.matMul(x, this.read(`${key}.weight`, hooks, ctx) as tf.Tensor2D), this.read(`${key}.bias`, hooks, ctx)) as tf.Tensor2D;
    return hooks.linear ? hooks.linear({ ...site, layer }, x, base, ctx) : base;
  }

  private activation(layer: number, site: ActivationSite, x: tf.Tensor2D, hooks: ModelHooks, ctx: ForwardContext): tf.Tensor2D {
    return hooks.activation ? hooks.activation(layer, site, x, ctx) : x;
  }

  private norm(x: tf.Tensor2D, key: string, w: (name: string) => tf.Tensor): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, w(`${key}.weight`)), w(`${key}.bias`));
  }

  /** Multi-head causal self-attention; 4-D at most (`[batch, heads, seq, headDim]`). */
  private attention(a: tf.Tensor2D, layer: number, hooks: ModelHooks, ctx: ForwardContext): tf.Tensor2D {
    const { heads, hiddenSize: h } = this.dims;
    const { batch, seq } = ctx;
    const dh = h / heads;
    // [rows·lead, h] → [lead, heads, rows, dh]
    const split = (t: tf.Tensor2D, lead: number, rows: number) =>
      tf.transpose(tf.reshape(t, [lead, rows, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    const project = (name: string) => this.linear(layer, name, a, hooks, ctx);
    const q = split(project('q_proj'), batch, seq);
    let k = split(this.activation(layer, 'key', project('k_proj'), hooks, ctx), batch, seq);
    let v = split(this.activation(layer, 'value', project('v_proj'), hooks, ctx), batch, seq);
    const prefix = hooks.keyValuePrefix?.(layer, ctx) ?? null;
    const prefixLength = prefix ? prefix.key.shape[0] : 0;
    if (prefix) {
      // A per-sequence scale multiplies the tiled prefix of each sequence ([batch, 1, 1, 1]).
      const scale = prefix.scale ? tf.reshape(prefix.scale, [batch, 1, 1, 1]) : null;
      const perBatch = (t: tf.Tensor2D) => {
        const tiled = tf.tile(split(t, 1, prefixLength), [batch, 1, 1, 1]);
        return scale ? tf.mul<tf.Tensor4D>(tiled, scale) : tiled;
      };
      k = tf.concat([perBatch(prefix.key), k], 2);
      v = tf.concat([perBatch(prefix.value), v], 2);
    }
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), causalMask(seq, prefixLength));
    let context = tf.matMul(tf.softmax(scores), v);
    const extra = hooks.attentionContext?.(layer, q, ctx) ?? null;
    if (extra) context = tf.add(context, extra);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, h]) as tf.Tensor2D;
    return this.linear(layer, 'o_proj', merged, hooks, ctx);
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}
