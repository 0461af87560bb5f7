import { attachAll, biasParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { biasTensors, groupsSize } from '../method-api/profile';

/**
 * BitFit (Ben Zaken et al., 2022): train the bias terms only. Like the common `"bias" in name`
 * selection, this includes the biases (β) of LayerNorms and of an LM head; RMSNorm has none, and
 * a model without biases (LLaMA, T5) leaves BitFit nothing to train.
 */
export const bitfit = defineMethod({
  id: 'bitfit',
  name: 'BitFit',
  hyperparams: [],
  toyLearningRate: 3e-2,
  traits: { backpropThroughBackbone: true, inference: 'unchanged' },
  lineage: [],
  anatomy: (arch) => attachAll(biasParts(arch), 'trained', 'biases only'),
  notApplicable: (arch) => (biasTensors(arch).length === 0 ? `BitFit trains bias vectors, and ${arch.name} has none.` : null),
  profile(arch) {
    const tensors = biasTensors(arch);
    return { tensors, trainableInBase: groupsSize(tensors) };
  },
  apply(model) {
    const trainable = [...model.weights].filter(([name]) => name.endsWith('.bias')).map(([, v]) => v);
    return { trainable, hooks: {}, dispose: () => {} };
  },
});
