import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { disposeAll, normalVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

/** The model types HF PEFT's adaption prompt supports (`TRANSFORMERS_MODEL_CONFIG` in
 * peft/tuners/adaption_prompt/config.py): `get_peft_model` raises on any other. */
const HF_FAMILIES: readonly string[] = ['llama', 'mistral', 'gpt2'];

/** The stack that gets adaption prompts, or null for an encoder–decoder model (see notApplicable). */
function adaptedStack(arch: Architecture) {
  return arch.stacks.length === 1 ? arch.stacks[0]! : null;
}

/** Layers adapted: the topmost L, at most all of them (HF PEFT refuses L larger than the depth;
 * here it means every layer, and the export writes that depth). */
export function adaptedLayers(arch: Architecture, adapterLayers: number): number {
  return Math.min(adapterLayers, adaptedStack(arch)?.layers ?? 0);
}

/**
 * LLaMA-Adapter (Zhang et al., 2023), HF PEFT's adaption prompt: each of the topmost L layers gets
 * K trained prompt vectors P (K × hidden). The layer's own frozen key and value maps project them;
 * its queries attend to those K keys in a softmax of their own, and the result, scaled by a gate g
 * that starts at 0, is added to the attention's context before the output map:
 *   context = softmax(QKᵀ/√d + mask)·V + g · softmax(Q (P W_k)ᵀ/√d)·(P W_v).
 * With g = 0 the model computes exactly what the base model does, and g is the only tensor with a
 * gradient at the first step.
 *
 * Counting follows HF PEFT (peft/tuners/adaption_prompt/layer.py): per adapted layer one prompt of
 * adapter_len × hidden_size (config.hidden_size, the input width of k_proj, also under grouped-query
 * attention) and one scalar gate. LLaMA 7B, K = 10, L = 30: 30 · (10 · 4096 + 1) = 1,228,830, the
 * paper's "1.2M". The authors' released code (OpenGVLab/LLaMA-Adapter
 * alpaca_finetuning_v1/llama/model.py, commit 8dff0a72) differs: one gate per head, passed through tanh (30 · 32 gates
 * instead of 30: 1,229,760 in all). Prompts start standard normal, as in both.
 */
export const llamaAdapter = defineMethod({
  id: 'llama-adapter',
  name: 'LLaMA-Adapter',
  hyperparams: [
    { key: 'adapterLen', label: 'Prompt length K', help: 'Trained prompt vectors per adapted layer (HF PEFT’s adapter_len).', kind: 'int', min: 1, max: 512, default: 10 },
    {
      key: 'adapterLayers',
      label: 'Adapted layers L',
      help: 'How many of the topmost layers get prompts (HF PEFT’s adapter_layers); a value above the model’s depth adapts every layer.',
      kind: 'int',
      min: 1,
      max: 256,
      default: 30,
    },
  ],
  // Both toy layers adapted, eight prompt vectors each. The gates start closed and the prompts learn
  // nothing until they open: over 300 steps 0.1 did better than 0.05 on every word task (first word:
  // 72% against 57% exact match), and 16 prompts hardly better than 8 (73%).
  toyLearningRate: 0.1,
  toyConfig: { adapterLen: 8, adapterLayers: 2 },
  toyTask: 'first',
  // The prompts are keys and values the adapted layers' queries read: attention reads K more
  // positions, the sequence keeps its length. The cost model applies `addedKeyValues` to every
  // layer, so where L is below the depth its extra attention is an upper bound (LLaMA 7B, L = 30
  // of 32: 2/30 too much on that term).
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedKeyValues: (c) => c.adapterLen },
  lineage: [],
  // The note names L as set, not as capped by the depth: the page's diagram draws the defaults on
  // the two-layer toy, where "every layer" would hide that LLaMA-Adapter skips the lower layers.
  anatomy: (_arch, { adapterLen, adapterLayers }): Attachment[] => [
    { part: 'attn.kv-prefix', kind: 'added', note: `${adapterLen} gated prompt keys and values in ${adapterLayers === 1 ? 'the top layer' : `the top ${adapterLayers} layers`}` },
  ],
  notApplicable: (arch) =>
    adaptedStack(arch)
      ? null
      : `LLaMA-Adapter puts its prompts in the topmost layers of one transformer stack (its paper: LLaMA, ViT, RoBERTa); neither the paper nor HF PEFT places them in an encoder–decoder model such as ${arch.name}.`,
  profile(arch, { adapterLen: k, adapterLayers }) {
    const n = adaptedLayers(arch, adapterLayers);
    return {
      tensors: n === 0 ? [] : [{ shape: [k, arch.hiddenSize], count: n }, { shape: [1], count: n }],
      // The prompts' keys and values are K rows per sequence, not per token, and the gated context
      // joins the layer's own before its output map: no per-token matrix product is added. (HF
      // PEFT's implementation recomputes the queries and runs o_proj a second time on the adapter's
      // context; that is its implementation, not the method's cost.)
      addedMatmul: 0,
    };
  },
  peft: ({ adapterLen, adapterLayers }, arch) => {
    const n = adaptedLayers(arch, adapterLayers);
    const notes: string[] = [];
    if (!HF_FAMILIES.includes(arch.family)) notes.push(`HF PEFT's adaption prompt supports only Llama, Mistral and GPT-2 models, so get_peft_model refuses ${arch.name}.`);
    else if (arch.family === 'gpt2') notes.push(`On GPT-2, HF PEFT adds the gated prompt attention after the output projection c_proj rather than before it as the paper does; the count is the same.`);
    if (n > 0 && n < adapterLayers) notes.push(`${arch.name} has ${n} layers: HF PEFT refuses adapter_layers=${adapterLayers}, so every layer is adapted.`);
    return { configClass: 'AdaptionPromptConfig', args: { adapter_len: adapterLen, adapter_layers: n > 0 ? n : adapterLayers }, ...(notes.length > 0 ? { note: notes.join(' ') } : {}) };
  },
  apply(model, { adapterLen: k, adapterLayers }, { seed = 0 } = {}) {
    const tf = model.tf;
    const rng = createRng(seed);
    const { hiddenSize: h, layers } = model.dims;
    const first = layers - adaptedLayers(model.arch, adapterLayers);
    const prompts: tfTypes.Variable[] = [];
    const gates: tfTypes.Variable[] = [];
    for (let l = first; l < layers; l++) {
      prompts.push(normalVariable(tf, rng, [k, h], 1));
      gates.push(zerosVariable(tf, [1]));
    }
    const all = [...prompts, ...gates];
    return {
      trainable: all,
      hooks: {
        attentionContext(layer, queries, ctx) {
          const prompt = prompts[layer - first];
          const gate = gates[layer - first];
          if (!prompt || !gate) return null;
          const [, heads, , dh] = queries.shape;
          // The layer's own frozen maps, read directly: P·W + b, as HF PEFT calls k_proj and v_proj.
          const project = (name: string) => tf.add(tf.matMul(prompt, model.weight(`h.${layer}.${name}.weight`) as tfTypes.Tensor2D), model.weight(`h.${layer}.${name}.bias`));
          // [K, h] → [batch, heads, K, dh]
          const split = (t: tfTypes.Tensor) => tf.tile(tf.transpose(tf.reshape(t, [1, k, heads, dh]), [0, 2, 1, 3]), [ctx.batch, 1, 1, 1]) as tfTypes.Tensor4D;
          const keys = split(project('k_proj'));
          const values = split(project('v_proj'));
          // Every position, prompt or answer, sees all K prompts: they stand before the sequence.
          const weights = tf.softmax(tf.div(tf.matMul(queries, keys, false, true), Math.sqrt(dh)));
          return tf.mul(gate, tf.matMul(weights, values)) as tfTypes.Tensor4D;
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});
