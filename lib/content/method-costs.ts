import { totalParams } from '@/lib/peft/arch';
import { compareMethods } from '@/lib/peft/compare';
import { DEFAULT_SETUP, type TrainingSetup } from '@/lib/peft/cost/setup';
import type { MethodTraits } from '@/lib/peft/method-api/types';
import { findModel } from '@/lib/peft/models';

/**
 * What the registry and the cost model say about each implemented method on one reference model
 * and training setup: the computed columns of the methods table and "our side" of the survey's
 * comparison table. Computed at build time; the results are plain numbers, so they can be handed
 * to a client component without the registry, the model table or zod.
 */

/** The calculators' default model: a model people fine-tune, large enough that memory matters. */
export const REFERENCE_MODEL_ID = 'meta-llama/Llama-2-7b-hf';
/** The calculators' default setup: bf16 base weights, AdamW, batch 8 × 512 tokens, no checkpointing. */
export const REFERENCE_SETUP: TrainingSetup = DEFAULT_SETUP;

export type InferenceKind = MethodTraits['inference'];

/** One implemented method on the reference model and setup, at its default hyperparameters. */
export interface MethodCosts {
  /** Bytes of the saved task checkpoint (the trained delta, fp32). */
  checkpointBytes: number;
  /** The checkpoint as a share of a fully fine-tuned model's checkpoint (same precision). */
  checkpointShare: number;
  /** Peak training memory in bytes. */
  memoryBytes: number;
  /** Peak training memory over full fine-tuning's on the same model and setup. */
  memoryVsFull: number;
  trainableParams: number;
  /** Trainable parameters as a share of the model's parameters. */
  trainableShare: number;
  backpropThroughBackbone: boolean;
  inference: InferenceKind;
  mergeable: boolean;
  /** Extra inference FLOPs per token over the base model's forward pass (0 when merged or unchanged). */
  extraInferenceShare: number;
  /** The hyperparameters used, in words. */
  settings: string;
  /** The calculator with this method, model and setup filled in. */
  calculatorHref: string;
}

/** The model and setup every cost figure is computed on, for the page to state. */
export interface ReferenceInfo {
  modelId: string;
  modelName: string;
  totalParams: number;
  setup: TrainingSetup;
  fullFineTuningMemoryBytes: number;
  fullFineTuningCheckpointBytes: number;
}

const cache = new Map<string, Map<string, MethodCosts>>();

/** Costs of every implemented method, by taxonomy id. A method missing from the map is not implemented. */
export function methodCosts(modelId: string = REFERENCE_MODEL_ID, setup: TrainingSetup = REFERENCE_SETUP): ReadonlyMap<string, MethodCosts> {
  const key = JSON.stringify([modelId, setup]);
  const hit = cache.get(key);
  if (hit) return hit;
  const rows = compareMethods(modelId, setup);
  const full = rows.find((r) => r.estimate.method.id === 'full-fine-tuning')?.estimate;
  if (!full) throw new Error('the registry has no full fine-tuning to compare with');
  const byId = new Map<string, MethodCosts>();
  for (const { estimate: e, settings, calculatorHref } of rows) {
    byId.set(e.method.id, {
      checkpointBytes: e.checkpointBytes,
      checkpointShare: e.checkpointBytes / full.checkpointBytes,
      memoryBytes: e.memory.total,
      memoryVsFull: e.memory.total / e.fullFineTuning.total,
      trainableParams: e.trainable,
      trainableShare: e.trainable / e.total,
      backpropThroughBackbone: e.method.traits.backpropThroughBackbone,
      inference: e.inference.kind,
      mergeable: e.inference.mergeable,
      extraInferenceShare: e.inference.extraFlopsShare,
      settings,
      calculatorHref,
    });
  }
  cache.set(key, byId);
  return byId;
}

export function referenceInfo(modelId: string = REFERENCE_MODEL_ID, setup: TrainingSetup = REFERENCE_SETUP): ReferenceInfo {
  const model = findModel(modelId);
  const full = methodCosts(modelId, setup).get('full-fine-tuning');
  if (!full) throw new Error('the registry has no full fine-tuning to compare with');
  return {
    modelId,
    modelName: model.name,
    totalParams: totalParams(model.arch),
    setup,
    fullFineTuningMemoryBytes: full.memoryBytes,
    fullFineTuningCheckpointBytes: full.checkpointBytes,
  };
}
