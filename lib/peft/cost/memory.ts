import type { Architecture, Stack } from '../arch';
import { layerParams, totalParams } from '../arch';
import type { MethodConfig, MethodTraits, PeftMethod } from '../method-api/types';
import { type MethodProfile, type TensorGroup, allWeightTensors, groupsSize, matmulParams, profileTrainable, savedGroups, tensorSize } from '../method-api/profile';
import { layerActivationBytes } from './activations';
import { isPaged, optimizerStateOf } from './optimizer';
import { baseWeightBytes, linearWeightParams } from './precision';
import { DEFAULT_SETUP, type TrainingSetup, validateSetup } from './setup';
import { shardAcrossGpus } from './sharding';
import { taskModel } from './task';

/**
 * Training memory, checkpoint size, training FLOPs and inference overhead of a PEFT method on an
 * architecture. Every formula, its assumptions and its sources are written out on
 * /about/cost-model/ (content/pages/cost-model.mdx); keep the two in step.
 */

/** All in bytes, per GPU. */
export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizerState: number;
  masterWeights: number;
  activations: number;
  overhead: number;
  total: number;
  /** Held in CPU memory instead of the GPU's (offloaded optimizer state, weights, activations). */
  cpu: number;
  /** Of `optimizerState`, what a paged optimizer lets the driver evict to the CPU under pressure. */
  pageable: number;
}

/** CUDA context and kernels: Hugging Face measured 1.3 GB on a V100 before any tensor was
 * allocated (transformers docs, "Model training anatomy"). */
export const OVERHEAD_FIXED_BYTES = 2 ** 30;
/** Allocator fragmentation and short-lived buffers, as a share of everything else. */
export const OVERHEAD_FRACTION = 0.1;

/** Saved scalars are fp32, as trained. */
const SAVED_BYTES = 4;

/** The sequence a prompt-tuned model is served with, for the share of extra inference compute. */
export const INFERENCE_REFERENCE_TOKENS = DEFAULT_SETUP.sequenceLength;

/** A method that trains every weight of the base model (full fine-tuning). */
function trainsWholeModel(arch: Architecture, profile: MethodProfile): boolean {
  return (profile.trainableInBase ?? 0) >= totalParams(arch);
}

/** Bytes per activation value: an fp32 run keeps fp32 activations; every other recipe computes in
 * 16-bit (also the compute dtype of int8 and nf4 layers). */
function activationBytesPerValue(setup: TrainingSetup): number {
  return setup.recipe === 'fp32' ? 4 : 2;
}

/** Bytes of a trained weight, its gradient and one optimizer-state value: bf16 in a pure-bf16 run,
 * fp32 otherwise (PEFT upcasts adapter weights to fp32 by default, `autocast_adapter_dtype=True`). */
function trainedBytes(setup: TrainingSetup): number {
  return setup.recipe === 'pure-bf16' ? 2 : 4;
}

/**
 * Peak training memory per GPU, split by what holds it.
 *
 * Full fine-tuning has no frozen weights to quantize: with `int8` or `nf4` it is counted at 16 bits.
 * Every formula is written out, with its sources, on /about/cost-model/.
 */
export function trainingMemory(arch: Architecture, method: PeftMethod, config: MethodConfig, setup: TrainingSetup): MemoryBreakdown {
  validateSetup(setup);
  const task = taskModel(arch, setup);
  const model = task.arch;
  const profile = method.profile(model, config);
  const whole = trainsWholeModel(model, profile);
  const b = trainedBytes(setup);
  const mixed = setup.recipe === 'mixed-bf16' || setup.recipe === 'mixed-fp16' || setup.recipe === 'amp';

  // What the optimizer updates, as tensors: the method's own, plus the task head and
  // modules_to_save (already part of the model when the whole model is trained).
  const trainedTensors: TensorGroup[] = whole ? [...allWeightTensors(model), ...task.extraTrainable.slice(0, task.newParams > 0 ? 1 : 0)] : [...profile.tensors, ...task.extraTrainable];
  const trainable = whole ? task.total : profileTrainable(profile) + groupsSize(task.extraTrainable);

  let weights: number;
  let masterWeights = 0;
  let gradients: number;
  if (whole) {
    // The site's one convention (ZeRO §3.1): mixed precision keeps 16-bit weights and gradients
    // beside an fp32 master copy, 2 + 2 + 4 bytes, before the optimizer's state. PyTorch AMP
    // keeps fp32 gradients instead (18 bytes with AdamW), a variant /about/cost-model/ labels.
    // Pure bf16 keeps one bf16 copy of everything.
    weights = (mixed ? 2 : b) * trainable;
    masterWeights = mixed ? 4 * trainable : 0;
    gradients = (mixed && setup.recipe !== 'amp' ? 2 : b) * trainable;
  } else {
    // A method may fix the base precision (QLoRA's NF4) whatever the setup says.
    const precision = method.traits.basePrecision ?? setup.precision;
    // Frozen tensors a method adds (VeRA's shared matrices) sit beside its trained ones, in the
    // adapter's dtype.
    weights = baseWeightBytes(model, precision, profile.trainableInBase ?? 0) + b * (trainable + groupsSize(profile.frozen ?? []));
    // Autocast casts an fp32 frozen weight to 16 bits for each matmul, and the copy is saved for
    // the backward pass wherever the input needs a gradient (not when layers are recomputed).
    if (precision === 'fp32' && mixed && method.traits.backpropThroughBackbone && !setup.gradientCheckpointing) weights += 2 * linearWeightParams(model);
    gradients = b * trainable;
  }
  if (setup.optimizerInBackward) {
    // Each gradient is applied and freed as soon as it is complete: at most one tensor's at a time.
    gradients = b * Math.max(0, ...trainedTensors.map((g) => tensorSize(g.shape)));
  }
  const optimizerState = optimizerStateOf(trainedTensors, setup.optimizer, b);
  const act = activationBytes(model, method, config, profile, setup, task.logitsPerToken);
  const sharded = shardAcrossGpus(
    { weights, masterWeights, gradients, optimizerState, activations: act.gpu, cpu: act.cpu },
    { largestLayerWeights: 2 * Math.max(0, ...model.stacks.map(layerParams)), ddpBuckets: setup.gpus > 1 && setup.sharding === 'ddp' },
    setup,
  );
  const rest = sharded.weights + sharded.masterWeights + sharded.gradients + sharded.optimizerState + sharded.activations;
  // Whole bytes, so totals add up exactly in every display.
  const overhead = Math.round(OVERHEAD_FIXED_BYTES + OVERHEAD_FRACTION * rest);
  return { ...sharded, overhead, total: rest + overhead, pageable: isPaged(setup.optimizer) ? sharded.optimizerState : 0 };
}

/** Tokens each stack's layers see per sequence, and the keys its cross-attention reads. */
function stackTokens(arch: Architecture, method: PeftMethod, config: MethodConfig, setup: TrainingSetup): { tokens: number; crossKeys: number }[] {
  const source = (setup.meanLength ?? setup.sequenceLength) + (method.traits.addedTokens?.(config) ?? 0);
  const encoderDecoder = arch.stacks.some((s) => s.kind === 'encoder') && arch.stacks.some((s) => s.kind === 'decoder');
  const target = setup.targetLength ?? setup.meanLength ?? setup.sequenceLength;
  return arch.stacks.map((s) => (encoderDecoder && s.kind === 'decoder' ? { tokens: target, crossKeys: source } : { tokens: source, crossKeys: 0 }));
}

/**
 * Activations per GPU (and in CPU memory when offloaded) for the micro-batch, plus the loss's
 * logits. Logits over the vocabulary are held in 16 bits as the head computes them, again in fp32
 * for the loss, and as the log-softmax the cross-entropy saves (fp32): 2 + 4 + 4 bytes each with
 * 16-bit activations. A chunked loss upcasts one chunk of eight at a time (torchtune's
 * `CEWithChunkedOutputLoss`).
 */
function activationBytes(arch: Architecture, method: PeftMethod, config: MethodConfig, profile: MethodProfile, setup: TrainingSetup, logitsPerToken: number): { gpu: number; cpu: number } {
  const bpv = activationBytesPerValue(setup);
  const extraKeys = method.traits.addedKeyValues?.(config) ?? 0;
  const lengths = stackTokens(arch, method, config, setup);
  const outputTokens = lengths[lengths.length - 1]?.tokens ?? setup.sequenceLength;
  const fp32Work = bpv < 4 ? 8 : 4;
  const logitBytes = bpv + (setup.chunkedLoss ? fp32Work / 8 : fp32Work);
  const logits = logitsPerToken > 0 ? logitBytes * outputTokens * logitsPerToken : 4 * setup.numLabels;
  const own = (s: Stack, tokens: number) => bpv * tokens * (profile.extraActivationValues?.(s, tokens) ?? 0);
  const released = (s: Stack, tokens: number) => bpv * tokens * (profile.releasedActivationValues?.(s, tokens) ?? 0);

  let layers: number[]; // bytes each layer keeps, in order
  let recompute = 0; // the layer being recomputed under checkpointing
  if (method.traits.backpropThroughBackbone) {
    const full = arch.stacks.map((s, i) => {
      const { tokens, crossKeys } = lengths[i] ?? { tokens: setup.sequenceLength, crossKeys: 0 };
      const base = layerActivationBytes(arch, s, { tokens, extraKeys, crossKeys, bytesPerValue: bpv, kernel: setup.attention, fp32Softmax: setup.recipe !== 'pure-bf16' && setup.recipe !== 'fp32' });
      // What the method releases comes off the base layer's count only, never off its own values.
      return Math.max(0, base - released(s, tokens)) + own(s, tokens);
    });
    if (setup.gradientCheckpointing) {
      // Only each layer's input is kept; the layer being recomputed holds its full set.
      layers = arch.stacks.flatMap((s, i) => Array<number>(s.layers).fill(bpv * (lengths[i]?.tokens ?? 0) * arch.hiddenSize));
      recompute = Math.max(0, ...full);
    } else {
      layers = arch.stacks.flatMap((s, i) => Array<number>(s.layers).fill(full[i] ?? 0));
    }
  } else {
    // No gradient enters the backbone, so none of its activations are kept: only the method's
    // own modules' (a side network's).
    layers = arch.stacks.flatMap((s, i) => Array<number>(s.layers).fill(own(s, lengths[i]?.tokens ?? 0)));
  }
  const kept = layers.reduce((a, v) => a + v, 0);
  const batch = setup.batchSize;
  if (!setup.activationOffloading) return { gpu: batch * (kept + recompute + logits), cpu: 0 };
  // Offloaded activations wait in CPU memory; the GPU holds the layer in use and the next one,
  // brought back ahead of time.
  const onGpu = 2 * Math.max(0, ...layers);
  return { gpu: batch * (onGpu + recompute + logits), cpu: batch * Math.max(0, kept - onGpu) };
}

/**
 * Bytes of the trained delta as saved: every trainable scalar in fp32. PEFT saves adapter weights
 * in the dtype they were trained in, fp32 by default; for full fine-tuning this is the whole
 * model in fp32 (a bf16 export would be half).
 */
export function checkpointBytes(arch: Architecture, method: PeftMethod, config: MethodConfig, extraSaved = 0): number {
  return SAVED_BYTES * (method.savedParams(arch, config) + extraSaved);
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

/**
 * What serving the tuned model without merging keeps beside the base weights: the saved tensors
 * and the frozen ones the method adds (VeRA's shared matrices), and 2 FLOPs per scalar of its
 * added matrices per token, as a share of the base model's forward FLOPs (2N).
 */
export function unmergedServing(arch: Architecture, method: PeftMethod, config: MethodConfig): { params: number; flopsShare: number } {
  const p = method.profile(arch, config);
  const base = 2 * matmulParams(arch);
  const extra = 2 * (p.inferenceMatmul ?? p.addedMatmul ?? 0);
  // A frozen tensor the checkpoint stores too (LoRA-FA's A, VeRA's pair with save_projection)
  // is in `saved` with the same shape and count: counted once.
  const unmatched = [...savedGroups(p)];
  const regenerated = (p.frozen ?? []).filter((g) => {
    const i = unmatched.findIndex((s) => s.count === g.count && s.shape.join('x') === g.shape.join('x'));
    if (i >= 0) unmatched.splice(i, 1);
    return i < 0;
  });
  // A method that rewrites base weights may save them whole (ReLoRA's merged weights): those replace
  // the base's instead of sitting beside them, and only its adapter (what it trains) is extra.
  const kept = method.traits.modifiesBaseWeights ? method.trainableParams(arch, config) : method.savedParams(arch, config);
  return { params: kept + groupsSize(regenerated), flopsShare: base > 0 ? extra / base : 0 };
}
