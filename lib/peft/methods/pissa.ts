import { type Architecture, matchingLinears } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { biasAttachments } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import { randomizedSvd, svd } from '../method-api/linalg';
import { targetsOutside } from '../method-api/outside';
import { patternValue, readPattern } from '../method-api/pattern';
import { groupsSize } from '../method-api/profile';
import { toyTargetSites, type ToySite } from '../method-api/toy-sites';
import type { AppliedMethod, PeftExport } from '../method-api/types';
import type { ToyModel } from '../model/transformer';
import { LORA_OPTIONS, type LoraLikeConfig, applyLora, loraExport, loraProfile } from './lora';

/**
 * PiSSA (Meng, Wang and Zhang, NeurIPS 2024, arXiv 2404.02948): LoRA's architecture, h = xW + s·xAB
 * with s = α/r, but A and B start from the top-r singular triplets of W and W itself is replaced by
 * the residual W − s·A₀B₀, so the model computes exactly what it did before training while the
 * trained factors sit on W's principal directions instead of LoRA's "noise and zero".
 *
 * Follows HF PEFT's `init_lora_weights="pissa"` (src/peft/tuners/lora/layer.py, `pissa_init`, at
 * commit 5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40): the singular values are divided by the scaling
 * first, so that A = U_r·diag(√(S_r/s)) and B = diag(√(S_r/s))·V_rᵀ in our [in, out] layout
 * (HF's lora_A = diag(√(S_r/s))·Uhr, lora_B = V_r·diag(√(S_r/s)) for its [out, in] weight), and
 * s·AB is the rank-r truncated SVD of W whatever α is. `"pissa_niter_[n]"` (HF's fast variant)
 * replaces the SVD by torch.svd_lowrank(W, q=r, niter=n): `randomizedSvd` here. As HF does, the
 * residual is computed as W − s·AB from the factors actually stored, so W_res + s·AB = W holds
 * to rounding even when a randomised SVD is inexact.
 *
 * The count is LoRA's (same A and B); HF PEFT's counting and default targets are LoraConfig's.
 * Only linear maps get PiSSA: HF's Embedding layer has no pissa_init (it falls back to LoRA's
 * zero/normal start), so the token embedding is not offered; the LM head, a Linear, is.
 */

/** The config PiSSA reads: LoRA's, plus how the SVD is computed. */
export interface PissaConfig extends LoraLikeConfig {
  svd: string;
  niter: number;
}

/** HF PEFT's `init_lora_weights` string for the config: 'pissa' or 'pissa_niter_[n]'. */
export function initLoraWeights({ svd: kind, niter }: Pick<PissaConfig, 'svd' | 'niter'>): string {
  return kind === 'fast' ? `pissa_niter_${niter}` : 'pissa';
}

/** Scalars of the plain LoRA of rank 2r that HF PEFT's conversion (below) saves: twice the A and B
 * tensors (biases, which its conversion does not carry over, left out). */
export function convertedLoraParams(arch: Architecture, config: PissaConfig): number {
  return 2 * groupsSize(loraProfile(arch, { ...config, bias: 'none' }).tensors);
}

/** HF PEFT's LoraConfig with `init_lora_weights` set, and what sharing the result involves. */
export function pissaExport(c: PissaConfig, arch: Architecture): PeftExport {
  const lora = loraExport(c, arch);
  const converted = convertedLoraParams(arch, c);
  const conversion =
    'PiSSA writes the residual W − BA into the base weights, so the saved adapter only works on that residual model. ' +
    'To share it for the original base, save it with path_initial_model_for_weight_conversion (the untrained adapter saved first): ' +
    `HF PEFT then stores ΔW = AB − A₀B₀ as a plain LoRA of rank 2r and alpha 2α, ${converted.toLocaleString('en-US')} parameters.`;
  const tied = arch.tiedEmbeddings && targetsOutside(arch, c.targets, 'lmHead') ? ` ${arch.name} ties its LM head to the token embedding, so the residual written into the head also replaces the input embedding.` : '';
  return {
    ...lora,
    args: { ...lora.args, init_lora_weights: initLoraWeights(c) },
    note: conversion + tied,
  };
}

/** Where r exceeds the rank a targeted map can have, the sentence saying so (the SVD has only
 * min(in, out) triplets to give). */
export function pissaRankProblem(arch: Architecture, { r, targets, rankPattern }: PissaConfig): string | null {
  const ranks = readPattern(rankPattern);
  for (const s of arch.stacks) {
    for (const l of matchingLinears(s, targets)) {
      const rr = patternValue(ranks, l.path, r);
      const most = Math.min(l.inFeatures, l.outFeatures);
      if (rr > most) return `PiSSA's rank ${rr} exceeds the ${most} singular values of ${l.path} (${l.inFeatures} × ${l.outFeatures}).`;
    }
  }
  return null;
}

function pissaAnatomy(arch: Architecture, { r, targets, bias, rankPattern }: PissaConfig): Attachment[] {
  const parts = targetParts(arch, targets);
  return [
    ...attachAll(parts, 'added', rankPattern ? 'principal low-rank update BA' : `rank-${r} principal update BA`),
    ...attachAll(parts, 'changed', 'W replaced by its residual W − BA'),
    ...biasAttachments(arch, bias, targets),
  ];
}

/** The initial factors of one map: the top-r triplets of W, scaled as HF PEFT's pissa_init. */
function principalFactors(w: Float32Array, site: ToySite, rank: number, scale: number, config: PissaConfig, seed: number) {
  const { inFeatures: rows, outFeatures: cols } = site;
  const { u, s, v } = config.svd === 'fast' ? randomizedSvd(w, rows, cols, rank, { niter: config.niter, seed }) : svd(w, rows, cols);
  const a = new Float32Array(rows * rank);
  const b = new Float32Array(rank * cols);
  for (let c = 0; c < rank; c++) {
    const root = Math.sqrt(s[c]! / scale);
    for (let i = 0; i < rows; i++) a[i * rank + c] = u[c]![i]! * root;
    for (let j = 0; j < cols; j++) b[c * cols + j] = root * v[c]![j]!;
  }
  // W_res = W − s·AB from the float32 factors the model will use, summed in float64.
  const residual = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let ab = 0;
      for (let c = 0; c < rank; c++) ab += a[i * rank + c]! * b[c * cols + j]!;
      residual[i * cols + j] = w[i * cols + j]! - scale * ab;
    }
  }
  return { a, b, residual };
}

/**
 * PiSSA on the toy: the SVD of each targeted W runs once, here, on CPU arrays; A and B become
 * variables and the residual is assigned into the model's weight. `dispose` writes the original
 * weights back, so the model is as it was once the method is removed; merge/unmerge move between
 * W_res + s·AB and W_res, as LoRA's do.
 */
export function applyPissa(model: ToyModel, config: PissaConfig, { seed = 0 }: { seed?: number } = {}): AppliedMethod {
  const tf = model.tf;
  const problem = pissaRankProblem(model.arch, config);
  if (problem) throw new RangeError(problem);
  const sites = toyTargetSites(model, config.targets);
  const original = weightBackup(
    model,
    sites.map((s) => s.weightName),
  );
  original.take();
  let drawn = 0;
  const applied = applyLora(model, config, {
    seed,
    init: (site, rank, scale) => {
      const w = model.weight(site.weightName);
      const start = principalFactors(w.dataSync() as Float32Array, site, rank, scale, config, seed + 2 * drawn++);
      // Inside tidy: tf.variable keeps its own copy, and the tensors it is made from would leak.
      const a = tf.tidy(() => tf.variable(tf.tensor2d(start.a, [site.inFeatures, rank]), true));
      const b = tf.tidy(() => tf.variable(tf.tensor2d(start.b, [rank, site.outFeatures]), true));
      tf.tidy(() => w.assign(tf.tensor2d(start.residual, [site.inFeatures, site.outFeatures])));
      return { a, b };
    },
  });
  return {
    ...applied,
    dispose: () => {
      applied.dispose();
      original.restore();
    },
  };
}

export const pissa = defineMethod({
  id: 'pissa',
  name: 'PiSSA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'How many principal singular directions of W are trained.', kind: 'int', min: 1, max: 1024, default: 8 },
    // HF LoraConfig's default lora_alpha = 8; the authors' README sets α = r to keep the scaling at 1.
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r; the initial factors are divided by √(α/r), so the start is the same for any α.', kind: 'number', min: 0.01, max: 4096, default: 8 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps whose principal directions are trained, by their paths or names in the model.',
      kind: 'modules',
      // LoraConfig's defaults, as LoRA's: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      outside: ['lmHead'],
    },
    {
      key: 'svd',
      label: 'SVD',
      help: "How the singular vectors are found: the full SVD (HF PEFT init_lora_weights='pissa') or a randomised SVD with a few subspace iterations ('pissa_niter_[n]'), much faster on large weights.",
      kind: 'choice',
      options: [
        { value: 'full', label: 'Full SVD' },
        { value: 'fast', label: 'Randomised SVD' },
      ],
      default: 'full',
    },
    { key: 'niter', label: 'Subspace iterations', help: "The randomised SVD's iterations (the n of 'pissa_niter_[n]'); used only with the randomised SVD.", kind: 'int', min: 0, max: 64, default: 4 },
    ...LORA_OPTIONS,
  ],
  toyLearningRate: 5e-3,
  rankParam: 'r',
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    modifiesBaseWeights: true,
    atInference: 'The frozen base it serves with is the residual W − s·AB, not the original model: merged, the result has the base’s size; to serve the adapter on the original weights, HF PEFT converts it to a LoRA of rank 2r (twice the saved count).',
  },
  lineage: [
    { id: 'lora', how: "keeps LoRA's architecture but starts A and B from W's principal singular components and freezes the residual", where: 'abstract' },
    { id: 'intrinsic-said', how: 'takes the low intrinsic dimension of pretrained models as its motivation', where: 'abstract (arXiv v2)' },
  ],
  anatomy: pissaAnatomy,
  profile: loraProfile,
  notApplicable: pissaRankProblem,
  peft: pissaExport,
  apply: applyPissa,
});
