import raw from '@/content/data/models.json';
import type { Architecture, Attention, LinearMap, LinearRole, Norm, Stack } from './arch';
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

// The build validates models.json before Next.js runs (scripts/check-data.ts), and
// models-schema.test.ts checks that this read equals the validated one.
export const MODELS: readonly ModelInfo[] = (raw.models as unknown as readonly ModelEntry[]).map(modelInfo);

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

/** The model with Hugging Face id `id`; throws RangeError for an unknown id. */
export function findModel(id: string): ModelInfo {
  const model = BY_ID.get(id);
  if (model) return model;
  const shown = MODELS.slice(0, 4).map((m) => m.id);
  throw new RangeError(`unknown model "${id}" (known: ${shown.join(', ')} and ${MODELS.length - shown.length} more)`);
}
