import type { Architecture, Attention, Stack } from '../arch';

/**
 * Activation memory: what the forward pass keeps for the backward pass.
 *
 * Follows Korthikanti et al. (2022), "Reducing Activation Recomputation in Large Transformer
 * Models" (arXiv 2205.05198), §4.1: a GPT layer without parallelism keeps sbh(34 + 5as/h) bytes
 * with 16-bit activations and 1-byte dropout masks. That count is split here into the tensors it
 * is made of so it extends to grouped-query attention, gated MLPs, cross-attention and fp32:
 *
 * attention, per token:  input h, Q (a·d), K and V (k·d each), output-projection input (a·d)
 *                        → (h + 2ad + 2kd) values, plus a 1-byte dropout mask of h;
 *            per query:  softmax output and dropout output (a·s values), dropout mask (a·s bytes);
 * MLP, per token:        input h; for a plain MLP of width f the activation's input and the second
 *                        map's input (2f); for a gated MLP the gate, its activation, the up
 *                        projection and their product (4f); plus a 1-byte dropout mask of h;
 * norms, per token:      h values each.
 *
 * With a = heads, k = key/value heads, d = head size, ad = kd = h, f = 4h, two norms and 2-byte
 * values this is exactly 34 sbh + 5as²b bytes, the paper's formula.
 */

/** Bytes a layer of `stack` keeps for one sequence of `tokens` tokens (batch 1); `extraKeys`
 * prefix keys and values (prefix tuning) widen every attention score matrix, cross-attention's too. */
export function layerActivationBytes(arch: Architecture, stack: Stack, tokens: number, bytesPerValue: number, extraKeys = 0): number {
  const h = arch.hiddenSize;
  let bytes = attentionBytes(h, stack.attention, tokens, bytesPerValue, extraKeys);
  if (stack.crossAttention) bytes += attentionBytes(h, stack.crossAttention, tokens, bytesPerValue, extraKeys);
  bytes += mlpBytes(h, stack, tokens, bytesPerValue);
  bytes += stack.norms.length * bytesPerValue * tokens * h;
  return bytes;
}

/** Self- or cross-attention; cross-attention reads an encoder output of the same length. */
function attentionBytes(h: number, att: Attention, tokens: number, bytesPerValue: number, extraKeys = 0): number {
  const q = att.heads * att.headDim;
  const kv = att.kvHeads * att.headDim;
  const perToken = bytesPerValue * (h + 2 * q + 2 * kv) + h;
  const scores = (2 * bytesPerValue + 1) * att.heads * tokens * (tokens + extraKeys);
  return perToken * tokens + scores;
}

function mlpBytes(h: number, stack: Stack, tokens: number, bytesPerValue: number): number {
  const out = stack.linears.find((l) => l.role === 'mlp.out');
  const width = out ? out.inFeatures : 4 * h;
  const gated = stack.linears.some((l) => l.role === 'mlp.gate');
  return (bytesPerValue * (h + (gated ? 4 : 2) * width) + h) * tokens;
}

/** The paper's formula itself, sbh(34 + 5as/h) bytes, for checking the decomposition above. */
export function korthikantiLayerBytes(s: number, b: number, h: number, a: number): number {
  return s * b * h * (34 + (5 * a * s) / h);
}
