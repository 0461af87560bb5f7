import raw from '@/content/data/models.json';
import type { Architecture, Attention, LinearMap, LinearRole, ModuleNames, Norm, Stack } from './arch';
import { quoteValue } from './input';
import type { ModelEntry } from './models-schema';

/**
 * Real model architectures for the calculators. The facts (from each model's config.json) live in
 * content/data/models.json in a compact form; this module builds the `Architecture` every
 * calculator counts over. Free of TensorFlow.js, node APIs and zod, so client components can
 * import it without shipping a validator: the file is validated by lib/peft/models-schema.ts when
 * the site is built (scripts/check-data.ts) and in the tests.
 */

export type { ModelEntry };

export const MODELS_FILE = 'content/data/models.json';

/** Roles in the order a layer applies them; a layer's `linears` follow this order. */
export const LINEAR_ROLES = [
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.qkv',
  'attn.o',
  'cross.q',
  'cross.k',
  'cross.v',
  'cross.o',
  'mlp.gate',
  'mlp.in',
  'mlp.out',
] as const satisfies readonly LinearRole[];


export const STACK_KINDS = ['encoder', 'decoder'] as const;

/**
 * The modules outside the blocks, as each family's HF transformers implementation names them:
 * the token embedding, the vocabulary projection (for encoders, the masked-LM head's, which the
 * counted base model lacks) and the *ForSequenceClassification head.
 */
const DECODER_NAMES: ModuleNames = { embedding: 'embed_tokens', lmHead: 'lm_head', classifier: 'score' };
const T5_NAMES: ModuleNames = { embedding: 'shared', lmHead: 'lm_head', classifier: 'classification_head' };
export const FAMILY_MODULE_NAMES: Readonly<Record<string, ModuleNames>> = {
  t5: T5_NAMES,
  'flan-t5': T5_NAMES,
  mt0: T5_NAMES,
  umt5: T5_NAMES,
  gpt2: { embedding: 'wte', lmHead: 'lm_head', classifier: 'score' },
  bert: { embedding: 'word_embeddings', lmHead: 'cls.predictions.decoder', classifier: 'classifier' },
  roberta: { embedding: 'word_embeddings', lmHead: 'lm_head.decoder', classifier: 'classifier' },
  'deberta-v2': { embedding: 'word_embeddings', lmHead: 'lm_predictions.lm_head', classifier: 'classifier' },
  opt: DECODER_NAMES,
  bloom: { embedding: 'word_embeddings', lmHead: 'lm_head', classifier: 'score' },
  falcon: { embedding: 'word_embeddings', lmHead: 'lm_head', classifier: 'score' },
  'gpt-neox': { embedding: 'embed_in', lmHead: 'embed_out', classifier: 'score' },
  llama: DECODER_NAMES,
  mistral: DECODER_NAMES,
  mixtral: DECODER_NAMES,
  qwen2: DECODER_NAMES,
  'qwen2-moe': DECODER_NAMES,
  qwen3: DECODER_NAMES,
  'qwen3-moe': DECODER_NAMES,
  gemma: DECODER_NAMES,
  gemma2: DECODER_NAMES,
  gemma3: DECODER_NAMES,
  phi3: DECODER_NAMES,
};

export interface ModelInfo {
  /** Hugging Face id. */
  id: string;
  name: string;
  family: string;
  /** Exact published or reference parameter count; `totalParams(arch)` equals it. */
  publishedTotal: number;
  /** The first source, normally the config.json. */
  source: string;
  /** Every source the entry cites. */
  sources: readonly string[];
  /** Where `publishedTotal` comes from. */
  totalSource: string;
  /** The FFN activation as config.json names it, e.g. `silu`, `gelu_new`, `relu`. */
  activation: string;
  arch: Architecture;
  /** For a chat/instruct variant: the id of the listed model whose architecture it shares. */
  baseId?: string;
  /** For a model read from a config.json (lib/peft/hf-config.ts): the fields it was built from,
   * which encodeArchitectureParam puts in a shareable link. */
  hfConfig?: Readonly<Record<string, unknown>>;
}

function hasBias(entry: ModelEntry, role: (typeof LINEAR_ROLES)[number]): boolean {
  return Array.isArray(entry.bias) ? entry.bias.includes(role) : entry.bias;
}

/** The last component of a dotted module path: `self_attn.q_proj` → `q_proj`. */
function leafName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

type ModuleRole = (typeof LINEAR_ROLES)[number];
const FFN_ROLES: readonly ModuleRole[] = ['mlp.gate', 'mlp.in', 'mlp.out'];

/** The maps of one FFN of width `f` whose paths start with `prefix` (empty for the block's own FFN). */
function ffnLinears(entry: ModelEntry, prefix: string, f: number, activeShare?: number): LinearMap[] {
  const h = entry.hiddenSize;
  const shapes: Record<string, [number, number]> = {
    'mlp.gate': [h, entry.ffn.fusedGateUp ? 2 * f : f],
    'mlp.in': [h, f],
    'mlp.out': [f, h],
  };
  const linears: LinearMap[] = [];
  for (const role of FFN_ROLES) {
    const leaf = entry.modules[role];
    if (leaf === undefined) continue;
    const path = prefix + leaf;
    const [inFeatures, outFeatures] = shapes[role]!;
    linears.push({ name: leafName(path), path, role, inFeatures, outFeatures, bias: hasBias(entry, role), ...(activeShare === undefined ? {} : { activeShare }) });
  }
  return linears;
}

/** A mixture of experts' maps: the router, every expert's FFN (with its share of tokens), then a shared expert and its gate. */
function moeLinears(entry: ModelEntry, moe: NonNullable<ModelEntry['moe']>): LinearMap[] {
  const h = entry.hiddenSize;
  const router = (path: string, outFeatures: number): LinearMap => ({ name: leafName(path), path, role: 'mlp.router', inFeatures: h, outFeatures, bias: false });
  const linears = [router(moe.router, moe.experts)];
  for (let i = 0; i < moe.experts; i++) linears.push(...ffnLinears(entry, `${moe.path}.${i}.`, entry.ffn.size, moe.active / moe.experts));
  if (moe.shared) linears.push(...ffnLinears(entry, `${moe.shared.path}.`, moe.shared.size), router(moe.shared.gate, 1));
  return linears;
}

/** The linear maps of one layer of a stack, in the order the layer applies them. */
function stackLinears(entry: ModelEntry, cross: boolean): LinearMap[] {
  const h = entry.hiddenSize;
  const { heads, kvHeads, headDim } = entry.attention;
  const q = heads * headDim;
  const kv = kvHeads * headDim;
  const f = entry.ffn.size;
  const shapes: Record<ModuleRole, [number, number]> = {
    'attn.q': [h, q],
    'attn.k': [h, kv],
    'attn.v': [h, kv],
    'attn.qkv': [h, q + 2 * kv],
    'attn.o': [q, h],
    'cross.q': [h, q],
    'cross.k': [h, kv],
    'cross.v': [h, kv],
    'cross.o': [q, h],
    'mlp.gate': [h, f],
    'mlp.in': [h, f],
    'mlp.out': [f, h],
  };
  // The FFN's maps come from ffnLinears below (an expert's paths differ from the block's).
  const linears: LinearMap[] = [];
  for (const role of LINEAR_ROLES) {
    if (!cross && role.startsWith('cross.')) continue;
    if (FFN_ROLES.includes(role)) continue;
    const path = entry.modules[role];
    if (path === undefined) continue;
    const [inFeatures, outFeatures] = shapes[role];
    linears.push({ name: leafName(path), path, role, inFeatures, outFeatures, bias: hasBias(entry, role) });
  }
  linears.push(...(entry.moe ? moeLinears(entry, entry.moe) : ffnLinears(entry, '', f)));
  return linears;
}

/** One layer's norms: the listed ones, with the per-head norms (q_norm, k_norm) after the first. */
function layerNorms(entry: ModelEntry, names: readonly string[]): Norm[] {
  const norms = names.map((n) => makeNorm(entry, n));
  const perHead = (entry.headNorms ?? []).map((n) => ({ ...makeNorm(entry, n), size: entry.attention.headDim }));
  return [...norms.slice(0, 1), ...perHead, ...norms.slice(1)];
}

function makeNorm(entry: ModelEntry, normName: string): Norm {
  return { name: normName, kind: entry.norm.kind, size: entry.hiddenSize, bias: entry.norm.bias };
}

/** Builds the `Architecture` of one validated entry. */
export function toArchitecture(entry: ModelEntry): Architecture {
  const h = entry.hiddenSize;
  const attention: Attention = { ...entry.attention };
  const encDec = entry.layers.encoder !== undefined && entry.layers.decoder !== undefined;
  const stacks: Stack[] = [];
  for (const kind of STACK_KINDS) {
    const layers = entry.layers[kind];
    const norms = entry.layerNorms[kind];
    if (layers === undefined || norms === undefined) continue;
    const cross = kind === 'decoder' && encDec;
    stacks.push({
      kind,
      layers,
      attention,
      crossAttention: cross ? { ...attention } : null,
      linears: stackLinears(entry, cross),
      norms: layerNorms(entry, norms),
      finalNorm: entry.finalNorm === null ? null : makeNorm(entry, entry.finalNorm),
      // T5: relative_attention_bias (buckets × heads) sits in the first layer's self-attention
      // only; UMT5 gives every layer its own.
      extraParams:
        entry.relativeAttentionBuckets === undefined ? 0 : entry.relativeAttentionBuckets * attention.heads * (entry.relativeAttentionPerLayer ? layers : 1),
    });
  }

  const extraParams: Architecture['extraParams'] = [];
  const x = entry.extras;
  if (x?.tokenTypes !== undefined) extraParams.push({ name: 'embeddings.token_type_embeddings', count: x.tokenTypes * h });
  if (x?.embeddingNorm !== undefined) {
    const n = makeNorm(entry, x.embeddingNorm);
    extraParams.push({ name: x.embeddingNorm, count: n.size * (n.bias ? 2 : 1), biases: n.bias ? n.size : 0 });
  }
  if (x?.pooler !== undefined) extraParams.push({ name: x.pooler, count: h * h + h });
  if (x?.embedProjection !== undefined && x.embedProjection !== h) {
    const p = x.embedProjection;
    extraParams.push({ name: 'project_in', count: p * h }, { name: 'project_out', count: h * p });
  }
  if (x?.relativeEmbeddings !== undefined) extraParams.push({ name: 'encoder.rel_embeddings', count: x.relativeEmbeddings * h });
  if (x?.relativeEmbeddingNorm !== undefined) {
    const n = makeNorm(entry, x.relativeEmbeddingNorm);
    extraParams.push({ name: x.relativeEmbeddingNorm, count: n.size * (n.bias ? 2 : 1), biases: n.bias ? n.size : 0 });
  }
  if (x?.encoderConv !== undefined) {
    const { kernel, groups } = x.encoderConv;
    extraParams.push({ name: 'encoder.conv.conv', count: h * (h / groups) * kernel + h, biases: h }, { name: 'encoder.conv.LayerNorm', count: 2 * h, biases: h });
  }
  const moduleNames = FAMILY_MODULE_NAMES[entry.family];

  return {
    id: entry.id,
    name: entry.name,
    family: entry.family,
    hiddenSize: h,
    ...(x?.embedProjection !== undefined && x.embedProjection !== h ? { embeddingSize: x.embedProjection } : {}),
    vocabSize: entry.vocabSize,
    learnedPositions: entry.learnedPositions,
    tiedEmbeddings: entry.tiedEmbeddings,
    lmHeadBias: entry.lmHeadBias,
    stacks,
    extraParams,
    ...(moduleNames ? { moduleNames: { ...moduleNames } } : {}),
  };
}


/** The facts of one validated entry, with its `Architecture`. */
export function modelInfo(entry: ModelEntry): ModelInfo {
  return {
    id: entry.id,
    name: entry.name,
    family: entry.family,
    publishedTotal: entry.publishedTotal,
    source: entry.source[0] ?? '',
    sources: entry.source,
    totalSource: entry.totalSource,
    activation: entry.ffn.activation,
    arch: toArchitecture(entry),
  };
}

/** The variants of one entry: the base's architecture and total under each variant's own id and name. */
export function variantInfos(entry: ModelEntry, base: ModelInfo = modelInfo(entry)): ModelInfo[] {
  return (entry.variants ?? []).map((v) => ({
    ...base,
    id: v.id,
    name: v.name,
    source: v.source[0] ?? '',
    sources: v.source,
    totalSource: `${v.note} Total as for ${base.id}: ${base.totalSource}`,
    arch: { ...base.arch, id: v.id, name: v.name },
    baseId: base.id,
  }));
}

const ENTRIES = raw.models as unknown as readonly ModelEntry[];

// The build validates models.json before Next.js runs (scripts/check-data.ts), and
// models-schema.test.ts checks that this read equals the validated one.
/** The listed models, one per entry of models.json (the variants are in MODEL_CHOICES). */
export const MODELS: readonly ModelInfo[] = ENTRIES.map(modelInfo);

/** Every model a user can pick: each listed model followed by its chat/instruct variants. */
export const MODEL_CHOICES: readonly ModelInfo[] = ENTRIES.flatMap((entry, i) => {
  const base = MODELS[i]!;
  return [base, ...variantInfos(entry, base)];
});

/** Case- and space-insensitive form used to compare ids and labels. */
function fold(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The id without its organisation: `meta-llama/Llama-2-7b-hf` → `llama-2-7b-hf` (folded). */
function foldedTail(id: string): string {
  const f = fold(id);
  return f.slice(f.lastIndexOf('/') + 1);
}

const BY_ID = new Map(MODEL_CHOICES.map((m) => [m.id, m]));

/** Edit distance (insertions, deletions, substitutions), for suggesting the closest ids. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The `count` ids closest to `text`, compared without case and, for ids with one, without the organisation too. */
export function closestModelIds(text: string, count = 3): string[] {
  const t = fold(text);
  const tail = foldedTail(text);
  return MODEL_CHOICES.map((m) => ({ id: m.id, d: Math.min(editDistance(t, fold(m.id)), editDistance(tail, foldedTail(m.id)), editDistance(t, fold(m.name))) }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((m) => m.id);
}

export type ModelLookup = { model: ModelInfo } | { error: string };

/**
 * Finds a model as a user may type it: its Hugging Face id in any letter case, the id without its
 * organisation (`Llama-2-7b-hf`) when only one model has that name, or its label (`Llama 2 7B`);
 * surrounding spaces are ignored. Otherwise a message naming the closest ids.
 */
export function lookupModel(text: string): ModelLookup {
  const exact = BY_ID.get(text);
  if (exact) return { model: exact };
  const t = fold(text);
  if (t === '') return { error: `no model given (e.g. ${MODEL_CHOICES[0]!.id})` };
  // Most specific first: the full id, then the id without its organisation, then the label.
  const rules: ((m: ModelInfo) => boolean)[] = [(m) => fold(m.id) === t, (m) => !t.includes('/') && foldedTail(m.id) === t, (m) => fold(m.name) === t];
  for (const rule of rules) {
    const found = MODEL_CHOICES.filter(rule);
    if (found.length === 1) return { model: found[0]! };
    if (found.length > 1) return { error: `model ${quoteValue(text)} is ambiguous: it could be ${found.map((m) => m.id).join(', ')}; give the full id` };
  }
  return { error: `unknown model ${quoteValue(text)}; closest: ${closestModelIds(text).join(', ')}` };
}

/** The model `text` names (see lookupModel); throws RangeError for an unknown or ambiguous name. */
export function findModel(text: string): ModelInfo {
  const found = lookupModel(text);
  if ('error' in found) throw new RangeError(found.error);
  return found.model;
}
