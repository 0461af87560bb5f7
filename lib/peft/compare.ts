import { linearPaths } from './arch';
import { DEFAULT_GPU } from './cost/fits';
import { unmergedServing } from './cost/memory';
import type { TrainingSetup } from './cost/setup';
import { estimate, type Estimate } from './estimate';
import { setupToText } from './input';
import { taskModel } from './cost/task';
import { resolveConfig } from './method-api/config';
import type { HyperValue, MethodConfig } from './method-api/types';
import { findModel, type ModelInfo } from './models';
import { METHODS, findPeftMethod } from './registry';

export interface CompareRow {
  /** `estimate.notApplicable` says when the method does not apply to the model. */
  estimate: Estimate;
  /** The hyperparameters used, in words, e.g. "r = 8, alpha = 16, targets = q_proj, v_proj". */
  settings: string;
  /** The calculator with this method, model and setup filled in. */
  calculatorHref: string;
}

/**
 * Every implemented method at its default hyperparameters on one model and setup, with "what
 * fits" on `gpuId`. Each row links to the calculator with the same query: the settings that
 * differ from the defaults, under the keys every interface reads (`batch`, `seq`, …), and `arch`,
 * the URL form of a model read from a config.json (the calculator's `arch` parameter).
 */
export function compareMethods(model: string | ModelInfo, setup: TrainingSetup, gpuId: string = DEFAULT_GPU, arch = ''): CompareRow[] {
  const modelId = typeof model === 'string' ? model : model.id;
  return METHODS.map((method) => {
    const e = estimate(model, method.id, {}, setup, gpuId, { allowNotApplicable: true });
    return { estimate: e, settings: settingsText(e.config), calculatorHref: calculatorHref(modelId, method.id, setup, gpuId, arch) };
  });
}

function settingsText(config: MethodConfig): string {
  const text = Object.entries(config)
    // An empty pattern (a rank or alpha per module) means "none": it says nothing here.
    .filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('; ');
  return text || 'no hyperparameters';
}

/** The calculator with this method, model and setup (and any hyperparameters) filled in. */
function calculatorHref(modelId: string, methodId: string, setup: TrainingSetup, gpuId: string, arch: string, hyper: Readonly<Record<string, HyperValue>> = {}): string {
  const params = new URLSearchParams({ model: modelId, method: methodId, ...setupToText(setup) });
  if (gpuId !== DEFAULT_GPU) params.set('gpu', gpuId);
  if (arch !== '') params.set('arch', arch);
  for (const [key, value] of Object.entries(hyper)) params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  return `/calculator/?${params.toString()}`;
}

/** Which modules the low-rank family is compared on: each method's own defaults, LoRA's defaults
 * for all (q and v, or the fused attention map), or every linear map of the blocks. */
export const LOW_RANK_TARGETS = ['defaults', 'lora-defaults', 'all-linear'] as const;
export type LowRankTargets = (typeof LOW_RANK_TARGETS)[number];

export interface LowRankRow extends CompareRow {
  /** What serving it unmerged keeps beside the base (scalars) and the compute it adds. */
  unmerged: { params: number; flopsShare: number };
  /** Why it cannot be set to this rank or these targets, instead of an estimate. */
  error: string | null;
}

/**
 * The low-rank family (methods that declare a `rankParam`) on one model and setup, every one at
 * the same rank and on the same targets where it has a `targets` setting: trainable parameters
 * against training memory, and what each keeps at inference merged or not. A method that refuses
 * the rank or the targets (a rank above its range, GPT-2's fused map for a method without Conv1D
 * support) gets its sentence as `error`.
 */
export function compareLowRank(
  model: string | ModelInfo,
  setup: TrainingSetup,
  { rank, targets }: { rank: number; targets: LowRankTargets },
  gpuId: string = DEFAULT_GPU,
  arch = '',
): LowRankRow[] {
  const info = typeof model === 'string' ? findModel(model) : model;
  const taskArch = taskModel(info.arch, setup).arch;
  const shared = targets === 'all-linear' ? linearPaths(taskArch) : targets === 'lora-defaults' ? (resolveConfig(findPeftMethod('lora'), taskArch).targets as readonly string[]) : undefined;
  return METHODS.filter((m) => m.rankParam !== undefined).map((method) => {
    const hyper: Record<string, HyperValue> = { [method.rankParam as string]: rank };
    if (shared && method.hyperparams.some((h) => h.key === 'targets' && h.kind === 'modules')) hyper.targets = shared;
    const href = calculatorHref(info.id, method.id, setup, gpuId, arch, hyper);
    try {
      const e = estimate(info, method.id, hyper, setup, gpuId, { allowNotApplicable: true });
      return { estimate: e, settings: settingsText(e.config), calculatorHref: href, unmerged: unmergedServing(taskArch, method, e.config), error: e.notApplicable };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const e = estimate(info, method.id, {}, setup, gpuId, { allowNotApplicable: true });
      return { estimate: e, settings: settingsText(e.config), calculatorHref: href, unmerged: { params: 0, flopsShare: 0 }, error: err.message };
    }
  });
}
