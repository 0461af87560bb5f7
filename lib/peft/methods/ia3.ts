import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, type LinearMap, linearMatches, matchingLinears } from '../arch';
import { type Attachment, ROLE_PARTS } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { deltaWeights, weightBackup } from '../method-api/delta-weight';
import { peftTargetModules } from '../method-api/peft-export';
import type { PeftExport } from '../method-api/types';
import type { TensorGroup } from '../method-api/profile';
import { siteKey, toyTargetSites } from '../method-api/toy-sites';
import { disposeAll } from '../model/params';

/**
 * HF PEFT's default (IA)³ targets and feed-forward targets per model family
 * (`TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING` and `…_FEEDFORWARD_MODULES_MAPPING` in
 * src/peft/utils/constants.py, huggingface/peft at commit 00073fe85ca790515f0b70caa69bea4c477d9db7).
 * Flan-T5 is a `t5` model there. mT0 is an `mt5` model, whose HF entry is k, v and the output of
 * `wi_1` with no feed-forward map; we give it the `t5` entry instead (k, v and the input of `wo`):
 * in mT0's gated block the input of `wo` is gelu(x·wi_0) ⊙ (x·wi_1), so scaling it or the output
 * of `wi_1` is the same function with the same count (d_ff per layer), and our modules
 * hyperparameter cannot hold HF's empty feed-forward list.
 */
const T5_TARGETS = ['k', 'v', 'wo'];
const T5_FEEDFORWARD = ['wo'];
const TARGETS_BY_FAMILY: Readonly<Record<string, readonly string[]>> = {
  t5: T5_TARGETS,
  'flan-t5': T5_TARGETS,
  mt0: T5_TARGETS,
  gpt2: ['c_attn', 'mlp.c_proj'],
  bert: ['key', 'value', 'output.dense'],
  roberta: ['key', 'value', 'output.dense'],
  opt: ['q_proj', 'k_proj', 'fc2'],
  bloom: ['query_key_value', 'mlp.dense_4h_to_h'],
  llama: ['k_proj', 'v_proj', 'down_proj'],
  mistral: ['k_proj', 'v_proj', 'down_proj'],
  qwen2: ['q_proj', 'v_proj', 'down_proj'],
  gemma2: ['q_proj', 'v_proj', 'down_proj'],
  // The paper's choice on the toy: keys, values and the FFN hidden units (the input of fc2).
  toy: ['k_proj', 'v_proj', 'fc2'],
};
const FEEDFORWARD_BY_FAMILY: Readonly<Record<string, readonly string[]>> = {
  t5: T5_FEEDFORWARD,
  'flan-t5': T5_FEEDFORWARD,
  mt0: T5_FEEDFORWARD,
  gpt2: ['mlp.c_proj'],
  bert: ['output.dense'],
  roberta: ['output.dense'],
  opt: ['fc2'],
  bloom: ['mlp.dense_4h_to_h'],
  llama: ['down_proj'],
  mistral: ['down_proj'],
  qwen2: ['down_proj'],
  gemma2: ['down_proj'],
  toy: ['fc2'],
};

/** Whether a targeted map is treated as feed-forward (its input is scaled). HF PEFT asks this only
 * of targeted maps, so feed-forward names that select no target change nothing. */
const isFeedforward = (l: LinearMap, feedforward: readonly string[]) => feedforward.some((t) => linearMatches(l, t));
/** The length of a map's learned vector: its input width if feed-forward, else its output width. */
const vectorSize = (l: LinearMap, feedforward: readonly string[]) => (isFeedforward(l, feedforward) ? l.inFeatures : l.outFeatures);

/**
 * HF PEFT's IA3Config for the same settings. HF requires `feedforward_modules` to be a subset of
 * `target_modules` (as strings), so the feed-forward list is written as the target names whose
 * maps are all feed-forward here; a target name that selects maps of both kinds cannot be written
 * that way and gets a note.
 */
export function ia3Export(arch: Architecture, targets: readonly string[], feedforward: readonly string[]): PeftExport {
  const names = peftTargetModules(arch, targets);
  const linears = arch.stacks.flatMap((s) => s.linears);
  const kinds = names.map((t) => {
    const ff = linears.filter((l) => linearMatches(l, t)).map((l) => isFeedforward(l, feedforward));
    return { t, all: ff.every(Boolean), some: ff.some(Boolean) };
  });
  const mixed = kinds.filter((k) => k.some && !k.all).map((k) => k.t);
  return {
    configClass: 'IA3Config',
    args: { target_modules: names, feedforward_modules: kinds.filter((k) => k.all).map((k) => k.t) },
    ...(mixed.length > 0 ? { note: `HF PEFT cannot treat only some of the maps ${mixed.join(', ')} selects as feed-forward; name them by their paths to match this count.` } : {}),
  };
}

/**
 * (IA)³ (Liu et al., 2022): learned vectors, initialised to ones, rescale activations channel by
 * channel. As in HF PEFT, every targeted linear map gets one vector: a feed-forward target scales
 * its input, h = (x ⊙ l)W + b (the FFN hidden units, l_ff); any other target scales its whole
 * output, bias included, h = (xW + b) ⊙ l (keys l_k and values l_v). Counting and default targets
 * follow HF PEFT (see the tables above). Both kinds fold into the weights: diag(l)W for an input
 * scale; W·diag(l) and b ⊙ l for an output scale.
 */
export const ia3 = defineMethod({
  id: 'ia3',
  name: '(IA)³',
  hyperparams: [
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps whose output (or, for feed-forward maps, input) is rescaled by a learned vector.',
      kind: 'modules',
      defaultRoles: ['attn.k', 'attn.v', 'mlp.out'],
      byFamily: TARGETS_BY_FAMILY,
    },
    {
      key: 'feedforward',
      label: 'Feed-forward modules',
      help: 'Targets treated as feed-forward: their input is scaled (a vector of their input width) instead of their output. Names that select no target are ignored.',
      kind: 'modules',
      defaultRoles: ['mlp.out'],
      byFamily: FEEDFORWARD_BY_FAMILY,
    },
  ],
  // The vectors are few and start at one: they need a larger step than LoRA (HF's mt0 guide: 8e-3).
  toyLearningRate: 3e-2,
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [],
  // Where the toy applies a vector: to the targeted map itself, at its input or its output.
  anatomy(arch, { targets, feedforward }) {
    const attachments: Attachment[] = [];
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) {
        const note = isFeedforward(l, feedforward) ? 'input rescaled by a learned vector' : 'output rescaled by a learned vector';
        for (const part of ROLE_PARTS[l.role]) {
          if (!attachments.some((a) => a.part === part && a.note === note)) attachments.push({ part, kind: 'added', note });
        }
      }
    }
    return attachments;
  },
  profile(arch, { targets, feedforward }) {
    const tensors: TensorGroup[] = [];
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, targets)) tensors.push({ shape: [vectorSize(l, feedforward)], count: s.layers });
    }
    return {
      tensors,
      // The gradient of each vector needs the unscaled activation it multiplies (the map's output,
      // or its input for a feed-forward target): one value per vector entry and token.
      extraActivationValues: (stack) => matchingLinears(stack, targets).reduce((n, l) => n + vectorSize(l, feedforward), 0),
    };
  },
  peft: ({ targets, feedforward }, arch) => ia3Export(arch, targets, feedforward),
  apply(model, { targets, feedforward }) {
    const tf = model.tf;
    const stack = model.arch.stacks[0]!;
    const inputScaled = new Set(matchingLinears(stack, targets).filter((l) => isFeedforward(l, feedforward)).map((l) => l.name));
    const sites = toyTargetSites(model, targets);
    const vectors = new Map<string, { l: tfTypes.Variable; input: boolean; biasName: string }>();
    for (const site of sites) {
      const input = inputScaled.has(site.name);
      // Inside tidy: tf.variable keeps its own copy of the ones.
      const l = tf.tidy(() => tf.variable(tf.ones([input ? site.inFeatures : site.outFeatures]), true));
      vectors.set(site.key, { l, input, biasName: `h.${site.layer}.${site.name}.bias` });
    }
    const all = [...vectors.values()].map((v) => v.l);

    // W + ΔW equals the scaled map: diag(l)W for an input scale, W·diag(l) for an output scale
    // (W is [in, out]). The biases of output-scaled maps are handled below.
    const delta = deltaWeights(model, sites, (site) => {
      const { l, input } = vectors.get(site.key)!;
      return input
        ? { matrix: (w) => tf.mul(w, tf.reshape(tf.sub(l, 1), [-1, 1])), forward: (x, w) => tf.matMul(tf.mul(x, tf.sub(l, 1)), w) }
        : { matrix: (w) => tf.mul(w, tf.sub(l, 1)) };
    });
    const outputScaled = [...vectors.values()].filter((v) => !v.input);
    const biases = weightBackup(
      model,
      outputScaled.map((v) => v.biasName),
    );

    return {
      trainable: all,
      hooks: {
        linear(site, x, base, ctx) {
          const v = vectors.get(siteKey(site.layer, site.name));
          if (!v || delta.merged) return base;
          // HF PEFT multiplies the whole output, bias included; at l = 1 this is the base output, bit for bit.
          if (!v.input) return tf.mul(base, v.l);
          // base + (x ⊙ (l − 1))W = (x ⊙ l)W + b, exactly base at l = 1.
          return delta.hooks.linear!(site, x, base, ctx);
        },
      },
      merge() {
        if (delta.merged) return;
        delta.merge();
        biases.take();
        for (const v of outputScaled) {
          const b = model.weight(v.biasName);
          tf.tidy(() => b.assign(tf.mul(b, v.l)));
        }
      },
      unmerge() {
        if (!delta.merged) return;
        delta.unmerge();
        biases.restore();
      },
      dispose() {
        delta.dispose();
        biases.dispose();
        disposeAll(all);
      },
    };
  },
});
