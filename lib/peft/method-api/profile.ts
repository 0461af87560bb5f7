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

/** What the memory and FLOP models need to know about a method, from its own file. */
export interface MethodProfile {
  /** Every trainable tensor; the sizes add up to `trainableParams(arch, config)`. */
  tensors: TensorGroup[];
  /** Trainable scalars that are weights of the base model (full fine-tuning, BitFit). */
  trainableInBase: number;
  /** Trainable scalars that are matrices of the base model's own matrix multiplications. */
  baseMatmulTrainable: number;
  /** Scalars of the method's added modules that multiply activations (LoRA A and B, adapter projections). */
  addedMatmul: number;
  /** Activation values one layer of `stack` keeps per token for the method's own modules. */
  extraActivationValues(stack: Stack): number;
}

export function tensorSize(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function groupsSize(groups: readonly TensorGroup[]): number {
  return groups.reduce((sum, g) => sum + g.count * tensorSize(g.shape), 0);
}

const embeddingWidth = (arch: Architecture) => arch.embeddingSize ?? arch.hiddenSize;

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
  return groups;
}

/** The profile of a method that only adds free vectors (prompts, prefixes). */
export const noActivations = (): number => 0;
