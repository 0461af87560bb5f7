import { totalParams } from '../arch';
import { allWeightTensors, matmulParams, noActivations } from './tensors';
import type { PeftMethod } from './types';

/** The baseline: every weight of the model is trained. */
export const fullFineTuning: PeftMethod = {
  id: 'full-fine-tuning',
  name: 'Full fine-tuning',
  hyperparams: [],
  toyLearningRate: 1e-3,
  traits: { backpropThroughBackbone: true, inference: 'unchanged', addedTokens: () => 0 },
  trainableParams: (arch) => totalParams(arch),
  costProfile: (arch) => ({
    tensors: allWeightTensors(arch),
    trainableInBase: totalParams(arch),
    baseMatmulTrainable: matmulParams(arch),
    addedMatmul: 0,
    extraActivationValues: noActivations,
  }),
  apply(model) {
    return { trainable: [...model.weights.values()], hooks: {}, dispose: () => {} };
  },
};
