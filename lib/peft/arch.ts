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
  /** A gated FFN's gate, or its fused gate-and-up map (Phi-3's `gate_up_proj`, 2 × ffn wide). */
  | 'mlp.gate'
  | 'mlp.out'
  /** A mixture of experts' router (Mixtral's `block_sparse_moe.gate`), or Qwen2-MoE's shared-expert gate. */
  | 'mlp.router';

export interface LinearMap {
  /** The leaf module name, the last component of `path`, e.g. `q_proj`, `c_attn`, `wi_0`. */
  name: string;
  /**
   * The module's dotted path inside one transformer block as the model's reference implementation
   * (HF transformers) names it, relative to the block: `self_attn.q_proj`, `attention.output.dense`,
   * `mlp.c_proj`. T5's paths start at the sublayer module (`SelfAttention.q`), as its block paths
   * number the sublayers differently in encoder and decoder. Method targets match it like HF PEFT
   * matches module names (see `linearMatches`).
   */
  path: string;
  role: LinearRole;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  /** The share of tokens that pass through this map: top-k over the experts for an expert of a
   * mixture-of-experts layer; 1 (absent) for every other map. Used for FLOPs and activations. */
  activeShare?: number;
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
  /** The model family, e.g. `llama`, `gpt2`, `t5` (models.json's `family`); the toy's is `toy`. */
  family: string;
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
  /** Other parameters outside the stacks, named, e.g. OPT's embedding projections; `biases` of
   * `count` are bias vectors (BERT's embedding LayerNorm shift), which BitFit and bias="all" train. */
  extraParams: { name: string; count: number; biases?: number }[];
  /** Names of the modules outside the blocks as the model's HF implementation calls them, for
   * `target_modules` and `modules_to_save` (`embed_tokens`, `lm_head`, `score`); absent for the toy. */
  moduleNames?: ModuleNames;
}

export interface ModuleNames {
  /** The token-embedding table: `embed_tokens`, `wte`, `shared`, `word_embeddings`. */
  embedding: string;
  /** The output projection to the vocabulary: `lm_head`, `embed_out`. */
  lmHead: string;
  /** The sequence-classification head of the family's *ForSequenceClassification: `score`, `classifier`. */
  classifier: string;
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

/**
 * Whether `target` selects the linear map, as HF PEFT matches a list of target modules
 * (`check_target_module_exists`): the module's full name equals the target or ends with `.` +
 * target. Our paths are relative to the block, so `q_proj` matches `self_attn.q_proj`, and a dotted
 * target matches every path it is a dotted suffix of: BERT's `output.dense` matches both
 * `attention.output.dense` and `output.dense`, exactly as it does in HF PEFT.
 */
export function linearMatches(l: LinearMap, target: string): boolean {
  return l.path === target || l.path.endsWith(`.${target}`);
}

/** The stack's linear maps that any of `targets` selects, each once, in layer order. */
export function matchingLinears(stack: Stack, targets: readonly string[]): LinearMap[] {
  return stack.linears.filter((l) => targets.some((t) => linearMatches(l, t)));
}

/**
 * Every distinct linear-map path of the architecture, in layer order. A path that only a later
 * stack has (T5's decoder cross-attention) goes right after the path it follows in that stack.
 */
export function linearPaths(a: Architecture): string[] {
  const paths: string[] = [];
  for (const s of a.stacks) {
    let previous = -1;
    for (const l of s.linears) {
      const at = paths.indexOf(l.path);
      if (at >= 0) {
        previous = at;
      } else {
        paths.splice(previous + 1, 0, l.path);
        previous += 1;
      }
    }
  }
  return paths;
}

/** How a method picks its target modules when the user names none. */
export interface TargetDefaults {
  /** The roles of the maps targeted by default, e.g. LoRA's `attn.q` and `attn.v`. */
  roles: readonly LinearRole[];
  /** Roles used when the architecture has no map with one of `roles` (GPT-2's fused `c_attn`). */
  fallbackRoles?: readonly LinearRole[];
  /** Explicit default targets per model family, taking precedence over the roles. */
  byFamily?: Readonly<Record<string, readonly string[]>>;
}

/** Self- and cross-attention maps of one kind (T5's `q` in both) count as the same kind. */
function roleKind(role: LinearRole): string {
  return role.replace(/^cross\./, 'attn.');
}

function allLinears(a: Architecture): LinearMap[] {
  return a.stacks.flatMap((s) => s.linears);
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Whether a target selects maps of more than one role kind. */
function mixesKinds(matched: readonly LinearMap[]): boolean {
  return new Set(matched.map((l) => roleKind(l.role))).size > 1;
}

/**
 * The default targets: the family's list, else the maps with the roles, by their shortest
 * unambiguous identifier. Like HF PEFT with a list of target names, a family entry that matches
 * nothing in this model is skipped (T5's `wi` in a gated T5, which has `wi_0` and `wi_1`); a
 * target the reader typed is never skipped.
 */
function defaultTargets(a: Architecture, defaults: TargetDefaults): string[] {
  const linears = allLinears(a);
  const family = defaults.byFamily?.[a.family];
  if (family !== undefined) return family.filter((t) => linears.some((l) => linearMatches(l, t)));
  const withRoles = (roles: readonly LinearRole[]) => linears.filter((l) => roles.includes(l.role));
  const chosen = withRoles(defaults.roles).length > 0 ? withRoles(defaults.roles) : withRoles(defaults.fallbackRoles ?? []);
  return distinct(
    chosen.map((l) => {
      const byLeaf = linears.filter((x) => linearMatches(x, l.name));
      return mixesKinds(byLeaf) ? l.path : l.name;
    }),
  );
}

/**
 * The target modules a method trains on `a`: `requested` (a list, or a comma-separated string) or,
 * when undefined, the defaults. Each target must select at least one linear map (HF PEFT suffix
 * matching, see `linearMatches`); a target without a dot that selects maps of different kinds
 * (GPT-2's `c_proj`: attention output and MLP output) is rejected as ambiguous, though T5's `q`,
 * which selects self- and cross-attention q alike as in HF PEFT, is fine. Dotted targets are taken
 * as HF PEFT takes them. Returns the targets as given, without duplicates; label names the
 * hyperparameter in the error for an empty list.
 */
export function resolveTargets(a: Architecture, requested: readonly string[] | string | undefined, defaults: TargetDefaults, label: string): string[] {
  const list =
    requested === undefined
      ? defaultTargets(a, defaults)
      : typeof requested === 'string'
        ? requested
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : [...requested];
  if (list.length === 0) throw new RangeError(`${label} needs at least one module`);
  const linears = allLinears(a);
  for (const t of list) {
    const matched = linears.filter((l) => linearMatches(l, t));
    if (matched.length === 0) throw new RangeError(`${a.name} has no linear map matching "${t}" (it has ${linearPaths(a).join(', ')})`);
    if (!t.includes('.') && mixesKinds(matched)) {
      throw new RangeError(`"${t}" is ambiguous in ${a.name}: it matches ${linearPaths(a).filter((p) => matched.some((l) => l.path === p)).join(', ')}; use one of those paths`);
    }
  }
  return distinct(list);
}
