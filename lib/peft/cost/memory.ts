import type { Architecture, Stack } from '../arch';
import { totalParams } from '../arch';
import type { MethodConfig, MethodTraits, PeftMethod } from '../method-api/types';
import { layerActivationBytes } from './activations';
import { baseWeightBytes } from './precision';
import { type MethodProfile, type TensorGroup, matmulParams, profileTrainable, tensorSize } from '../method-api/profile';

/**
 * Training memory, checkpoint size, training FLOPs and inference overhead of a PEFT method on an
 * architecture. Every formula, its assumptions and its sources are written out on
 * /about/cost-model/ (content/pages/cost-model.mdx); keep the two in step.
 */

/** Precision of the frozen base weights. */
export const PRECISIONS = ['fp32', 'bf16', 'fp16', 'int8', 'nf4'] as const;
export const OPTIMIZERS = ['adamw', 'adamw-8bit', 'sgd', 'sgd-momentum', 'adafactor'] as const;
export type Precision = (typeof PRECISIONS)[number];
export type Optimizer = (typeof OPTIMIZERS)[number];

export interface TrainingSetup {
  batchSize: number;
  sequenceLength: number;
  precision: Precision;
  optimizer: Optimizer;
  gradientCheckpointing: boolean;
}

export const DEFAULT_SETUP: TrainingSetup = {
  batchSize: 8,
  sequenceLength: 512,
  precision: 'bf16',
  optimizer: 'adamw',
  gradientCheckpointing: false,
};

/** All in bytes. */
export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizerState: number;
  masterWeights: number;
  activations: number;
  overhead: number;
  total: number;
}

export const MAX_BATCH_SIZE = 65_536;
export const MAX_SEQUENCE_LENGTH = 1_048_576;

/** CUDA context and kernels: Hugging Face measured 1.3 GB on a V100 before any tensor was
 * allocated (transformers docs, "Model training anatomy"). */
export const OVERHEAD_FIXED_BYTES = 2 ** 30;
/** Allocator fragmentation and short-lived buffers, as a share of everything else. */
export const OVERHEAD_FRACTION = 0.1;

/** Trainable scalars are held in fp32: PEFT upcasts fp16/bf16 adapter weights to fp32 by default
 * (`autocast_adapter_dtype=True`), and full fine-tuning keeps an fp32 master copy. */
const TRAINABLE_BYTES = 4;

/** The sequence a prompt-tuned model is served with, for the share of extra inference compute. */
export const INFERENCE_REFERENCE_TOKENS = DEFAULT_SETUP.sequenceLength;

/** Logits are kept in fp32 for the loss, as transformers' causal-LM heads upcast them. */
const LOGIT_BYTES = 4;

export function validateSetup(setup: TrainingSetup): void {
  if (!isWholeIn(setup.batchSize, 1, MAX_BATCH_SIZE)) {
    throw new RangeError(`batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
  }
  if (!isWholeIn(setup.sequenceLength, 1, MAX_SEQUENCE_LENGTH)) {
    throw new RangeError(`sequence length must be a whole number from 1 to ${MAX_SEQUENCE_LENGTH}`);
  }
  if (!(PRECISIONS as readonly string[]).includes(setup.precision)) {
    throw new RangeError(`precision must be one of ${PRECISIONS.join(', ')}`);
  }
  if (!(OPTIMIZERS as readonly string[]).includes(setup.optimizer)) {
    throw new RangeError(`optimizer must be one of ${OPTIMIZERS.join(', ')}`);
  }
  if (typeof setup.gradientCheckpointing !== 'boolean') {
    throw new RangeError('gradient checkpointing must be true or false');
  }
}

function isWholeIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** A method that trains every weight of the base model (full fine-tuning) trains in mixed
 * precision with master weights; anything less keeps a frozen base. */
function trainsWholeModel(arch: Architecture, profile: MethodProfile): boolean {
  return (profile.trainableInBase ?? 0) >= totalParams(arch);
}

/** Bytes per activation value: fp32 training keeps fp32 activations; every other precision
 * computes in 16-bit (the compute dtype of int8 and nf4 layers). */
function activationBytesPerValue(precision: Precision): number {
  return precision === 'fp32' ? 4 : 2;
}

/**
 * Peak training memory, split by what holds it.
 *
 * Full fine-tuning has no frozen weights to quantize: with `int8` or `nf4` it is counted as bf16
 * mixed precision, the cheapest way it can actually run.
 */
export function trainingMemory(arch: Architecture, method: PeftMethod, config: MethodConfig, setup: TrainingSetup): MemoryBreakdown {
  validateSetup(setup);
  const profile = method.profile(arch, config);
  const trainable = profileTrainable(profile);

  let weights: number;
  let masterWeights: number;
  let gradients: number;
  if (trainsWholeModel(arch, profile)) {
    const n = totalParams(arch);
    const mixed = setup.precision !== 'fp32';
    weights = (mixed ? 2 : 4) * n;
    masterWeights = mixed ? 4 * n : 0;
    gradients = (mixed ? 2 : 4) * n;
  } else {
    // A method may fix the base precision (QLoRA's NF4) whatever the setup says.
    weights = baseWeightBytes(arch, method.traits.basePrecision ?? setup.precision, profile.trainableInBase ?? 0) + TRAINABLE_BYTES * trainable;
    masterWeights = 0;
    gradients = TRAINABLE_BYTES * trainable;
  }
  const optimizerState = profile.tensors.reduce((sum, g) => sum + g.count * optimizerBytes(g, setup.optimizer), 0);
  const activations = activationBytes(arch, method, config, profile, setup);
  const rest = weights + masterWeights + gradients + optimizerState + activations;
  // Whole bytes, so totals add up exactly in every display.
  const overhead = Math.round(OVERHEAD_FIXED_BYTES + OVERHEAD_FRACTION * rest);
  return { weights, gradients, optimizerState, masterWeights, activations, overhead, total: rest + overhead };
}

/** Optimizer state of one tensor. */
function optimizerBytes(g: TensorGroup, optimizer: Optimizer): number {
  const n = tensorSize(g.shape);
  switch (optimizer) {
    case 'adamw':
      return 8 * n;
    case 'adamw-8bit':
      // bitsandbytes keeps 32-bit state for tensors under 4,096 elements; otherwise two 8-bit
      // states, each with one fp32 absolute maximum per block of 256 values.
      return n < 4096 ? 8 * n : 2 * n + 2 * 4 * Math.ceil(n / 256);
    case 'sgd':
      return 0;
    case 'sgd-momentum':
      return 4 * n;
    case 'adafactor': {
      // Factored second moment (Shazeer & Stern, 2018): a row and a column vector for a matrix,
      // the full vector otherwise; no first moment (beta1 unset, the default).
      const [rows, cols] = g.shape;
      return g.shape.length === 2 && rows !== undefined && cols !== undefined ? 4 * (rows + cols) : 4 * n;
    }
  }
}

function activationBytes(arch: Architecture, method: PeftMethod, config: MethodConfig, profile: MethodProfile, setup: TrainingSetup): number {
  const tokens = setup.sequenceLength + (method.traits.addedTokens?.(config) ?? 0);
  const extraKeys = method.traits.addedKeyValues?.(config) ?? 0;
  const bpv = activationBytesPerValue(setup.precision);
  const logits = LOGIT_BYTES * tokens * arch.vocabSize;
  const own = (s: Stack) => bpv * tokens * (profile.extraActivationValues?.(s, tokens) ?? 0);
  let kept: number;
  if (method.traits.backpropThroughBackbone) {
    const perLayer = arch.stacks.map((s) => layerActivationBytes(arch, s, tokens, bpv, extraKeys) + own(s));
    if (setup.gradientCheckpointing) {
      // Only each layer's input is kept; the layer being recomputed holds its full set.
      const inputs = arch.stacks.reduce((sum, s) => sum + s.layers * bpv * tokens * arch.hiddenSize, 0);
      kept = inputs + Math.max(0, ...perLayer);
    } else {
      kept = arch.stacks.reduce((sum, s, i) => sum + s.layers * (perLayer[i] ?? 0), 0);
    }
  } else {
    // No gradient enters the backbone, so none of its activations are kept: only the method's
    // own modules' (a side network's).
    kept = arch.stacks.reduce((sum, s) => sum + s.layers * own(s), 0);
  }
  return setup.batchSize * (kept + logits);
}

/**
 * Bytes of the trained delta as saved: every trainable scalar in fp32. PEFT saves adapter weights
 * in the dtype they were trained in, fp32 by default; for full fine-tuning this is the whole
 * model in fp32 (a bf16 export would be half).
 */
export function checkpointBytes(arch: Architecture, method: PeftMethod, config: MethodConfig): number {
  return TRAINABLE_BYTES * method.savedParams(arch, config);
}

/**
 * Training FLOPs per token processed (prompt tokens included), matrix multiplications only.
 * With N the scalars every token is multiplied by (`matmulParams`): a forward pass costs 2N, the
 * gradient with respect to the activations another 2N, and the gradient with respect to a weight
 * matrix 2 per trainable scalar (Kaplan et al., 2020: 6N for full training). Added modules cost
 * 6 per scalar (forward, input gradient, weight gradient). The attention-score products, which
 * grow with sequence length, are left out.
 */
export function trainingFlopsPerToken(arch: Architecture, method: PeftMethod, config: MethodConfig): number {
  const n = matmulParams(arch);
  const p = method.profile(arch, config);
  const backbone = method.traits.backpropThroughBackbone ? 4 * n + 2 * (p.baseMatmulTrainable ?? 0) : 2 * n;
  return backbone + 6 * (p.addedMatmul ?? 0);
}

/**
 * Extra inference compute of the tuned model over the base model, per token, and its share of
 * the base model's forward FLOPs (2N). `mergeable` is true when the update folds into the frozen
 * weights (then the overhead after merging is 0); methods that change no structure report kind
 * `unchanged` and no overhead. Otherwise the overhead is the sum of what the method adds: 2 FLOPs
 * per scalar of its added matrices, a prompt's share of a reference sequence, and for prefixes
 * the attention products over the extra keys and values (4 per key, query width and layer).
 */
export function inferenceOverhead(
  arch: Architecture,
  method: PeftMethod,
  config: MethodConfig,
): { kind: MethodTraits['inference']; mergeable: boolean; extraFlopsPerToken: number; extraFlopsShare: number } {
  const kind = method.traits.inference;
  const base = 2 * matmulParams(arch);
  let extra = 0;
  if (kind !== 'mergeable' && kind !== 'unchanged') {
    const p = method.profile(arch, config);
    const keys = method.traits.addedKeyValues?.(config) ?? 0;
    // Prefixes sit in every attention of a layer: a decoder's cross-attention reads them too.
    const queryWidth = (s: Stack) => s.attention.heads * s.attention.headDim + (s.crossAttention ? s.crossAttention.heads * s.crossAttention.headDim : 0);
    const attention = arch.stacks.reduce((sum, s) => sum + s.layers * 4 * keys * queryWidth(s), 0);
    extra = 2 * (p.inferenceMatmul ?? p.addedMatmul ?? 0) + (base * (method.traits.addedTokens?.(config) ?? 0)) / INFERENCE_REFERENCE_TOKENS + attention;
  }
  return { kind, mergeable: kind === 'mergeable', extraFlopsPerToken: extra, extraFlopsShare: base > 0 ? extra / base : 0 };
}
