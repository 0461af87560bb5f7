import { DEFAULT_GPU } from './cost/fits';
import type { TrainingSetup } from './cost/setup';
import { estimate, type Estimate } from './estimate';
import { setupToText } from './input';
import type { ModelInfo } from './models';
import { METHODS } from './registry';

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
    const settings = Object.entries(e.config)
      .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('; ');
    const params = new URLSearchParams({ model: modelId, method: method.id, ...setupToText(setup) });
    if (gpuId !== DEFAULT_GPU) params.set('gpu', gpuId);
    if (arch !== '') params.set('arch', arch);
    return { estimate: e, settings: settings || 'no hyperparameters', calculatorHref: `/calculator/?${params.toString()}` };
  });
}
