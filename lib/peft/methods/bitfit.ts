import type { PeftMethod } from './types';
import { biasTensors, groupsSize, noActivations } from './tensors';

/**
 * BitFit (Ben Zaken et al., 2022): train the bias terms only. Like the common `"bias" in name`
 * selection, this includes the biases (β) of LayerNorms and of an LM head; RMSNorm has none, and
 * a model without biases (LLaMA, T5) leaves BitFit nothing to train.
 */
export const bitfit: PeftMethod = {
  id: 'bitfit',
  name: 'BitFit',
  hyperparams: [],
  toyLearningRate: 3e-2,
  traits: { backpropThroughBackbone: true, inference: 'unchanged', addedTokens: () => 0 },
  trainableParams(arch) {
    let count = arch.lmHeadBias ? arch.vocabSize : 0;
    for (const s of arch.stacks) {
      const linear = s.linears.reduce((sum, l) => sum + (l.bias ? l.outFeatures : 0), 0);
      const norms = s.norms.reduce((sum, n) => sum + (n.bias ? n.size : 0), 0);
      count += s.layers * (linear + norms) + (s.finalNorm?.bias ? s.finalNorm.size : 0);
    }
    return count;
  },
  costProfile(arch) {
    const tensors = biasTensors(arch);
    return { tensors, trainableInBase: groupsSize(tensors), baseMatmulTrainable: 0, addedMatmul: 0, extraActivationValues: noActivations };
  },
  apply(model) {
    const trainable = [...model.weights].filter(([name]) => name.endsWith('.bias')).map(([, v]) => v);
    return { trainable, hooks: {}, dispose: () => {} };
  },
};
