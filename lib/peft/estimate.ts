import type { Architecture } from './arch';
import { totalParams } from './arch';
import { resolveConfig } from './method-api/config';
import { profileTrainable } from './method-api/profile';
import type { HyperValue, MethodConfig, PeftMethod } from './method-api/types';
import { findModel, type ModelInfo } from './models';
import { findPeftMethod } from './registry';
import { checkpointBytes, inferenceOverhead, trainingFlopsPerToken, trainingMemory, validateSetup, type MemoryBreakdown, type TrainingSetup } from './cost/memory';

/** Common GPU memory sizes for the "fits on" line, in GB as vendors count them (10⁹ bytes). */
export const GPU_SIZES_GB = [24, 40, 48, 80] as const;

export interface Estimate {
  model: ModelInfo;
  method: PeftMethod;
  config: MethodConfig;
  setup: TrainingSetup;
  trainable: number;
  /** Scalars the checkpoint keeps: fewer than `trainable` when a reparametrisation is dropped after
   * training (prefix tuning's MLP), more when positions are stored too (FISH Mask). */
  saved: number;
  /** The base model alone. */
  total: number;
  /** The base model plus the parameters the method adds and trains: what HF PEFT's
   * `print_trainable_parameters` reports as "all params" (methods that train base weights add none). */
  peftTotal: number;
  checkpointBytes: number;
  memory: MemoryBreakdown;
  /** Full fine-tuning on the same model and setup, for comparison. */
  fullFineTuning: MemoryBreakdown;
  flopsPerToken: number;
  inference: ReturnType<typeof inferenceOverhead>;
  fits: { gb: number; fits: boolean }[];
}

/**
 * Everything the calculators, the compare page and the `cost` CLI show for one model, method and
 * training setup. Throws RangeError with a one-line message for any impossible input.
 */
export function estimate(modelId: string, methodId: string, hyper: Readonly<Record<string, HyperValue | undefined>>, setup: TrainingSetup): Estimate {
  const model = findModel(modelId);
  const method = findPeftMethod(methodId);
  validateSetup(setup);
  const config = resolveConfig(method, model.arch, hyper);
  return estimateFor(model, method, config, setup);
}

export function estimateFor(model: ModelInfo, method: PeftMethod, config: MethodConfig, setup: TrainingSetup): Estimate {
  const arch: Architecture = model.arch;
  const memory = trainingMemory(arch, method, config, setup);
  const full = findPeftMethod('full-fine-tuning');
  const profile = method.profile(arch, config);
  const total = totalParams(arch);
  return {
    model,
    method,
    config,
    setup,
    trainable: method.trainableParams(arch, config),
    saved: method.savedParams(arch, config),
    total,
    peftTotal: total + profileTrainable(profile) - (profile.trainableInBase ?? 0),
    checkpointBytes: checkpointBytes(arch, method, config),
    memory,
    fullFineTuning: method.id === full.id ? memory : trainingMemory(arch, full, {}, setup),
    flopsPerToken: trainingFlopsPerToken(arch, method, config),
    inference: inferenceOverhead(arch, method, config),
    fits: GPU_SIZES_GB.map((gb) => ({ gb, fits: memory.total <= gb * 1e9 })),
  };
}
