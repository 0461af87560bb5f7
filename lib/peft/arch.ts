/**
 * A transformer described as data. The calculators count methods over real models with it and
 * the toy playground model is described by the same type, so one `trainableParams` serves both.
 *
 * Conventions: a linear map stores `inFeatures × outFeatures` weights plus `outFeatures` biases
 * when `bias` is true. Per-layer lists (`linears`, `norms`) describe ONE layer of a stack; every
 * layer of a stack is identical.
 */

/** What a linear map does, independent of the name a model's code gives it. */
export type LinearRole =
  | 'attn.q'
  | 'attn.k'
  | 'attn.v'
  | 'attn.qkv'
  | 'attn.o'
  | 'cross.q'
  | 'cross.k'
  | 'cross.v'
  | 'cross.o'
  | 'mlp.in'
  | 'mlp.gate'
  | 'mlp.out';

export interface LinearMap {
  /** The module name in the model's reference implementation, e.g. `q_proj`, `c_attn`, `wi_0`. */
  name: string;
  role: LinearRole;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

export interface Norm {
  name: string;
  kind: 'layernorm' | 'rmsnorm';
  size: number;
  bias: boolean;
}

export interface Attention {
  heads: number;
  /** Key/value heads: equal to `heads` for multi-head, fewer for grouped-query attention. */
  kvHeads: number;
  headDim: number;
}

export interface Stack {
  kind: 'encoder' | 'decoder';
  layers: number;
  attention: Attention;
  /** Present in the decoder of an encoder–decoder model. */
  crossAttention: Attention | null;
  /** The linear maps of one layer. */
  linears: LinearMap[];
  /** The norms of one layer. */
  norms: Norm[];
  finalNorm: Norm | null;
  /** Parameters the stack holds outside its layers, e.g. T5's relative-position bias table. */
  extraParams: number;
}

export interface Architecture {
  id: string;
  name: string;
  hiddenSize: number;
  /** Width of the token-embedding table (and a tied LM head) when it differs from hiddenSize,
   * as in OPT-350m, whose 512-wide embeddings are projected to 1024. */
  embeddingSize?: number;
  vocabSize: number;
  /** Rows of a learned absolute position table; 0 for rotary or relative positions. */
  learnedPositions: number;
  tiedEmbeddings: boolean;
  lmHeadBias: boolean;
  stacks: Stack[];
  /** Other parameters outside the stacks, named, e.g. OPT's embedding projections. */
  extraParams: { name: string; count: number }[];
}

export function linearParams(l: LinearMap): number {
  return l.inFeatures * l.outFeatures + (l.bias ? l.outFeatures : 0);
}

export function normParams(n: Norm): number {
  return n.size * (n.bias ? 2 : 1);
}

export function layerParams(s: Stack): number {
  const linears = s.linears.reduce((sum, l) => sum + linearParams(l), 0);
  const norms = s.norms.reduce((sum, n) => sum + normParams(n), 0);
  return linears + norms;
}

export function embeddingParams(a: Architecture): number {
  return a.vocabSize * (a.embeddingSize ?? a.hiddenSize) + a.learnedPositions * a.hiddenSize;
}

export function totalParams(a: Architecture): number {
  const stacks = a.stacks.reduce(
    (sum, s) => sum + s.layers * layerParams(s) + (s.finalNorm ? normParams(s.finalNorm) : 0) + s.extraParams,
    0,
  );
  const head = (a.tiedEmbeddings ? 0 : a.vocabSize * (a.embeddingSize ?? a.hiddenSize)) + (a.lmHeadBias ? a.vocabSize : 0);
  const extra = a.extraParams.reduce((sum, e) => sum + e.count, 0);
  return embeddingParams(a) + stacks + head + extra;
}

export function totalLayers(a: Architecture): number {
  return a.stacks.reduce((sum, s) => sum + s.layers, 0);
}

/** Every distinct linear-map name the architecture has, in layer order. */
export function linearNames(a: Architecture): string[] {
  return [...new Set(a.stacks.flatMap((s) => s.linears.map((l) => l.name)))];
}

/** Names of the linear maps that play one of `roles`, e.g. LoRA's default q and v. */
export function namesWithRole(a: Architecture, roles: readonly LinearRole[]): string[] {
  return [...new Set(a.stacks.flatMap((s) => s.linears.filter((l) => roles.includes(l.role)).map((l) => l.name)))];
}

/** Throws when a requested module name does not exist in the architecture. */
export function assertLinearNames(a: Architecture, names: readonly string[]): void {
  const known = linearNames(a);
  for (const n of names) {
    if (!known.includes(n)) throw new RangeError(`${a.name} has no linear map named "${n}" (it has ${known.join(', ')})`);
  }
}
