import type { Architecture, Attention, LinearMap, Norm, Stack } from '../arch';
import type { AttentionKernel } from './setup';

/**
 * Activation memory: what the forward pass keeps for the backward pass.
 *
 * Follows Korthikanti et al. (2022), "Reducing Activation Recomputation in Large Transformer
 * Models" (arXiv 2205.05198), §4.1: a GPT layer without parallelism keeps sbh(34 + 5as/h) bytes
 * with 16-bit activations and 1-byte dropout masks. That count is split here into the tensors it
 * is made of so it extends to grouped-query attention, gated MLPs, cross-attention, fp32, RMSNorm
 * and fused attention kernels:
 *
 * attention, per token:  input h, Q (a·d), K and V (k·d each), output-projection input (a·d)
 *                        → (h + 2ad + 2kd) values, plus a 1-byte dropout mask of h;
 *            per query:  eager attention keeps the softmax output and its dropout output (a·s
 *                        values, fp32 under autocast, which runs softmax in fp32) and the dropout
 *                        mask (a·s bytes); SDPA / FlashAttention keeps
 *                        only the softmax's log-sum-exp, one fp32 value per head (Dao et al., 2022);
 * MLP, per token:        input h; for a plain MLP of width f the activation's input and the second
 *                        map's input (2f); for a gated MLP the gate, its activation, the up
 *                        projection and their product (4f); plus a 1-byte dropout mask of h;
 * norms, per token:      LayerNorm keeps its input (h values); RMSNorm as transformers writes it
 *                        upcasts its input to fp32 and keeps both that and the 16-bit normalised
 *                        value (4 + 2 bytes per value when activations are 16-bit).
 *
 * With a = heads, k = key/value heads, d = head size, ad = kd = h, f = 4h, two LayerNorms, eager
 * attention and 2-byte values this is exactly 34 sbh + 5as²b bytes, the paper's formula.
 */

export interface LayerShape {
  /** Tokens of one sequence passing through the layer. */
  tokens: number;
  /** Keys each query attends to in self-attention beyond the sequence itself (a prefix). */
  extraKeys: number;
  /** Keys of cross-attention (the encoder's length). */
  crossKeys: number;
  bytesPerValue: number;
  kernel: AttentionKernel;
  /** Softmax outputs (and their dropout) held in fp32, as autocast computes softmax. */
  fp32Softmax?: boolean;
}

/** Bytes a layer of `stack` keeps for one sequence (batch 1). */
export function layerActivationBytes(arch: Architecture, stack: Stack, shape: LayerShape): number {
  const h = arch.hiddenSize;
  const { tokens, bytesPerValue } = shape;
  let bytes = attentionBytes(h, stack.attention, tokens, tokens + shape.extraKeys, shape);
  // Prefixes sit in every attention of a layer: a decoder's cross-attention reads them too.
  if (stack.crossAttention) bytes += attentionBytes(h, stack.crossAttention, tokens, shape.crossKeys + shape.extraKeys, shape);
  bytes += mlpBytes(h, stack, tokens, bytesPerValue);
  bytes += stack.norms.reduce((sum, n) => sum + normBytes(n, bytesPerValue) * tokens * h, 0);
  return bytes;
}

/** Bytes per value a norm keeps. */
export function normBytes(norm: Norm, bytesPerValue: number): number {
  return norm.kind === 'rmsnorm' && bytesPerValue < 4 ? bytesPerValue + 4 : bytesPerValue;
}

function attentionBytes(h: number, att: Attention, queries: number, keys: number, shape: LayerShape): number {
  const q = att.heads * att.headDim;
  const kv = att.kvHeads * att.headDim;
  const perToken = shape.bytesPerValue * (h + 2 * q + 2 * kv) + h;
  // Autocast runs softmax in fp32, so under mixed precision eager attention keeps fp32 scores.
  const scoreBytes = shape.fp32Softmax ? 4 : shape.bytesPerValue;
  const perQuery = shape.kernel === 'eager' ? (2 * scoreBytes + 1) * att.heads * keys : 4 * att.heads;
  return (perToken + perQuery) * queries;
}

function mlpBytes(h: number, stack: Stack, tokens: number, bytesPerValue: number): number {
  const outs = stack.linears.filter((l) => l.role === 'mlp.out');
  const gated = stack.linears.some((l) => l.role === 'mlp.gate');
  // A mixture of experts routes each token through `activeShare` of its experts' maps.
  const width = outs.length > 0 ? outs.reduce((sum, l) => sum + l.inFeatures * activeShare(l), 0) : 4 * h;
  return (bytesPerValue * (h + (gated ? 4 : 2) * width) + h) * tokens;
}

function activeShare(l: LinearMap): number {
  return l.activeShare ?? 1;
}

/** The paper's formula itself, sbh(34 + 5as/h) bytes, for checking the decomposition above. */
export function korthikantiLayerBytes(s: number, b: number, h: number, a: number): number {
  return s * b * h * (34 + (5 * a * s) / h);
}
