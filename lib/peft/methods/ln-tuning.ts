import type { Architecture, Norm } from '../arch';
import { type Attachment, type BlockPart, inBlockOrder, normPart } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { type TensorGroup, groupsSize } from '../method-api/profile';
import type { PeftExport } from '../method-api/types';

/**
 * HF PEFT's default LN-tuning targets per model type (`TRANSFORMERS_MODELS_TO_LNTUNING_TARGET_MODULES_MAPPING`
 * in src/peft/utils/constants.py, huggingface/peft at commit 5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40),
 * keyed by our family. A name selects a norm whose module name equals it or ends with `.` + it,
 * as HF PEFT matches a list of target modules. `ownDefault`: the model type HF PEFT reads from
 * the model's config has this entry, so the export can leave `target_modules` out and let HF PEFT
 * pick it. Flan-T5 is a `t5` model and mT0 an `mt5` one (the same list). Gemma 3 uses the
 * `gemma3_text` entry, which HF PEFT applies to the text-only 1B checkpoint; the larger ones are
 * `gemma3` (multimodal), which has no entry, so the export always names the modules for the family.
 * Families without an entry (BERT, RoBERTa, DeBERTa, OPT, GPT-NeoX, Mixtral, Phi-3, the MoE Qwens,
 * UMT5, the toy) get every norm, and the export names them: HF PEFT refuses those models without
 * `target_modules`.
 */
const HF_DEFAULTS: Readonly<Record<string, { names: readonly string[]; ownDefault: boolean }>> = {
  llama: { names: ['input_layernorm', 'post_attention_layernorm', 'norm'], ownDefault: true },
  mistral: { names: ['input_layernorm', 'post_attention_layernorm', 'norm'], ownDefault: true },
  gemma: { names: ['input_layernorm', 'post_attention_layernorm', 'norm'], ownDefault: true },
  gemma2: { names: ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm', 'norm'], ownDefault: true },
  gemma3: { names: ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm', 'norm'], ownDefault: false },
  // Qwen2 and Qwen3: only the norm before the FFN (HF PEFT commit ebcd079 added it so, without a stated reason).
  qwen2: { names: ['post_attention_layernorm'], ownDefault: true },
  qwen3: { names: ['post_attention_layernorm'], ownDefault: true },
  bloom: { names: ['input_layernorm', 'post_attention_layernorm', 'ln_f'], ownDefault: true },
  falcon: { names: ['input_layernorm', 'post_attention_layernorm', 'ln_f'], ownDefault: true },
  gpt2: { names: ['ln_1', 'ln_2', 'ln_f'], ownDefault: true },
  t5: { names: ['layer_norm', 'final_layer_norm'], ownDefault: true },
  'flan-t5': { names: ['layer_norm', 'final_layer_norm'], ownDefault: true },
  mt0: { names: ['layer_norm', 'final_layer_norm'], ownDefault: true },
};

/** Norms outside the stacks, by their name in `arch.extraParams` (BERT's `embeddings.LayerNorm`,
 * BLOOM's `word_embeddings_layernorm`, DeBERTa's `encoder.LayerNorm` and `encoder.conv.LayerNorm`). */
const isNormName = (name: string) => /(LayerNorm|layernorm|layer_norm)$/.test(name);

/** Whether a module named `name` is selected by a list of HF PEFT target names. */
const selectedBy = (name: string, targets: readonly string[]) => targets.some((t) => name === t || name.endsWith(`.${t}`));

/** One norm (or kind of norm) the method trains: a per-layer norm of a stack, a stack's final norm,
 * or a norm outside the stacks (size and count as tensors). */
type NormSite =
  | { where: 'layer'; stack: number; index: number; norm: Norm; layers: number }
  | { where: 'final'; stack: number; norm: Norm }
  | { where: 'outside'; name: string; size: number; tensors: number };

/** Every norm of the model, per-head norms (Qwen3's q_norm, k_norm) included. */
function allNorms(arch: Architecture): NormSite[] {
  const sites: NormSite[] = [];
  arch.stacks.forEach((s, stack) => {
    s.norms.forEach((norm, index) => sites.push({ where: 'layer', stack, index, norm, layers: s.layers }));
    if (s.finalNorm) sites.push({ where: 'final', stack, norm: s.finalNorm });
  });
  for (const e of arch.extraParams) {
    if (!isNormName(e.name) || e.count === 0) continue;
    // A LayerNorm extra holds a gain and a bias of `biases` each; an RMSNorm one only its scale.
    const size = e.biases ? e.biases : e.count;
    sites.push({ where: 'outside', name: e.name, size, tensors: e.count / size });
  }
  return sites;
}

const siteName = (s: NormSite) => (s.where === 'outside' ? s.name : s.norm.name);

/** The norms a config trains: HF PEFT's family default (every norm for a family it has none for), or every norm. */
export function lnTuningNorms(arch: Architecture, scope: string): NormSite[] {
  const all = allNorms(arch);
  const entry = HF_DEFAULTS[arch.family];
  if (scope === 'all' || !entry) return all;
  return all.filter((s) => selectedBy(siteName(s), entry.names));
}

function normTensors(sites: readonly NormSite[]): TensorGroup[] {
  return sites.map((s) => {
    if (s.where === 'outside') return { shape: [s.size], count: s.tensors };
    const perNorm = s.norm.bias ? 2 : 1;
    return { shape: [s.norm.size], count: perNorm * (s.where === 'layer' ? s.layers : 1) };
  });
}

/** The HF PEFT target names that select exactly these norms: each norm's own name (a path inside
 * the block, the final norm's leaf, or the outside module's path), without duplicates. */
function targetNames(sites: readonly NormSite[]): string[] {
  return [...new Set(sites.map(siteName))];
}

function lnTuningExport(arch: Architecture, scope: string): PeftExport {
  const sites = lnTuningNorms(arch, scope);
  const entry = HF_DEFAULTS[arch.family];
  const copies = 'HF PEFT trains a copy of each targeted norm, so the "all params" that print_trainable_parameters shows includes the copies.';
  if (scope === 'hf' && entry?.ownDefault) return { configClass: 'LNTuningConfig', args: {}, note: copies };
  return { configClass: 'LNTuningConfig', args: { target_modules: targetNames(sites) }, note: copies };
}

function attachments(arch: Architecture, sites: readonly NormSite[]): Attachment[] {
  const parts: BlockPart[] = [];
  for (const s of sites) {
    if (s.where === 'layer') parts.push(normPart(arch.stacks[s.stack]!, s.index));
    else if (s.where === 'final') parts.push('final');
    else parts.push('embedding');
  }
  const scaleOnly = sites.every((s) => (s.where === 'outside' ? s.tensors === 1 : !s.norm.bias));
  const note = scaleOnly ? 'norm scales (RMSNorm: no bias)' : 'norm gains and biases';
  return inBlockOrder(parts).map((part) => ({ part, kind: 'trained', note }));
}

/**
 * LN tuning (Qi, Ruan, Zuo and Li, 2022): train the gain and the bias of the model's LayerNorms
 * and freeze everything else; an RMSNorm has only its scale. Which norms follows HF PEFT's
 * LNTuningConfig (see HF_DEFAULTS): its default per model family, or, as the paper describes the
 * method, every norm of the model (per-layer, per-head, final, and those of the embeddings).
 * HF PEFT trains a copy of each targeted norm module and leaves the original frozen; the trained
 * count is the same.
 */
export const lnTuning = defineMethod({
  id: 'ln-tuning',
  name: 'LN Tuning',
  hyperparams: [
    {
      key: 'norms',
      label: 'Norms',
      help: "Which norms train: HF PEFT's default for the model family (every norm where it has no default), or every norm of the model, embedding and per-head norms included.",
      kind: 'choice',
      options: [
        { value: 'hf', label: "HF PEFT's default for the family" },
        { value: 'all', label: 'Every norm' },
      ],
      default: 'hf',
    },
  ],
  // The gains start at one and the biases at zero: few scalars, each with a large effect, that
  // need a larger step than a weight matrix (as BitFit's biases).
  toyLearningRate: 3e-2,
  traits: { backpropThroughBackbone: true, inference: 'unchanged' },
  lineage: [],
  anatomy: (arch, { norms }) => attachments(arch, lnTuningNorms(arch, norms)),
  notApplicable: (arch, { norms }) => (lnTuningNorms(arch, norms).length === 0 ? `LN Tuning trains the norms HF PEFT targets for ${arch.name}, and it has none of them.` : null),
  profile(arch, { norms }) {
    const tensors = normTensors(lnTuningNorms(arch, norms));
    return { tensors, trainableInBase: groupsSize(tensors) };
  },
  peft: ({ norms }, arch) => lnTuningExport(arch, norms),
  apply(model, { norms }) {
    const sites = lnTuningNorms(model.arch, norms);
    const names = new Set<string>();
    for (const s of sites) {
      const keys = s.where === 'layer' ? Array.from({ length: s.layers }, (_, i) => `h.${i}.${s.norm.name}`) : [siteName(s)];
      for (const key of keys) {
        names.add(`${key}.weight`);
        if (s.where !== 'outside' && s.norm.bias) names.add(`${key}.bias`);
      }
    }
    const trainable = [...model.weights].filter(([name]) => names.has(name)).map(([, v]) => v);
    if (trainable.length !== names.size) throw new Error(`the toy model lacks some of the norms ${[...names].join(', ')}`);
    return { trainable, hooks: {}, dispose: () => {} };
  },
});
