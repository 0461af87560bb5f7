import { z } from 'zod';
import { parseContent } from '@/lib/content/validate';
import { LINEAR_ROLES, MODELS_FILE, STACK_KINDS, modelInfo, variantInfos, type ModelInfo } from './models';

/**
 * The schema of content/data/models.json and its validation. Apart from lib/peft/models.ts so that
 * zod stays out of the browser: the build (scripts/check-data.ts) and the tests validate the file,
 * and the calculators read it already checked.
 */

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
    /** Required, except beside a fused gate-and-up map (ffn.fusedGateUp). */
    'mlp.in': modulePath.optional(),
    'mlp.out': modulePath,
  })
  .strict();

const perStack = <T extends z.ZodType>(value: T) =>
  z
    .object({ encoder: value.optional(), decoder: value.optional() })
    .strict()
    .refine((s) => s.encoder !== undefined || s.decoder !== undefined, { message: 'expected an encoder, a decoder or both' });

const modelId = z.string().regex(/^[\w.-]+(\/[\w.-]+)?$/, 'expected a Hugging Face model id such as t5-large or org/name');

/**
 * A fine-tuned checkpoint (chat, instruct) with exactly the base entry's architecture: it counts as
 * the base under its own id and name. Only for checkpoints whose config.json gives the same shapes.
 */
const variantSchema = z
  .object({
    id: modelId,
    name,
    /** The variant's config.json first, then anything else the note relies on. */
    source: z.array(z.url()).min(1),
    /** Why the architecture is the base's: which config.json fields were compared. */
    note: z.string().min(20),
  })
  .strict();

const modelSchema = z
  .object({
    /** The Hugging Face id, e.g. `meta-llama/Llama-2-7b-hf`. */
    id: modelId,
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
    /** size: the FFN width (of one expert in a mixture of experts). fusedGateUp: the gate and up
     * projections are one map of twice that width (Phi-3's gate_up_proj), given as mlp.gate. */
    ffn: z.object({ size: count, kind: z.enum(['plain', 'gated']), activation: name, fusedGateUp: z.literal(true).optional() }).strict(),
    /**
     * A mixture of experts replacing the FFN: `experts` copies of the FFN maps, of which `active`
     * run per token, at `path`.N.<the mlp.* paths> (Mixtral: block_sparse_moe.experts.N.w1), and a
     * router (hidden → experts, no bias) at `router`. Qwen2-MoE adds a shared expert, always active,
     * at `shared.path` with its own width and a one-output gate.
     */
    moe: z
      .object({
        experts: count,
        active: count,
        path: modulePath,
        router: modulePath,
        shared: z.object({ path: modulePath, size: count, gate: modulePath }).strict().optional(),
      })
      .strict()
      .optional(),
    /** Norms over one head (head dim wide) in each layer, after the first layer norm: Qwen3's and
     * Gemma 3's self_attn.q_norm and self_attn.k_norm. */
    headNorms: z.array(name).min(1).optional(),
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
    /** UMT5: every layer's self-attention has its own relative position bias table. */
    relativeAttentionPerLayer: z.literal(true).optional(),
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
        /** DeBERTa-v2's encoder.rel_embeddings: this many rows of hidden size. */
        relativeEmbeddings: count.optional(),
        /** DeBERTa-v2's norm of those rows (norm_rel_ebd "layer_norm"): encoder.LayerNorm. */
        relativeEmbeddingNorm: name.optional(),
        /** DeBERTa-v2's encoder.conv: a Conv1d (hidden → hidden, kernel, groups) with bias and a LayerNorm. */
        encoderConv: z.object({ kernel: count, groups: count }).strict().optional(),
      })
      .strict()
      .optional(),
    variants: z.array(variantSchema).min(1).optional(),
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
    if ((mods['mlp.in'] === undefined) !== (m.ffn.fusedGateUp === true)) {
      ctx.addIssue({ code: 'custom', message: 'expected an mlp.in map, unless the gate and up maps are fused (ffn.fusedGateUp)', path: ['modules', 'mlp.in'] });
    }
    if (m.ffn.fusedGateUp && m.ffn.kind !== 'gated') {
      ctx.addIssue({ code: 'custom', message: 'only a gated FFN has fused gate and up maps', path: ['ffn', 'fusedGateUp'] });
    }
    if (m.moe && m.moe.active > m.moe.experts) {
      ctx.addIssue({ code: 'custom', message: 'a token cannot use more experts than there are', path: ['moe', 'active'] });
    }
    if (m.relativeAttentionPerLayer && m.relativeAttentionBuckets === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a per-layer relative bias needs relativeAttentionBuckets', path: ['relativeAttentionPerLayer'] });
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
    // Users find a model by id or label in any letter case, so ids and labels must differ in more
    // than case, across entries and variants alike.
    const ids = new Map<string, string>();
    const names = new Map<string, string>();
    const check = (seen: Map<string, string>, what: string, value: string, owner: string, path: (string | number)[]) => {
      const key = value.trim().replace(/\s+/g, ' ').toLowerCase();
      const other = seen.get(key);
      if (other !== undefined) ctx.addIssue({ code: 'custom', message: `duplicate ${what} "${value}" (also ${other})`, path });
      else seen.set(key, owner);
    };
    d.models.forEach((m, i) => {
      check(ids, 'id', m.id, `models[${i}]`, ['models', i, 'id']);
      check(names, 'name', m.name, m.id, ['models', i, 'name']);
      m.variants?.forEach((v, j) => {
        check(ids, 'id', v.id, `a variant of ${m.id}`, ['models', i, 'variants', j, 'id']);
        check(names, 'name', v.name, v.id, ['models', i, 'variants', j, 'name']);
      });
    });
  });

export type ModelEntry = z.output<typeof modelSchema>;

/** Validates a models file's content (throws ContentError naming file and field) and normalizes it. */
export function parseModels(data: unknown, file: string = MODELS_FILE): ModelInfo[] {
  return parseContent(modelsSchema, data, file).models.map(modelInfo);
}

/** Like parseModels, with each entry followed by its variants (what MODEL_CHOICES holds). */
export function parseModelChoices(data: unknown, file: string = MODELS_FILE): ModelInfo[] {
  return parseContent(modelsSchema, data, file).models.flatMap((entry) => {
    const base = modelInfo(entry);
    return [base, ...variantInfos(entry, base)];
  });
}
