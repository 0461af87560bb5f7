import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { BIAS_HYPERPARAM, biasAttachments, toyTrainedBiases, trainedBiases } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import { targetsOutside } from '../method-api/outside';
import { patternRecord, patternValue, readPattern } from '../method-api/pattern';
import { peftTargetModules } from '../method-api/peft-export';
import { type TensorGroup, embeddingWidth, groupsSize } from '../method-api/profile';
import { type ToySite, toyTargetSites } from '../method-api/toy-sites';
import type { PeftExport } from '../method-api/types';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { ToyModel } from '../model/transformer';
import type { AppliedMethod } from '../method-api/types';

/** LoRA's options beyond r, α and targets, shared with QLoRA (both are HF PEFT's LoraConfig). */
export const LORA_OPTIONS = [
  BIAS_HYPERPARAM,
  {
    key: 'rankPattern',
    label: 'Rank pattern',
    help: 'Other ranks for some targets (HF PEFT rank_pattern), as q_proj=16,v_proj=4: each key is a regular expression matched against the end of a module path, the first match wins; the rest use r.',
    kind: 'pattern',
    of: 'r',
    targets: 'targets',
    integer: true,
    min: 1,
    max: 1024,
    default: '',
  },
  {
    key: 'alphaPattern',
    label: 'Alpha pattern',
    help: 'Other α for some targets (HF PEFT alpha_pattern), written like the rank pattern; the rest use α.',
    kind: 'pattern',
    of: 'alpha',
    targets: 'targets',
    integer: false,
    min: 0.01,
    max: 4096,
    default: '',
  },
] as const;

/** The config LoRA's profile, apply and export read (QLoRA's is the same). */
export interface LoraLikeConfig {
  r: number;
  alpha: number;
  targets: readonly string[];
  bias: string;
  rankPattern: string;
  alphaPattern: string;
}

/**
 * What LoRA trains: for each targeted linear map (in × out), A (in × r) and B (r × out); on the
 * token embedding (HF PEFT's lora.Embedding), lora_embedding_A (r × vocab) and lora_embedding_B
 * (width × r); on the LM head, a Linear(width → vocab), so width·r + r·vocab. r is the rank
 * pattern's value for the module where a key matches. With tied embeddings HF PEFT warns and,
 * unless `ensure_weight_tying=True`, gives the embedding and the head separate adapters, both
 * trained: counted so here. Biases per `bias`.
 */
export function loraProfile(arch: Architecture, { r, targets, bias, rankPattern }: LoraLikeConfig) {
  const ranks = readPattern(rankPattern);
  const rankOf = (name: string) => patternValue(ranks, name, r);
  const tensors: TensorGroup[] = [];
  let addedMatmul = 0;
  for (const s of arch.stacks) {
    for (const l of matchingLinears(s, targets)) {
      const rr = rankOf(l.path);
      tensors.push({ shape: [l.inFeatures, rr], count: s.layers }, { shape: [rr, l.outFeatures], count: s.layers });
      addedMatmul += s.layers * rr * (l.inFeatures + l.outFeatures);
    }
  }
  const names = arch.moduleNames;
  const width = embeddingWidth(arch);
  if (names && targetsOutside(arch, targets, 'embedding')) {
    const rr = rankOf(names.embedding);
    tensors.push({ shape: [rr, arch.vocabSize], count: 1 }, { shape: [width, rr], count: 1 });
    // A is looked up, not multiplied; B multiplies the r values of every token.
    addedMatmul += width * rr;
  }
  if (names && targetsOutside(arch, targets, 'lmHead')) {
    const rr = rankOf(names.lmHead);
    tensors.push({ shape: [width, rr], count: 1 }, { shape: [rr, arch.vocabSize], count: 1 });
    addedMatmul += rr * (width + arch.vocabSize);
  }
  const biases = trainedBiases(arch, bias, targets);
  return {
    tensors: [...tensors, ...biases],
    trainableInBase: groupsSize(biases),
    addedMatmul,
    // x·A (r values per token) is kept for the gradient of B; x itself is already kept by the
    // frozen map it feeds. (The embedding's and the head's r values per token are outside the
    // layers and left out.)
    extraActivationValues: (stack: Architecture['stacks'][number]) => matchingLinears(stack, targets).reduce((n, l) => n + rankOf(l.path), 0),
  };
}

/** HF PEFT's LoraConfig for the same settings (QLoRA adds its BitsAndBytesConfig). */
export function loraExport(c: LoraLikeConfig, arch: Architecture): PeftExport {
  const tiedTarget = arch.tiedEmbeddings && (targetsOutside(arch, c.targets, 'lmHead') || targetsOutside(arch, c.targets, 'embedding'));
  return {
    configClass: 'LoraConfig',
    args: {
      r: c.r,
      lora_alpha: c.alpha,
      target_modules: peftTargetModules(arch, c.targets),
      bias: c.bias,
      rank_pattern: c.rankPattern ? patternRecord(c.rankPattern) : undefined,
      alpha_pattern: c.alphaPattern ? patternRecord(c.alphaPattern) : undefined,
    },
    ...(tiedTarget
      ? { note: `${arch.name} ties its LM head to the token embedding: HF PEFT warns, and unless ensure_weight_tying=True it gives the embedding and the head separate adapters, as counted here.` }
      : {}),
  };
}

/**
 * LoRA (Hu et al., 2022): a frozen linear map W gains a trainable low-rank update,
 * h = xW + (α/r)·xAB, with A (in × r) and B (r × out). B starts at zero, so training starts from
 * the pretrained function; after training, AB can be added into W and costs nothing at inference.
 * Initialisation follows HF PEFT: A uniform in ±1/√in, B zero.
 */
export const lora = defineMethod({
  id: 'lora',
  name: 'LoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the update AB.', kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r.', kind: 'number', min: 0.01, max: 4096, default: 16 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model.',
      kind: 'modules',
      // HF PEFT's defaults: q and v, or the fused qkv map (GPT-2's c_attn, BLOOM's query_key_value).
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      outside: ['embedding', 'lmHead'],
    },
    ...LORA_OPTIONS,
  ],
  rankParam: 'r',
  toyLearningRate: 1e-2,
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // LoRA §1: it takes from Aghajanyan et al. that fine-tuning has a low intrinsic dimension and
  // hypothesises that the weight change has a low "intrinsic rank".
  lineage: [{ id: 'intrinsic-said', how: 'takes the low intrinsic dimension of fine-tuning as the reason a low-rank update suffices', where: '§1' }],
  anatomy: loraAnatomy,
  profile: loraProfile,
  peft: loraExport,
  apply: applyLora,
});

export function loraAnatomy(arch: Architecture, { r, targets, bias, rankPattern }: LoraLikeConfig): Attachment[] {
  return [...attachAll(targetParts(arch, targets), 'added', rankPattern ? 'low-rank update BA' : `rank-${r} update BA`), ...biasAttachments(arch, bias, targets)];
}

/** How a LoRA-shaped method differs from LoRA on the toy (PiSSA's start, LoRA-FA's frozen A). */
export interface LoraFactorOptions {
  seed?: number;
  /** A [in, r] and B [r, out] for a site at its rank and scale; HF PEFT's default otherwise: A
   * uniform in ±1/√in, B zero. Runs once per site, in target order. */
  init?(site: ToySite, rank: number, scale: number): { a: tfTypes.Variable; b: tfTypes.Variable };
  /** Leave every A out of `trainable`: it keeps its start (LoRA-FA). */
  freezeA?: boolean;
}

/** LoRA on the toy: per-module rank and α from the patterns (HF PEFT's scaling α/r per module). */
export function applyLora(model: ToyModel, { r, alpha, targets, bias, rankPattern, alphaPattern }: LoraLikeConfig, { seed = 0, init, freezeA = false }: LoraFactorOptions = {}): AppliedMethod {
  const tf = model.tf;
  const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
  const rng = createRng(seed);
  const [as, bs]: [tfTypes.Variable[], tfTypes.Variable[]] = [[], []];
  const biases = toyTrainedBiases(model, bias, targets);
  const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
    const rr = patternValue(ranks, site.path, r);
    const scale = patternValue(alphas, site.path, alpha) / rr;
    const { a, b } = init?.(site, rr, scale) ?? { a: uniformVariable(tf, rng, [site.inFeatures, rr], 1 / Math.sqrt(site.inFeatures)), b: zerosVariable(tf, [rr, site.outFeatures]) };
    as.push(a);
    bs.push(b);
    return {
      matrix: () => tf.mul(tf.matMul(a, b), scale),
      forward: (x) => tf.mul(tf.matMul(tf.matMul(x, a), b), scale),
    };
  });
  // A frozen A is a variable only so that it lives across steps: outside `trainable`, the trainer
  // takes no gradient for it and never moves it.
  const factors = as.flatMap((a, i) => (freezeA ? [bs[i] as tfTypes.Variable] : [a, bs[i] as tfTypes.Variable]));
  return {
    trainable: [...factors, ...biases],
    hooks: delta.hooks,
    merge: delta.merge,
    unmerge: delta.unmerge,
    dispose: () => {
      delta.dispose();
      disposeAll([...as, ...bs]);
    },
  };
}
