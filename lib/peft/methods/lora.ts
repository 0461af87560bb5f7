import type * as tfTypes from '@tensorflow/tfjs';
import { type TensorGroup, groupsSize } from './tensors';
import { createRng } from '../model/random';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { numberValue, listValue } from './config';
import type { PeftMethod } from './types';

/**
 * LoRA (Hu et al., 2022): a frozen linear map W gains a trainable low-rank update,
 * h = xW + (α/r)·xAB, with A (in × r) and B (r × out). B starts at zero, so training starts from
 * the pretrained function; after training, AB can be added into W and costs nothing at inference.
 * Initialisation follows HF PEFT: A uniform in ±1/√in, B zero.
 */
export const lora: PeftMethod = {
  id: 'lora',
  name: 'LoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the update AB.', kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r.', kind: 'number', min: 0.01, max: 4096, default: 16 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their names in the model.',
      kind: 'modules',
      // HF PEFT's defaults: q and v, or the fused qkv map (GPT-2's c_attn, BLOOM's query_key_value).
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
  ],
  toyLearningRate: 5e-3,
  traits: { backpropThroughBackbone: true, inference: 'mergeable', addedTokens: () => 0 },
  trainableParams(arch, config) {
    const r = numberValue(config, 'r');
    const targets = listValue(config, 'targets');
    return arch.stacks.reduce(
      (sum, s) =>
        sum + s.layers * s.linears.filter((l) => targets.includes(l.name)).reduce((n, l) => n + r * (l.inFeatures + l.outFeatures), 0),
      0,
    );
  },
  costProfile(arch, config) {
    const r = numberValue(config, 'r');
    const targets = listValue(config, 'targets');
    const tensors: TensorGroup[] = [];
    for (const s of arch.stacks) {
      for (const l of s.linears.filter((x) => targets.includes(x.name))) {
        tensors.push({ shape: [l.inFeatures, r], count: s.layers }, { shape: [r, l.outFeatures], count: s.layers });
      }
    }
    return {
      tensors,
      trainableInBase: 0,
      baseMatmulTrainable: 0,
      addedMatmul: groupsSize(tensors),
      // x·A (r values per token) is kept for the gradient of B; x itself is already kept by the
      // frozen map it feeds.
      extraActivationValues: (stack) => stack.linears.filter((l) => targets.includes(l.name)).length * r,
    };
  },
  apply(model, config, { seed = 0 } = {}) {
    const tf = model.tf;
    const r = numberValue(config, 'r');
    const scale = numberValue(config, 'alpha') / r;
    const targets = listValue(config, 'targets');
    const rng = createRng(seed);
    const pairs = new Map<string, { a: tfTypes.Variable; b: tfTypes.Variable }>();
    for (let layer = 0; layer < model.dims.layers; layer++) {
      for (const name of targets) {
        const [inF, outF] = model.weight(`h.${layer}.${name}.weight`).shape as [number, number];
        pairs.set(`${layer}.${name}`, { a: uniformVariable(tf, rng, [inF, r], 1 / Math.sqrt(inF)), b: zerosVariable(tf, [r, outF]) });
      }
    }
    let merged = false;
    const delta = (a: tfTypes.Variable, b: tfTypes.Variable) => tf.mul(tf.matMul(a, b), scale);
    const fold = (sign: 1 | -1) => {
      for (const [key, { a, b }] of pairs) {
        const [layer, name] = key.split('.') as [string, string];
        const w = model.weight(`h.${layer}.${name}.weight`);
        tf.tidy(() => w.assign(tf.add(w, tf.mul(delta(a, b), sign))));
      }
    };
    return {
      trainable: [...pairs.values()].flatMap(({ a, b }) => [a, b]),
      hooks: {
        linear(site, x, base) {
          const pair = pairs.get(`${site.layer}.${site.name}`);
          if (!pair || merged) return base;
          return tf.add(base, tf.mul(tf.matMul(tf.matMul(x, pair.a), pair.b), scale));
        },
      },
      merge() {
        if (!merged) fold(1);
        merged = true;
      },
      unmerge() {
        if (merged) fold(-1);
        merged = false;
      },
      dispose: () => disposeAll([...pairs.values()].flatMap(({ a, b }) => [a, b])),
    };
  },
};
