import type * as tfTypes from '@tensorflow/tfjs';
import { matchingLinears } from '../arch';
import { attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import { type TensorGroup, groupsSize } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

/**
 * LoRA (Hu et al., 2022): a frozen linear map W gains a trainable low-rank update,
 * h = xW + (α/r)·xAB, with A (in × r) and B (r × out). B starts at zero, so training starts from
 * the pretrained function; after training, AB can be added into W and costs nothing at inference.
 * Initialisation follows HF PEFT: A uniform in ±1/√in, B zero.
 */
export const lora = defineMethod({
  id: 'lora',
  name: 'LoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the update AB.', kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r.', kind: 'number', min: 0.01, max: 4096, default: 16 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model.',
      kind: 'modules',
      // HF PEFT's defaults: q and v, or the fused qkv map (GPT-2's c_attn, BLOOM's query_key_value).
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
  ],
  toyLearningRate: 5e-3,
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // LoRA §1: it takes from Aghajanyan et al. that fine-tuning has a low intrinsic dimension and
  // hypothesises that the weight change has a low "intrinsic rank".
  lineage: [{ id: 'intrinsic-said', how: 'takes the low intrinsic dimension of fine-tuning as the reason a low-rank update suffices', where: '§1' }],
  anatomy: (arch, { r, targets }) => attachAll(targetParts(arch, targets), 'added', `rank-${r} update BA`),
  profile(arch, { r, targets }) {
    const tensors: TensorGroup[] = [];
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) {
        tensors.push({ shape: [l.inFeatures, r], count: s.layers }, { shape: [r, l.outFeatures], count: s.layers });
      }
    }
    return {
      tensors,
      addedMatmul: groupsSize(tensors),
      // x·A (r values per token) is kept for the gradient of B; x itself is already kept by the
      // frozen map it feeds.
      extraActivationValues: (stack) => matchingLinears(stack, targets).length * r,
    };
  },
  apply(model, { r, alpha, targets }, { seed = 0 } = {}) {
    const tf = model.tf;
    const scale = alpha / r;
    const rng = createRng(seed);
    const factors: tfTypes.Variable[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const a = uniformVariable(tf, rng, [site.inFeatures, r], 1 / Math.sqrt(site.inFeatures));
      const b = zerosVariable(tf, [r, site.outFeatures]);
      factors.push(a, b);
      return {
        matrix: () => tf.mul(tf.matMul(a, b), scale),
        forward: (x) => tf.mul(tf.matMul(tf.matMul(x, a), b), scale),
      };
    });
    return {
      trainable: factors,
      hooks: delta.hooks,
      merge: delta.merge,
      unmerge: delta.unmerge,
      dispose: () => {
        delta.dispose();
        disposeAll(factors);
      },
    };
  },
});
