import type { TrainingSetup } from './cost/memory';
import { estimate, type Estimate } from './estimate';
import { METHODS } from './registry';

export interface CompareRow {
  estimate: Estimate;
  /** The hyperparameters used, in words, e.g. "r = 8, alpha = 16, targets = q_proj, v_proj". */
  settings: string;
  /** The calculator with this method, model and setup filled in. */
  calculatorHref: string;
}

/** Every implemented method at its default hyperparameters on one model and setup. */
export function compareMethods(modelId: string, setup: TrainingSetup): CompareRow[] {
  return METHODS.map((method) => {
    const e = estimate(modelId, method.id, {}, setup);
    const settings = Object.entries(e.config)
      .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('; ');
    const params = new URLSearchParams({
      model: modelId,
      method: method.id,
      batch: String(setup.batchSize),
      seq: String(setup.sequenceLength),
      precision: setup.precision,
      optimizer: setup.optimizer,
      checkpointing: setup.gradientCheckpointing ? '1' : '0',
    });
    return { estimate: e, settings: settings || 'no hyperparameters', calculatorHref: `/calculator/?${params.toString()}` };
  });
}
