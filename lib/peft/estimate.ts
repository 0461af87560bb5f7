import type { Architecture } from './arch';
import { notApplicableReason, resolveConfig } from './method-api/config';
import { groupsSize, profileTrainable } from './method-api/profile';
import type { HyperValue, MethodConfig, PeftMethod } from './method-api/types';
import { findModel, type ModelInfo } from './models';
import { findPeftMethod } from './registry';
import { DEFAULT_GPU, type WhatFits, findGpu, whatFits } from './cost/fits';
import { checkpointBytes, inferenceOverhead, trainingFlopsPerToken, trainingMemory, type MemoryBreakdown } from './cost/memory';
import { type TrainingSetup, validateSetup } from './cost/setup';
import { taskModel } from './cost/task';

export interface Estimate {
  model: ModelInfo;
  method: PeftMethod;
  config: MethodConfig;
  setup: TrainingSetup;
  /** Scalars the optimizer updates: the method's, plus a classification head and modules_to_save. */
  trainable: number;
  /** Scalars the checkpoint keeps: fewer than `trainable` when a reparametrisation is dropped after
   * training (prefix tuning's MLP), more when positions are stored too (FISH Mask). */
  saved: number;
  /** The model for the setup's task alone (a classification model has its head instead of the LM head). */
  total: number;
  /** The model plus the parameters the method and modules_to_save add: what HF PEFT's
   * `print_trainable_parameters` reports as "all params" (methods that train base weights add none). */
  peftTotal: number;
  checkpointBytes: number;
  memory: MemoryBreakdown;
  /** Full fine-tuning on the same model and setup, for comparison. */
  fullFineTuning: MemoryBreakdown;
  flopsPerToken: number;
  inference: ReturnType<typeof inferenceOverhead>;
  fits: WhatFits;
  /** Why the method does not apply to the model (BitFit on a model without biases), or null. */
  notApplicable: string | null;
}

/**
 * Everything the calculators, the compare page and the `cost` CLI show for one model, method and
 * training setup, with "what fits" on `gpuId`. The model is an id of the list or a ModelInfo. Throws RangeError with a one-line message for any
 * impossible input.
 */
export function estimate(
  modelIdOrInfo: string | ModelInfo,
  methodId: string,
  hyper: Readonly<Record<string, HyperValue | undefined>>,
  setup: TrainingSetup,
  gpuId: string = DEFAULT_GPU,
  { allowNotApplicable = false }: { allowNotApplicable?: boolean } = {},
): Estimate {
  // A ModelInfo comes from a pasted config.json; an id is looked up in the list.
  const model = typeof modelIdOrInfo === 'string' ? findModel(modelIdOrInfo) : modelIdOrInfo;
  const method = findPeftMethod(methodId);
  validateSetup(setup);
  const gpu = findGpu(gpuId);
  const config = resolveConfig(method, taskModel(model.arch, setup).arch, hyper);
  const e = estimateFor(model, method, config, setup, gpu.id);
  // A count of 0 and a 0-byte checkpoint would read as results: say why instead (the compare
  // page, which runs every method, asks for the estimate and shows the reason in its row).
  if (e.notApplicable !== null && !allowNotApplicable) throw new RangeError(e.notApplicable);
  return e;
}

export function estimateFor(model: ModelInfo, method: PeftMethod, config: MethodConfig, setup: TrainingSetup, gpuId: string = DEFAULT_GPU): Estimate {
  const task = taskModel(model.arch, setup);
  const arch: Architecture = task.arch;
  const memory = trainingMemory(model.arch, method, config, setup);
  const full = findPeftMethod('full-fine-tuning');
  const profile = method.profile(arch, config);
  const inBase = profile.trainableInBase ?? 0;
  const whole = inBase >= task.total - task.newParams;
  const extra = whole ? task.newParams : groupsSize(task.extraTrainable);
  const trainable = whole ? task.total : method.trainableParams(arch, config) + extra;
  return {
    model,
    method,
    config,
    setup,
    trainable,
    saved: method.savedParams(arch, config) + extra,
    total: task.total,
    // PEFT adds what the method adds, and a modules_to_save copy beside each original module
    // (a new head is already in the model's total).
    peftTotal: task.total + (whole ? 0 : profileTrainable(profile) - inBase + extra - task.newParams),
    checkpointBytes: checkpointBytes(arch, method, config, extra),
    memory,
    fullFineTuning: method.id === full.id ? memory : trainingMemory(model.arch, full, {}, setup),
    flopsPerToken: trainingFlopsPerToken(arch, method, config),
    inference: inferenceOverhead(arch, method, config),
    fits: whatFits(model.arch, method, config, setup, findGpu(gpuId)),
    notApplicable: notApplicableReason(method, arch, config),
  };
}
