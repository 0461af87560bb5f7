import { totalParams } from './arch';
import { quoteValue } from './input';
import { modelInfo, type ModelEntry, type ModelInfo } from './models';

/**
 * Any model from its Hugging Face config.json: the config is read as HF transformers reads it for
 * the common model types (the config class's defaults for fields it leaves out, the modeling
 * file's layout), normalised into the compact entry of content/data/models.json and built into an
 * `Architecture` by the same code as the listed models. Counts follow the model class the listed
 * models are counted with: the LM class for decoders and encoder–decoders, AutoModel (with its
 * pooler where it has one) for encoders.
 */

/** The config.json `model_type`s this file reads. */
export const SUPPORTED_MODEL_TYPES = [
  'llama',
  'mistral',
  'mixtral',
  'qwen2',
  'qwen2_moe',
  'qwen3',
  'qwen3_moe',
  'gemma',
  'gemma2',
  'gemma3',
  'gemma3_text',
  'phi3',
  't5',
  'mt5',
  'umt5',
  'gpt2',
  'gpt_neox',
  'bert',
  'roberta',
  'deberta-v2',
  'opt',
  'bloom',
  'falcon',
] as const;
export type SupportedModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/** An entry of models.json without what only a listed model has (its sources and published total). */
type Shape = Omit<ModelEntry, 'id' | 'name' | 'source' | 'publishedTotal' | 'totalSource' | 'variants'>;

/** The one-sentence error of a config that cannot be read. */
class ConfigError extends RangeError {}

const FILE = 'config.json';

/** Reads one config object's fields, each under its own name or an alias, and remembers what it read. */
class Fields {
  /** Every field read, as written in the config: what the shareable form keeps. */
  readonly used: Record<string, unknown> = {};

  constructor(
    private readonly raw: Record<string, unknown>,
    /** `text_config.` inside a multimodal Gemma 3 config. */
    private readonly prefix = '',
  ) {}

  /** The first of `keys` present (not null), recorded; undefined if none is. */
  private read(keys: string | readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      const value = this.raw[key];
      if (value !== undefined && value !== null) {
        this.used[key] = value;
        return { key, value };
      }
    }
    return undefined;
  }

  name(keys: string | readonly string[]): string {
    return `"${this.prefix}${typeof keys === 'string' ? keys : keys[0]}"`;
  }

  /** A positive integer (`min` 0 allows zero); `fallback` is the config class's default, absent for a required field. */
  int(keys: string | readonly string[], fallback?: number, min = 1): number {
    const found = this.read(keys);
    if (found === undefined) {
      if (fallback === undefined) throw new ConfigError(`${FILE}: ${this.name(keys)} is missing`);
      return fallback;
    }
    const { key, value } = found;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      const what = min === 1 ? 'a positive whole number' : min === 0 ? 'a whole number ≥ 0' : 'a whole number';
      throw new ConfigError(`${FILE}: "${this.prefix}${key}" must be ${what}, not ${show(value)}`);
    }
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const found = this.read(key);
    if (found === undefined) return fallback;
    if (typeof found.value !== 'boolean') throw new ConfigError(`${FILE}: "${this.prefix}${key}" must be true or false, not ${show(found.value)}`);
    return found.value;
  }

  str(keys: string | readonly string[], fallback: string): string {
    const found = this.read(keys);
    if (found === undefined) return fallback;
    if (typeof found.value !== 'string') throw new ConfigError(`${FILE}: "${this.prefix}${found.key}" must be a string, not ${show(found.value)}`);
    return found.value;
  }

  /** A list of strings, or one string split at `|` (DeBERTa's pos_att_type "p2c|c2p"). */
  strings(key: string): string[] {
    const found = this.read(key);
    if (found === undefined) return [];
    const { value } = found;
    if (typeof value === 'string') return value.toLowerCase().split('|').map((s) => s.trim());
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.toLowerCase());
    throw new ConfigError(`${FILE}: "${this.prefix}${key}" must be a list of strings, not ${show(value)}`);
  }

  /** A list of layer indices (Qwen-MoE's mlp_only_layers); its length is what matters here. */
  list(key: string): unknown[] {
    const found = this.read(key);
    if (found === undefined) return [];
    if (!Array.isArray(found.value)) throw new ConfigError(`${FILE}: "${this.prefix}${key}" must be a list, not ${show(found.value)}`);
    return found.value;
  }
}

function show(value: unknown): string {
  return quoteValue(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `h / heads` as a head size, when the config gives none. */
function headSize(f: Fields, hidden: number, heads: number, hiddenKey: string, headsKey: string): number {
  if (hidden % heads !== 0) throw new ConfigError(`${FILE}: ${f.name(headsKey)} (${heads}) must divide ${f.name(hiddenKey)} (${hidden})`);
  return hidden / heads;
}

function checkKvHeads(f: Fields, heads: number, kvHeads: number, kvKey: string, headsKey: string): void {
  if (heads % kvHeads !== 0) throw new ConfigError(`${FILE}: ${f.name(kvKey)} (${kvHeads}) must divide ${f.name(headsKey)} (${heads})`);
}

const RMS = { kind: 'rmsnorm', bias: false } as const;
const LAYER_NORM = { kind: 'layernorm', bias: true } as const;

const LLAMA_MODULES = {
  'attn.q': 'self_attn.q_proj',
  'attn.k': 'self_attn.k_proj',
  'attn.v': 'self_attn.v_proj',
  'attn.o': 'self_attn.o_proj',
  'mlp.gate': 'mlp.gate_proj',
  'mlp.in': 'mlp.up_proj',
  'mlp.out': 'mlp.down_proj',
} as const;

/** What differs between the Llama-like decoders (model type → its transformers config class defaults and modeling file). */
interface DecoderKind {
  family: string;
  tie: boolean;
  /** The config class's head_dim default when the config has none; else hidden / heads. */
  headDim?: number;
  fourNorms?: true;
  headNorms?: true;
  bias: (f: Fields) => Shape['bias'];
  moe?: 'mixtral' | 'qwen2_moe' | 'qwen3_moe';
  fused?: true;
}

const ATTENTION_BIAS = (f: Fields): Shape['bias'] => (f.bool('attention_bias', false) ? ['attn.q', 'attn.k', 'attn.v', 'attn.o'] : false);

const DECODERS: Record<string, DecoderKind> = {
  llama: {
    family: 'llama',
    tie: false,
    bias: (f) => {
      const attention = f.bool('attention_bias', false);
      const mlp = f.bool('mlp_bias', false);
      if (attention && mlp) return true;
      if (attention) return ['attn.q', 'attn.k', 'attn.v', 'attn.o'];
      if (mlp) return ['mlp.gate', 'mlp.in', 'mlp.out'];
      return false;
    },
  },
  mistral: { family: 'mistral', tie: false, bias: () => false },
  mixtral: { family: 'mixtral', tie: false, bias: () => false, moe: 'mixtral' },
  qwen2: { family: 'qwen2', tie: false, bias: () => ['attn.q', 'attn.k', 'attn.v'] },
  qwen2_moe: { family: 'qwen2-moe', tie: false, bias: (f) => (f.bool('qkv_bias', true) ? ['attn.q', 'attn.k', 'attn.v'] : false), moe: 'qwen2_moe' },
  qwen3: { family: 'qwen3', tie: false, headDim: 128, headNorms: true, bias: ATTENTION_BIAS },
  qwen3_moe: { family: 'qwen3-moe', tie: false, headDim: 128, headNorms: true, bias: ATTENTION_BIAS, moe: 'qwen3_moe' },
  gemma: { family: 'gemma', tie: true, headDim: 256, bias: ATTENTION_BIAS },
  gemma2: { family: 'gemma2', tie: true, headDim: 256, fourNorms: true, bias: ATTENTION_BIAS },
  gemma3_text: { family: 'gemma3', tie: true, headDim: 256, fourNorms: true, headNorms: true, bias: ATTENTION_BIAS },
  phi3: { family: 'phi3', tie: false, bias: () => false, fused: true },
};

/** Gemma3TextConfig's defaults: a multimodal Gemma 3 config.json leaves most text fields to them. */
const GEMMA3_TEXT_DEFAULTS = { vocab_size: 262_208, hidden_size: 2304, intermediate_size: 9216, num_hidden_layers: 26, num_attention_heads: 8, num_key_value_heads: 4 };

function decoder(f: Fields, kind: DecoderKind, tieDefault: boolean, defaults?: typeof GEMMA3_TEXT_DEFAULTS): Shape {
  const hidden = f.int('hidden_size', defaults?.hidden_size);
  const layers = f.int('num_hidden_layers', defaults?.num_hidden_layers);
  const heads = f.int('num_attention_heads', defaults?.num_attention_heads);
  const kvHeads = f.int('num_key_value_heads', defaults?.num_key_value_heads ?? heads);
  checkKvHeads(f, heads, kvHeads, 'num_key_value_heads', 'num_attention_heads');
  const headDim = f.int('head_dim', kind.headDim ?? headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads'));
  const vocabSize = f.int('vocab_size', defaults?.vocab_size);
  const activation = f.str(['hidden_activation', 'hidden_act'], kind.family.startsWith('gemma') ? 'gelu_pytorch_tanh' : 'silu');
  const norms = ['input_layernorm', 'post_attention_layernorm', ...(kind.fourNorms ? ['pre_feedforward_layernorm', 'post_feedforward_layernorm'] : [])];
  const shape: Shape = {
    family: kind.family,
    hiddenSize: hidden,
    vocabSize,
    learnedPositions: 0,
    tiedEmbeddings: f.bool('tie_word_embeddings', tieDefault),
    lmHeadBias: false,
    layers: { decoder: layers },
    attention: { heads, kvHeads, headDim },
    ffn: { size: 0, kind: 'gated', activation },
    modules: { ...LLAMA_MODULES },
    bias: kind.bias(f),
    norm: RMS,
    layerNorms: { decoder: norms },
    finalNorm: 'norm',
    ...(kind.headNorms ? { headNorms: ['self_attn.q_norm', 'self_attn.k_norm'] } : {}),
  };
  if (kind.fused) {
    shape.modules = { 'attn.qkv': 'self_attn.qkv_proj', 'attn.o': 'self_attn.o_proj', 'mlp.gate': 'mlp.gate_up_proj', 'mlp.out': 'mlp.down_proj' };
    shape.ffn = { ...shape.ffn, fusedGateUp: true };
  }
  if (kind.moe === 'mixtral') {
    shape.ffn.size = f.int('intermediate_size');
    const experts = f.int('num_local_experts', 8);
    shape.moe = { experts, active: activeExperts(f, experts, 'num_local_experts', 2), path: 'block_sparse_moe.experts', router: 'block_sparse_moe.gate' };
    shape.modules = { ...LLAMA_MODULES, 'mlp.gate': 'w1', 'mlp.in': 'w3', 'mlp.out': 'w2' };
  } else if (kind.moe !== undefined) {
    shape.ffn.size = f.int('moe_intermediate_size');
    const experts = f.int('num_experts');
    const active = activeExperts(f, experts, 'num_experts', kind.moe === 'qwen2_moe' ? 4 : 8);
    // Every layer must be a mixture-of-experts layer: a Stack's layers are identical.
    if (f.list('mlp_only_layers').length > 0) throw new ConfigError(`${FILE}: "mlp_only_layers" mixes dense and expert layers, which is not supported`);
    const step = f.int('decoder_sparse_step', 1);
    if (step !== 1) throw new ConfigError(`${FILE}: "decoder_sparse_step" (${step}) mixes dense and expert layers, which is not supported; only 1 is`);
    shape.moe = { experts, active, path: 'mlp.experts', router: 'mlp.gate' };
    shape.modules = { ...LLAMA_MODULES, 'mlp.gate': 'gate_proj', 'mlp.in': 'up_proj', 'mlp.out': 'down_proj' };
    if (kind.moe === 'qwen2_moe') {
      shape.moe.shared = { path: 'mlp.shared_expert', size: f.int('shared_expert_intermediate_size'), gate: 'mlp.shared_expert_gate' };
    }
  } else {
    shape.ffn.size = f.int('intermediate_size', defaults?.intermediate_size);
  }
  return shape;
}

function activeExperts(f: Fields, experts: number, expertsKey: string, fallback: number): number {
  const active = f.int('num_experts_per_tok', fallback);
  if (active > experts) throw new ConfigError(`${FILE}: "num_experts_per_tok" (${active}) must not exceed "${expertsKey}" (${experts})`);
  return active;
}

const T5_MODULES = {
  'attn.q': 'SelfAttention.q',
  'attn.k': 'SelfAttention.k',
  'attn.v': 'SelfAttention.v',
  'attn.o': 'SelfAttention.o',
  'cross.q': 'EncDecAttention.q',
  'cross.k': 'EncDecAttention.k',
  'cross.v': 'EncDecAttention.v',
  'cross.o': 'EncDecAttention.o',
} as const;

/** T5, mT5 and UMT5 (T5Config and its kin, as transformers 4.x reads them: an untied LM head where the config says so). */
function t5(f: Fields, type: 't5' | 'mt5' | 'umt5'): Shape {
  const hidden = f.int('d_model');
  const heads = f.int('num_heads');
  const encoderLayers = f.int('num_layers');
  const decoderLayers = f.int('num_decoder_layers', encoderLayers);
  const proj = f.str('feed_forward_proj', type === 't5' ? 'relu' : 'gated-gelu');
  const parts = proj.split('-');
  const gated = parts[0] === 'gated';
  if (parts.length > 2 || (parts.length === 2 && !gated) || parts.at(-1) === '') {
    throw new ConfigError(`${FILE}: "feed_forward_proj" must be an activation such as "relu" or "gated-gelu", not ${show(proj)}`);
  }
  const activation = proj === 'gated-gelu' ? 'gelu_new' : parts.at(-1)!;
  return {
    // The family slugs the method tables use: gated T5 checkpoints are keyed as flan-t5, mT5 as mt0.
    family: type === 'umt5' ? 'umt5' : type === 'mt5' ? 'mt0' : gated ? 'flan-t5' : 't5',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size'),
    learnedPositions: 0,
    tiedEmbeddings: f.bool('tie_word_embeddings', type !== 'mt5'),
    lmHeadBias: false,
    layers: { encoder: encoderLayers, decoder: decoderLayers },
    attention: { heads, kvHeads: heads, headDim: f.int('d_kv', 64) },
    ffn: { size: f.int('d_ff'), kind: gated ? 'gated' : 'plain', activation },
    modules: gated
      ? { ...T5_MODULES, 'mlp.gate': 'DenseReluDense.wi_0', 'mlp.in': 'DenseReluDense.wi_1', 'mlp.out': 'DenseReluDense.wo' }
      : { ...T5_MODULES, 'mlp.in': 'DenseReluDense.wi', 'mlp.out': 'DenseReluDense.wo' },
    bias: false,
    norm: RMS,
    layerNorms: { encoder: ['layer.0.layer_norm', 'layer.1.layer_norm'], decoder: ['layer.0.layer_norm', 'layer.1.layer_norm', 'layer.2.layer_norm'] },
    finalNorm: 'final_layer_norm',
    relativeAttentionBuckets: f.int('relative_attention_num_buckets', 32),
    ...(type === 'umt5' ? { relativeAttentionPerLayer: true as const } : {}),
  };
}

function gpt2(f: Fields): Shape {
  const hidden = f.int('n_embd', 768);
  const heads = f.int('n_head', 12);
  return {
    family: 'gpt2',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size', 50257),
    learnedPositions: f.int('n_positions', 1024),
    tiedEmbeddings: f.bool('tie_word_embeddings', true),
    lmHeadBias: false,
    layers: { decoder: f.int('n_layer', 12) },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'n_embd', 'n_head') },
    ffn: { size: f.int('n_inner', 4 * hidden), kind: 'plain', activation: f.str('activation_function', 'gelu_new') },
    modules: { 'attn.qkv': 'attn.c_attn', 'attn.o': 'attn.c_proj', 'mlp.in': 'mlp.c_fc', 'mlp.out': 'mlp.c_proj' },
    bias: true,
    norm: LAYER_NORM,
    layerNorms: { decoder: ['ln_1', 'ln_2'] },
    finalNorm: 'ln_f',
  };
}

function gptNeox(f: Fields): Shape {
  const hidden = f.int('hidden_size');
  const heads = f.int('num_attention_heads');
  return {
    family: 'gpt-neox',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size'),
    learnedPositions: 0,
    tiedEmbeddings: f.bool('tie_word_embeddings', false),
    lmHeadBias: false,
    layers: { decoder: f.int('num_hidden_layers') },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads') },
    ffn: { size: f.int('intermediate_size'), kind: 'plain', activation: f.str('hidden_act', 'gelu') },
    modules: { 'attn.qkv': 'attention.query_key_value', 'attn.o': 'attention.dense', 'mlp.in': 'mlp.dense_h_to_4h', 'mlp.out': 'mlp.dense_4h_to_h' },
    // Parallel residual and rotary positions change no count; the attention maps' biases follow attention_bias.
    bias: f.bool('attention_bias', true) ? true : ['mlp.in', 'mlp.out'],
    norm: LAYER_NORM,
    layerNorms: { decoder: ['input_layernorm', 'post_attention_layernorm'] },
    finalNorm: 'final_layer_norm',
  };
}

const BERT_MODULES = {
  'attn.q': 'attention.self.query',
  'attn.k': 'attention.self.key',
  'attn.v': 'attention.self.value',
  'attn.o': 'attention.output.dense',
  'mlp.in': 'intermediate.dense',
  'mlp.out': 'output.dense',
} as const;

/** BERT and RoBERTa as AutoModel loads them: with the pooler, without a masked-LM head. */
function bert(f: Fields, family: 'bert' | 'roberta'): Shape {
  const hidden = f.int('hidden_size');
  const heads = f.int('num_attention_heads');
  const tokenTypes = f.int('type_vocab_size', 2, 0);
  return {
    family,
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size'),
    learnedPositions: f.int('max_position_embeddings', 512),
    tiedEmbeddings: true,
    lmHeadBias: false,
    layers: { encoder: f.int('num_hidden_layers') },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads') },
    ffn: { size: f.int('intermediate_size'), kind: 'plain', activation: f.str('hidden_act', 'gelu') },
    modules: { ...BERT_MODULES },
    bias: true,
    norm: LAYER_NORM,
    layerNorms: { encoder: ['attention.output.LayerNorm', 'output.LayerNorm'] },
    finalNorm: null,
    extras: { ...(tokenTypes > 0 ? { tokenTypes } : {}), embeddingNorm: 'embeddings.LayerNorm', pooler: 'pooler.dense' },
  };
}

/** DeBERTa-v2 and -v3 as AutoModel (DebertaV2Model) loads them: no pooler, which only the classification model has. */
function debertaV2(f: Fields): Shape {
  const hidden = f.int('hidden_size', 1536);
  const heads = f.int('num_attention_heads', 24);
  const embeddingSize = f.int('embedding_size', hidden);
  if (embeddingSize !== hidden) throw new ConfigError(`${FILE}: "embedding_size" (${embeddingSize}) differs from "hidden_size" (${hidden}), which is not supported`);
  const maxPositions = f.int('max_position_embeddings', 512);
  const tokenTypes = f.int('type_vocab_size', 0, 0);
  const relative = f.bool('relative_attention', false);
  const extras: NonNullable<Shape['extras']> = { ...(tokenTypes > 0 ? { tokenTypes } : {}), embeddingNorm: 'embeddings.LayerNorm' };
  if (relative) {
    const maxRelative = f.int('max_relative_positions', -1, -Infinity);
    const buckets = f.int('position_buckets', -1, -Infinity);
    extras.relativeEmbeddings = 2 * (buckets > 0 ? buckets : maxRelative < 1 ? maxPositions : maxRelative);
    const posAtt = f.strings('pos_att_type');
    if (!f.bool('share_att_key', false) && posAtt.some((t) => t === 'c2p' || t === 'p2c')) {
      throw new ConfigError(`${FILE}: "share_att_key" false (separate position projections) is not supported`);
    }
  }
  if (f.strings('norm_rel_ebd').includes('layer_norm')) extras.relativeEmbeddingNorm = 'encoder.LayerNorm';
  const kernel = f.int('conv_kernel_size', 0, 0);
  if (kernel > 0) {
    const groups = f.int('conv_groups', 1);
    if (hidden % groups !== 0) throw new ConfigError(`${FILE}: "conv_groups" (${groups}) must divide "hidden_size" (${hidden})`);
    extras.encoderConv = { kernel, groups };
  }
  return {
    family: 'deberta-v2',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size', 128_100),
    learnedPositions: f.bool('position_biased_input', true) ? maxPositions : 0,
    tiedEmbeddings: true,
    lmHeadBias: false,
    layers: { encoder: f.int('num_hidden_layers', 24) },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads') },
    ffn: { size: f.int('intermediate_size', 6144), kind: 'plain', activation: f.str('hidden_act', 'gelu') },
    modules: { 'attn.q': 'attention.self.query_proj', 'attn.k': 'attention.self.key_proj', 'attn.v': 'attention.self.value_proj', 'attn.o': 'attention.output.dense', 'mlp.in': 'intermediate.dense', 'mlp.out': 'output.dense' },
    bias: true,
    norm: LAYER_NORM,
    layerNorms: { encoder: ['attention.output.LayerNorm', 'output.LayerNorm'] },
    finalNorm: null,
    extras,
  };
}

function opt(f: Fields): Shape {
  const hidden = f.int('hidden_size');
  const heads = f.int('num_attention_heads');
  if (!f.bool('layer_norm_elementwise_affine', true)) throw new ConfigError(`${FILE}: "layer_norm_elementwise_affine" false (norms without weights) is not supported`);
  const projection = f.int('word_embed_proj_dim', hidden);
  const finalNorm = f.bool('do_layer_norm_before', true) && !f.bool('_remove_final_layer_norm', false);
  return {
    family: 'opt',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size'),
    // OPT's learned positions start at an offset of 2.
    learnedPositions: f.int('max_position_embeddings') + 2,
    tiedEmbeddings: f.bool('tie_word_embeddings', true),
    lmHeadBias: false,
    layers: { decoder: f.int('num_hidden_layers') },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads') },
    ffn: { size: f.int('ffn_dim'), kind: 'plain', activation: f.str('activation_function', 'relu') },
    modules: { 'attn.q': 'self_attn.q_proj', 'attn.k': 'self_attn.k_proj', 'attn.v': 'self_attn.v_proj', 'attn.o': 'self_attn.out_proj', 'mlp.in': 'fc1', 'mlp.out': 'fc2' },
    bias: f.bool('enable_bias', true),
    norm: LAYER_NORM,
    layerNorms: { decoder: ['self_attn_layer_norm', 'final_layer_norm'] },
    finalNorm: finalNorm ? 'final_layer_norm' : null,
    ...(projection !== hidden ? { extras: { embedProjection: projection } } : {}),
  };
}

function bloom(f: Fields): Shape {
  const hidden = f.int(['hidden_size', 'n_embed'], 64);
  const heads = f.int(['n_head', 'num_attention_heads'], 8);
  return {
    family: 'bloom',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size', 250_880),
    learnedPositions: 0,
    tiedEmbeddings: f.bool('tie_word_embeddings', true),
    lmHeadBias: false,
    layers: { decoder: f.int(['n_layer', 'num_hidden_layers'], 2) },
    attention: { heads, kvHeads: heads, headDim: headSize(f, hidden, heads, 'hidden_size', 'n_head') },
    // BLOOM's MLP is 4 × hidden wide whatever the config says; ALiBi positions have no parameters.
    ffn: { size: 4 * hidden, kind: 'plain', activation: 'gelu' },
    modules: { 'attn.qkv': 'self_attention.query_key_value', 'attn.o': 'self_attention.dense', 'mlp.in': 'mlp.dense_h_to_4h', 'mlp.out': 'mlp.dense_4h_to_h' },
    bias: true,
    norm: LAYER_NORM,
    layerNorms: { decoder: ['input_layernorm', 'post_attention_layernorm'] },
    finalNorm: 'ln_f',
    extras: { embeddingNorm: 'word_embeddings_layernorm' },
  };
}

function falcon(f: Fields): Shape {
  const hidden = f.int('hidden_size', 4544);
  const heads = f.int(['num_attention_heads', 'n_head'], 71);
  const headDim = headSize(f, hidden, heads, 'hidden_size', 'num_attention_heads');
  const newArchitecture = f.bool('new_decoder_architecture', false);
  const multiQuery = f.bool('multi_query', true);
  const parallel = f.bool('parallel_attn', true);
  // FalconAttention: the new architecture's grouped query attention, else one key/value head
  // (multi_query) or as many as query heads.
  let kvHeads = heads;
  if (newArchitecture) {
    kvHeads = f.int(['num_kv_heads', 'n_head_kv'], heads);
    checkKvHeads(f, heads, kvHeads, 'num_kv_heads', 'num_attention_heads');
  } else if (multiQuery) {
    kvHeads = 1;
  }
  const lnInParallel = f.int('num_ln_in_parallel_attn', newArchitecture ? 2 : 1);
  let norms: string[];
  if (!parallel) norms = ['input_layernorm', 'post_attention_layernorm'];
  else if (newArchitecture && lnInParallel === 2) norms = ['ln_attn', 'ln_mlp'];
  else norms = ['input_layernorm'];
  return {
    family: 'falcon',
    hiddenSize: hidden,
    vocabSize: f.int('vocab_size', 65_024),
    learnedPositions: 0,
    tiedEmbeddings: f.bool('tie_word_embeddings', true),
    lmHeadBias: false,
    layers: { decoder: f.int(['num_hidden_layers', 'n_layer'], 32) },
    attention: { heads, kvHeads, headDim },
    ffn: { size: f.int('ffn_hidden_size', 4 * hidden), kind: 'plain', activation: f.str('activation', 'gelu') },
    modules: { 'attn.qkv': 'self_attention.query_key_value', 'attn.o': 'self_attention.dense', 'mlp.in': 'mlp.dense_h_to_4h', 'mlp.out': 'mlp.dense_4h_to_h' },
    bias: f.bool('bias', false),
    norm: LAYER_NORM,
    layerNorms: { decoder: norms },
    finalNorm: 'ln_f',
  };
}

/** The normalised config fields read, with model_type: what the shareable form keeps. */
interface Parsed {
  shape: Shape;
  fields: Record<string, unknown>;
}

function parse(config: Record<string, unknown>): Parsed {
  const typeField = config.model_type;
  if (typeof typeField !== 'string' || typeField === '') throw new ConfigError(`${FILE}: "model_type" is missing; it names the architecture (${SUPPORTED_MODEL_TYPES.join(', ')})`);
  const type = typeField;
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(`${FILE}: "model_type" ${show(type)} is not supported; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`);
  }
  if (type === 'gemma3') {
    // A multimodal Gemma 3: the language model's fields sit in text_config; the vision tower is not counted.
    const text = config.text_config ?? {};
    if (!isObject(text)) throw new ConfigError(`${FILE}: "text_config" must be an object`);
    const f = new Fields(text, 'text_config.');
    const top = new Fields(config);
    const shape = decoder(f, DECODERS.gemma3_text!, top.bool('tie_word_embeddings', true), GEMMA3_TEXT_DEFAULTS);
    return { shape, fields: { model_type: type, ...top.used, text_config: f.used } };
  }
  const f = new Fields(config);
  let shape: Shape;
  if (type === 't5' || type === 'mt5' || type === 'umt5') shape = t5(f, type);
  else if (type === 'gpt2') shape = gpt2(f);
  else if (type === 'gpt_neox') shape = gptNeox(f);
  else if (type === 'bert' || type === 'roberta') shape = bert(f, type);
  else if (type === 'deberta-v2') shape = debertaV2(f);
  else if (type === 'opt') shape = opt(f);
  else if (type === 'bloom') shape = bloom(f);
  else if (type === 'falcon') shape = falcon(f);
  else {
    const kind = DECODERS[type]!;
    shape = decoder(f, kind, kind.tie);
  }
  return { shape, fields: { model_type: type, ...f.used } };
}

export type HfConfigResult = { model: ModelInfo } | { error: string };

/** The id a pasted config goes by: the given one, the config's `_name_or_path`, or its model type. */
function configId(config: Record<string, unknown>, id: string | undefined): string {
  const named = typeof config._name_or_path === 'string' ? config._name_or_path.trim() : '';
  return (id ?? '').trim() || named || `${String(config.model_type)} config.json`;
}

function build(config: Record<string, unknown>, id: string): ModelInfo {
  const { shape, fields } = parse(config);
  const entry: ModelEntry = { ...shape, id, name: id, source: [], publishedTotal: 1, totalSource: '' };
  const info = modelInfo(entry);
  const vision = config.model_type === 'gemma3' ? ' The vision tower and its projector are not counted.' : '';
  return {
    ...info,
    publishedTotal: totalParams(info.arch),
    source: '',
    sources: [],
    totalSource: `Counted from the config.json (model_type ${String(config.model_type)}) as HF transformers builds the model.${vision}`,
    hfConfig: fields,
  };
}

/**
 * The model a Hugging Face config.json describes, under `opts.id` (else its `_name_or_path`).
 * Throws RangeError with one sentence naming the field for a config it cannot read: an unknown
 * model_type (listing the supported ones), a missing or non-positive size, or sizes that do not fit.
 */
export function architectureFromHfConfig(json: unknown, opts: { id?: string } = {}): ModelInfo {
  if (!isObject(json)) throw new ConfigError(`${FILE} must be a JSON object with a "model_type", not ${Array.isArray(json) ? 'a list' : show(json)}`);
  return build(json, configId(json, opts.id));
}

/** architectureFromHfConfig, with its error as a value (for the paste box). */
export function parseHfConfig(json: unknown, opts: { id?: string } = {}): HfConfigResult {
  try {
    return { model: architectureFromHfConfig(json, opts) };
  } catch (err) {
    if (err instanceof RangeError) return { error: err.message };
    throw err;
  }
}

/** Parses config.json text (JSON errors included) into a model or a one-sentence error. */
export function parseHfConfigText(text: string, opts: { id?: string } = {}): HfConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: `${FILE} is not valid JSON` };
  }
  return parseHfConfig(json, opts);
}

// ---- The shareable form: the fields read, with the id, as base64url JSON. ----

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The most a URL parameter may carry; a real config's read fields take a few hundred characters. */
export const MAX_ARCHITECTURE_PARAM = 4000;

/**
 * A short URL-safe text for a model read from a config.json: only the fields the parser read
 * (what changes the counts), the model type and the id, as base64url JSON.
 * decodeArchitectureParam gives back the same model. A listed model has no such form (its id is
 * its link): RangeError.
 */
export function encodeArchitectureParam(model: Pick<ModelInfo, 'id' | 'hfConfig'>): string {
  if (model.hfConfig === undefined) throw new RangeError(`${quoteValue(model.id)} was not read from a config.json; link it by its id`);
  return toBase64Url(JSON.stringify({ ...model.hfConfig, _name_or_path: model.id }));
}

/** The model an encodeArchitectureParam text stands for, or a one-sentence error. */
export function decodeArchitectureParam(text: string): HfConfigResult {
  if (text.length > MAX_ARCHITECTURE_PARAM) return { error: `the architecture in the link is longer than ${MAX_ARCHITECTURE_PARAM} characters` };
  const json = fromBase64Url(text);
  if (json === null) return { error: 'the architecture in the link is not valid base64url' };
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch {
    return { error: 'the architecture in the link is not valid JSON' };
  }
  return parseHfConfig(config);
}
