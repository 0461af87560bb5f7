import type { Architecture, Stack } from '../arch';

/**
 * Tensor shapes shared by the method files and the cost model: what a method trains, as shapes
 * (the optimizer-state and FLOP models need more than a count).
 */

/** `count` tensors of one shape; a vector has one dimension, a matrix two. */
export interface TensorGroup {
  shape: readonly number[];
  count: number;
}

/**
 * What a method costs on an architecture, from its own file: the one source of its parameter
 * counts (`trainableParams` and `savedParams` are derived from it) and what the memory, FLOP and
 * inference models need. Omitted numbers are 0.
 */
export interface MethodProfile {
  /** The tensors the optimizer updates; each holds a gradient and optimizer state. */
  tensors: TensorGroup[];
  /** Tensors the method adds that never train (VeRA's shared random matrices, LoRA-FA's A): held
   * in memory beside the base weights in training and, unmerged, at inference. */
  frozen?: TensorGroup[];
  /** Trainable scalars when fewer than `tensors` hold: a selective method's mask. */
  trainable?: number;
  /** What the checkpoint stores when it is not the trained tensors (prefix tuning keeps the
   * prefixes its MLP produced, not the MLP). */
  saved?: TensorGroup[];
  /** Trainable scalars that are weights of the base model (full fine-tuning, BitFit). */
  trainableInBase?: number;
  /** Trainable scalars that are matrices of the base model's own matrix multiplications. */
  baseMatmulTrainable?: number;
  /** Scalars of the method's added modules that multiply activations while training (LoRA A and B,
   * adapter projections, a side network). */
  addedMatmul?: number;
  /** The same at inference, unmerged, when it differs from `addedMatmul` (prefix tuning's MLP is
   * gone by then). */
  inferenceMatmul?: number;
  /** Activation values one layer of `stack` keeps per token for the method's own modules, for
   * sequences of `tokens` tokens (a side network's own attention keeps scores that grow with it). */
  extraActivationValues?(stack: Stack, tokens: number): number;
  /** Activation values of the base layer's own count (lib/peft/cost/activations.ts) that one layer
   * of `stack` does not keep per token under this method, for sequences of `tokens` tokens: a
   * tensor whose only use in the backward pass was a weight gradient the method no longer takes. */
  releasedActivationValues?(stack: Stack, tokens: number): number;
}

/** Trainable scalars of a profile: the mask size if it has one, else every scalar of its tensors. */
export function profileTrainable(p: MethodProfile): number {
  return p.trainable ?? groupsSize(p.tensors);
}

/** Scalars the checkpoint of a profile holds. */
export function profileSaved(p: MethodProfile): number {
  return groupsSize(savedGroups(p));
}

/** What the checkpoint of a profile holds, as tensors: `saved`, else the trained scalars (a
 * mask's kept entries as one vector, or the whole trained tensors). */
export function savedGroups(p: MethodProfile): TensorGroup[] {
  return p.saved ?? (p.trainable !== undefined ? [{ shape: [p.trainable], count: 1 }] : p.tensors);
}

export function tensorSize(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function groupsSize(groups: readonly TensorGroup[]): number {
  return groups.reduce((sum, g) => sum + g.count * tensorSize(g.shape), 0);
}

/** Width of the token-embedding table, a tied LM head and the LM head's input. */
export const embeddingWidth = (arch: Architecture): number => arch.embeddingSize ?? arch.hiddenSize;

/**
 * Scalars in the matrices every token is multiplied by in a forward pass: the linear maps of all
 * layers plus the output projection to the vocabulary (the tied embedding matrix when tied).
 * Embedding lookups, norms and biases do no matrix multiplication and are left out.
 */
export function matmulParams(arch: Architecture): number {
  const layers = arch.stacks.reduce((sum, s) => sum + s.layers * s.linears.reduce((n, l) => n + l.inFeatures * l.outFeatures, 0), 0);
  return layers + arch.vocabSize * embeddingWidth(arch);
}

/** Every weight of the model as tensor shapes. */
export function allWeightTensors(arch: Architecture): TensorGroup[] {
  const h = arch.hiddenSize;
  const groups: TensorGroup[] = [{ shape: [arch.vocabSize, embeddingWidth(arch)], count: 1 }];
  if (arch.learnedPositions > 0) groups.push({ shape: [arch.learnedPositions, h], count: 1 });
  for (const s of arch.stacks) {
    for (const l of s.linears) {
      groups.push({ shape: [l.inFeatures, l.outFeatures], count: s.layers });
      if (l.bias) groups.push({ shape: [l.outFeatures], count: s.layers });
    }
    for (const n of s.norms) groups.push({ shape: [n.size], count: s.layers * (n.bias ? 2 : 1) });
    if (s.finalNorm) groups.push({ shape: [s.finalNorm.size], count: s.finalNorm.bias ? 2 : 1 });
    // Shapes of extra parameters (e.g. T5's relative-position table) are not described; as vectors
    // they are counted exactly and, for Adafactor, without factoring.
    if (s.extraParams > 0) groups.push({ shape: [s.extraParams], count: 1 });
  }
  if (!arch.tiedEmbeddings) groups.push({ shape: [arch.vocabSize, embeddingWidth(arch)], count: 1 });
  if (arch.lmHeadBias) groups.push({ shape: [arch.vocabSize], count: 1 });
  for (const e of arch.extraParams) if (e.count > 0) groups.push({ shape: [e.count], count: 1 });
  return groups;
}

/** Every bias vector of the model (linear maps, norms with a bias, an LM head bias). */
export function biasTensors(arch: Architecture): TensorGroup[] {
  const groups: TensorGroup[] = [];
  for (const s of arch.stacks) {
    for (const l of s.linears) if (l.bias) groups.push({ shape: [l.outFeatures], count: s.layers });
    for (const n of s.norms) if (n.bias) groups.push({ shape: [n.size], count: s.layers });
    if (s.finalNorm?.bias) groups.push({ shape: [s.finalNorm.size], count: 1 });
  }
  if (arch.lmHeadBias) groups.push({ shape: [arch.vocabSize], count: 1 });
  // Norms outside the stacks (BERT's embeddings.LayerNorm). The pooler's bias is left out: HF PEFT
  // wraps the masked-LM model, which has no pooler.
  for (const e of arch.extraParams) if (e.biases) groups.push({ shape: [e.biases], count: 1 });
  return groups;
}

