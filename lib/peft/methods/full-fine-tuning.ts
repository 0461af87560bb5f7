import { totalParams } from '../arch';
import type { PeftMethod } from './types';

/** The baseline: every weight of the model is trained. */
export const fullFineTuning: PeftMethod = {
  id: 'full-fine-tuning',
  name: 'Full fine-tuning',
  hyperparams: [],
  toyLearningRate: 1e-3,
  traits: { backpropThroughBackbone: true, inference: 'unchanged', addedTokens: () => 0 },
  trainableParams: (arch) => totalParams(arch),
  apply(model) {
    return { trainable: [...model.weights.values()], hooks: {}, dispose: () => {} };
  },
};
