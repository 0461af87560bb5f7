import { z } from 'zod';
import raw from '@/content/data/models.json';
import { parseContent } from '@/lib/content/validate';
import type { Architecture, Attention, LinearMap, LinearRole, Norm, Stack } from './arch';

/**
 * Real model architectures for the calculators. The facts (from each model's config.json) live in
 * content/data/models.json in a compact form; this module validates them and builds the
 * `Architecture` every calculator counts over. Free of TensorFlow.js and node APIs, so client
 * components can import it.
 */

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

const STACK_KINDS = ['encoder', 'decoder'] as const;
const CROSS_ROLES = ['cross.q', 'cross.k', 'cross.v', 'cross.o'] as const;

const count = z.number().int().positive();
const name = z.string().min(1);
/** A module path relative to the block: dotted Python identifiers (or ModuleList indices), e.g. `self_attn.q_proj`. */
const modulePath = z.string().regex(/^([A-Za-z_]\w*|\d+)(\.([A-Za-z_]\w*|\d+))*$/, 'expected a dotted module path such as self_attn.q_proj');

const modulePathsSchema = z
  .object({
    'attn.q': modulePath.optional(),
    'attn.k': modulePath.optional(),
    'attn.v': modulePath.optional(),
    'attn.qkv': modulePath.optional(),
    'attn.o': modulePath,
    'cross.q': modulePath.optional(),
    'cross.k': modulePath.optional(),
    'cross.v': modulePath.optional(),
    'cross.o': modulePath.optional(),
    'mlp.gate': modulePath.optional(),
    'mlp.in': modulePath,
    'mlp.out': modulePath,
  })
  .strict();

const perStack = <T extends z.ZodType>(value: T) =>
  z
    .object({ encoder: value.optional(), decoder: value.optional() })
    .strict()
    .refine((s) => s.encoder !== undefined || s.decoder !== undefined, { message: 'expected an encoder, a decoder or both' });

const modelSchema = z
  .object({
    /** The Hugging Face id, e.g. `meta-llama/Llama-2-7b-hf`. */
    id: z.string().regex(/^[\w.-]+(\/[\w.-]+)?$/, 'expected a Hugging Face model id such as t5-large or org/name'),
    name,
    family: z.string().regex(/^[a-z0-9-]+$/, 'expected a lowercase family slug'),
    /** URLs of the config.json, model card or paper the facts come from. */
    source: z.array(z.url()).min(1),
    /** Exact parameter count of the base model as HF transformers loads it. */
    publishedTotal: count,
    /** Where `publishedTotal` comes from. */
    totalSource: z.string().min(10),
    hiddenSize: count,
    vocabSize: count,
    /** Rows of a learned absolute position table (OPT's includes its offset of 2); 0 for none. */
    learnedPositions: z.number().int().nonnegative(),
    tiedEmbeddings: z.boolean(),
    lmHeadBias: z.boolean(),
    /** Layers per stack. An encoder and a decoder together make the decoder's layers cross-attend. */
    layers: perStack(count),
    attention: z.object({ heads: count, kvHeads: count, headDim: count }).strict(),
    ffn: z.object({ size: count, kind: z.enum(['plain', 'gated']), activation: name }).strict(),
    /**
     * The path of each linear map inside one transformer block, by role, as HF transformers names the
     * module relative to the block (`self_attn.q_proj`, `attention.output.dense`, `mlp.c_proj`). In
     * the T5 family the path starts at the sublayer module (`SelfAttention.q`, `EncDecAttention.q`,
     * `DenseReluDense.wi`): the block's own path `layer.N.SelfAttention.q` numbers the sublayers
     * differently in encoder and decoder. Paths are distinct; leaf names may repeat (GPT-2's two
     * c_proj), and targets match paths by HF PEFT's suffix rule (lib/peft/arch.ts linearMatches).
     */
    modules: modulePathsSchema,
    /** Which linear maps have a bias: all, none, or the listed roles. */
    bias: z.union([z.boolean(), z.array(z.enum(LINEAR_ROLES)).min(1)]),
    norm: z.object({ kind: z.enum(['layernorm', 'rmsnorm']), bias: z.boolean() }).strict(),
    /** Names of the norms in one layer of each stack. */
    layerNorms: perStack(z.array(name).min(1)),
    /** Name of the norm after each stack's last layer, or null. */
    finalNorm: name.nullable(),
    /** T5's relative position bias: a buckets × heads table in the first layer of each stack. */
    relativeAttentionBuckets: count.optional(),
    extras: z
      .object({
        /** BERT's token-type embedding rows. */
        tokenTypes: count.optional(),
        /** A norm applied to the embeddings (BERT's embeddings.LayerNorm, BLOOM's word_embeddings_layernorm). */
        embeddingNorm: name.optional(),
        /** BERT's pooler: a hidden × hidden dense layer with bias. */
        pooler: name.optional(),
        /** OPT-350m's word_embed_proj_dim: embeddings this wide, with project_in/project_out maps. */
        embedProjection: count.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const mods = m.modules;
    const fused = mods['attn.qkv'] !== undefined;
    const separate = (['attn.q', 'attn.k', 'attn.v'] as const).filter((r) => mods[r] !== undefined);
    if (fused && separate.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'give either attn.qkv or attn.q/k/v, not both', path: ['modules', 'attn.qkv'] });
    }
    if (!fused && separate.length !== 3) {
      ctx.addIssue({ code: 'custom', message: 'expected attn.q, attn.k and attn.v (or a fused attn.qkv)', path: ['modules'] });
    }
    if ((m.ffn.kind === 'gated') !== (mods['mlp.gate'] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a gated FFN has an mlp.gate map and a plain one has none', path: ['modules', 'mlp.gate'] });
    }
    const byPath = new Map<string, string>();
    for (const r of LINEAR_ROLES) {
      const p = mods[r];
      if (p === undefined) continue;
      const other = byPath.get(p);
      if (other !== undefined) ctx.addIssue({ code: 'custom', message: `${r} has the same path as ${other}: "${p}"`, path: ['modules', r] });
      else byPath.set(p, r);
    }
    const encDec = m.layers.encoder !== undefined && m.layers.decoder !== undefined;
    for (const r of CROSS_ROLES) {
      if (encDec !== (mods[r] !== undefined)) {
        ctx.addIssue({ code: 'custom', message: `${r} is present exactly in encoder–decoder models`, path: ['modules', r] });
      }
    }
    if (m.attention.heads % m.attention.kvHeads !== 0) {
      ctx.addIssue({ code: 'custom', message: 'heads must be a multiple of kvHeads', path: ['attention', 'kvHeads'] });
    }
    if (Array.isArray(m.bias)) {
      m.bias.forEach((r, i) => {
        if (mods[r] === undefined) ctx.addIssue({ code: 'custom', message: `no ${r} map to give a bias`, path: ['bias', i] });
      });
    }
    for (const kind of STACK_KINDS) {
      if ((m.layers[kind] !== undefined) !== (m.layerNorms[kind] !== undefined)) {
        ctx.addIssue({ code: 'custom', message: `layerNorms.${kind} must match layers.${kind}`, path: ['layerNorms', kind] });
      }
    }
    if (m.relativeAttentionBuckets !== undefined && m.learnedPositions > 0) {
      ctx.addIssue({ code: 'custom', message: 'relative attention and a learned position table exclude each other', path: ['relativeAttentionBuckets'] });
    }
  });

export const modelsSchema = z
  .object({
    about: z.string(),
    models: z.array(modelSchema).min(1),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.models.forEach((m, i) => {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', message: `duplicate id "${m.id}"`, path: ['models', i, 'id'] });
      seen.add(m.id);
    });
  });

export type ModelEntry = z.output<typeof modelSchema>;

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
}

function hasBias(entry: ModelEntry, role: LinearRole): boolean {
  return Array.isArray(entry.bias) ? entry.bias.includes(role) : entry.bias;
}

/** The last component of a dotted module path: `self_attn.q_proj` → `q_proj`. */
function leafName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** The linear maps of one layer of a stack, in the order the layer applies them. */
function stackLinears(entry: ModelEntry, cross: boolean): LinearMap[] {
  const h = entry.hiddenSize;
  const { heads, kvHeads, headDim } = entry.attention;
  const q = heads * headDim;
  const kv = kvHeads * headDim;
  const f = entry.ffn.size;
  const shapes: Record<LinearRole, [number, number]> = {
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
  const linears: LinearMap[] = [];
  for (const role of LINEAR_ROLES) {
    if (!cross && role.startsWith('cross.')) continue;
    const path = entry.modules[role];
    if (path === undefined) continue;
    const [inFeatures, outFeatures] = shapes[role];
    linears.push({ name: leafName(path), path, role, inFeatures, outFeatures, bias: hasBias(entry, role) });
  }
  return linears;
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
      norms: norms.map((n) => makeNorm(entry, n)),
      finalNorm: entry.finalNorm === null ? null : makeNorm(entry, entry.finalNorm),
      // T5: relative_attention_bias (buckets × heads) sits in the first layer's self-attention only.
      extraParams: entry.relativeAttentionBuckets === undefined ? 0 : entry.relativeAttentionBuckets * attention.heads,
    });
  }

  const extraParams: Architecture['extraParams'] = [];
  const x = entry.extras;
  if (x?.tokenTypes !== undefined) extraParams.push({ name: 'embeddings.token_type_embeddings', count: x.tokenTypes * h });
  if (x?.embeddingNorm !== undefined) {
    const n = makeNorm(entry, x.embeddingNorm);
    extraParams.push({ name: x.embeddingNorm, count: n.size * (n.bias ? 2 : 1) });
  }
  if (x?.pooler !== undefined) extraParams.push({ name: x.pooler, count: h * h + h });
  if (x?.embedProjection !== undefined && x.embedProjection !== h) {
    const p = x.embedProjection;
    extraParams.push({ name: 'project_in', count: p * h }, { name: 'project_out', count: h * p });
  }

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
  };
}

/** Validates a models file's content (throws ContentError naming file and field) and normalizes it. */
export function parseModels(data: unknown, file: string = MODELS_FILE): ModelInfo[] {
  const parsed = parseContent(modelsSchema, data, file);
  return parsed.models.map((entry) => ({
    id: entry.id,
    name: entry.name,
    family: entry.family,
    publishedTotal: entry.publishedTotal,
    source: entry.source[0] ?? '',
    sources: entry.source,
    totalSource: entry.totalSource,
    activation: entry.ffn.activation,
    arch: toArchitecture(entry),
  }));
}

export const MODELS: readonly ModelInfo[] = parseModels(raw);

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

/** The model with Hugging Face id `id`; throws RangeError for an unknown id. */
export function findModel(id: string): ModelInfo {
  const model = BY_ID.get(id);
  if (model) return model;
  const shown = MODELS.slice(0, 4).map((m) => m.id);
  throw new RangeError(`unknown model "${id}" (known: ${shown.join(', ')} and ${MODELS.length - shown.length} more)`);
}
