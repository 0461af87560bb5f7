import { type Architecture, type Stack, totalParams } from '../arch';
import { listValue, numberValue, stringValue } from '../methods/config';
import type { MethodConfig, PeftMethod } from '../methods/types';

/**
 * What the memory and FLOP models need to know about a method beyond its traits: the shapes of
 * the tensors it trains, which of them are weights of the base model, how many of its scalars
 * multiply activations, and what its own modules keep for the backward pass.
 *
 * Worked out from the method id for the five implemented methods. A method this file does not
 * know is treated as one trainable vector added to the model, with no activations of its own: the
 * parameter count stays right, and the optimizer and FLOP terms become upper bounds.
 */

/** `count` tensors of one shape; a vector has one dimension, a matrix two. */
export interface TensorGroup {
  shape: readonly number[];
  count: number;
}

export interface MethodProfile {
  /** Every trainable tensor; the sizes add up to `method.trainableParams(arch, config)`. */
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

/**
 * Scalars in the matrices every token is multiplied by in a forward pass: the linear maps of all
 * layers plus the output projection to the vocabulary (the tied embedding matrix when tied).
 * Embedding lookups, norms and biases do no matrix multiplication and are left out.
 */
export function matmulParams(arch: Architecture): number {
  const layers = arch.stacks.reduce((sum, s) => sum + s.layers * s.linears.reduce((n, l) => n + l.inFeatures * l.outFeatures, 0), 0);
  return layers + arch.vocabSize * arch.hiddenSize;
}

/** Placements of Houlsby adapters, as in methods/adapters.ts. */
const ADAPTER_SITES: Record<string, number> = { both: 2, attention: 1, mlp: 1 };

function fullFineTuningTensors(arch: Architecture): TensorGroup[] {
  const h = arch.hiddenSize;
  const groups: TensorGroup[] = [{ shape: [arch.vocabSize, h], count: 1 }];
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
  if (!arch.tiedEmbeddings) groups.push({ shape: [arch.vocabSize, h], count: 1 });
  if (arch.lmHeadBias) groups.push({ shape: [arch.vocabSize], count: 1 });
  for (const e of arch.extraParams) if (e.count > 0) groups.push({ shape: [e.count], count: 1 });
  return groups;
}

function bitfitTensors(arch: Architecture): TensorGroup[] {
  const groups: TensorGroup[] = [];
  for (const s of arch.stacks) {
    for (const l of s.linears) if (l.bias) groups.push({ shape: [l.outFeatures], count: s.layers });
    for (const n of s.norms) if (n.bias) groups.push({ shape: [n.size], count: s.layers });
    if (s.finalNorm?.bias) groups.push({ shape: [s.finalNorm.size], count: 1 });
  }
  if (arch.lmHeadBias) groups.push({ shape: [arch.vocabSize], count: 1 });
  return groups;
}

const noExtra = (): number => 0;

export function methodProfile(arch: Architecture, method: PeftMethod, config: MethodConfig): MethodProfile {
  const h = arch.hiddenSize;
  switch (method.id) {
    case 'full-fine-tuning':
      return {
        tensors: fullFineTuningTensors(arch),
        trainableInBase: totalParams(arch),
        baseMatmulTrainable: matmulParams(arch),
        addedMatmul: 0,
        extraActivationValues: noExtra,
      };
    case 'bitfit': {
      const tensors = bitfitTensors(arch);
      return { tensors, trainableInBase: groupsSize(tensors), baseMatmulTrainable: 0, addedMatmul: 0, extraActivationValues: noExtra };
    }
    case 'lora': {
      const r = numberValue(config, 'r');
      const targets = listValue(config, 'targets');
      const tensors: TensorGroup[] = [];
      for (const s of arch.stacks) {
        for (const l of s.linears.filter((x) => targets.includes(x.name))) {
          tensors.push({ shape: [l.inFeatures, r], count: s.layers }, { shape: [r, l.outFeatures], count: s.layers });
        }
      }
      return {
        tensors,
        trainableInBase: 0,
        baseMatmulTrainable: 0,
        addedMatmul: groupsSize(tensors),
        // x·A (r values per token) is kept for the gradient of B; x itself is already kept by the
        // frozen map it feeds.
        extraActivationValues: (stack) => stack.linears.filter((l) => targets.includes(l.name)).length * r,
      };
    }
    case 'adapters': {
      const m = numberValue(config, 'bottleneck');
      const sites = ADAPTER_SITES[stringValue(config, 'placement')] ?? 0;
      const layers = arch.stacks.reduce((sum, s) => sum + s.layers, 0);
      const count = layers * sites;
      const tensors: TensorGroup[] = [
        { shape: [h, m], count },
        { shape: [m], count },
        { shape: [m, h], count },
        { shape: [h], count },
      ];
      return {
        tensors,
        trainableInBase: 0,
        baseMatmulTrainable: 0,
        addedMatmul: count * 2 * h * m,
        // Per adapter: its input (h values, the sublayer output), the bottleneck before the
        // nonlinearity and after it (m each).
        extraActivationValues: () => sites * (h + 2 * m),
      };
    }
    case 'prompt-tuning': {
      const l = numberValue(config, 'tokens');
      return {
        tensors: [{ shape: [l, h], count: arch.stacks.length }],
        trainableInBase: 0,
        baseMatmulTrainable: 0,
        addedMatmul: 0,
        extraActivationValues: noExtra,
      };
    }
    default: {
      const n = method.trainableParams(arch, config);
      return {
        tensors: n > 0 ? [{ shape: [n], count: 1 }] : [],
        trainableInBase: 0,
        baseMatmulTrainable: 0,
        addedMatmul: n,
        extraActivationValues: noExtra,
      };
    }
  }
}
