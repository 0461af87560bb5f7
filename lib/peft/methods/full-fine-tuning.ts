import { totalParams } from '../arch';
import { attachAll, weightParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { allWeightTensors, matmulParams } from '../method-api/profile';

/** The baseline: every weight of the model is trained. */
export const fullFineTuning = defineMethod({
  id: 'full-fine-tuning',
  name: 'Full fine-tuning',
  hyperparams: [],
  toyLearningRate: 1e-3,
  traits: { backpropThroughBackbone: true, inference: 'unchanged' },
  lineage: [],
  anatomy: (arch) => attachAll(weightParts(arch), 'trained', 'every weight'),
  profile: (arch) => ({
    tensors: allWeightTensors(arch),
    trainableInBase: totalParams(arch),
    baseMatmulTrainable: matmulParams(arch),
  }),
  apply(model) {
    return { trainable: [...model.weights.values()], hooks: {}, dispose: () => {} };
  },
});
