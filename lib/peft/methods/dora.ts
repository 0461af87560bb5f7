import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { biasAttachments, toyTrainedBiases } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { weightBackup } from '../method-api/delta-weight';
import { targetsOutside } from '../method-api/outside';
import { patternValue, readPattern } from '../method-api/pattern';
import { type MethodProfile, type TensorGroup, embeddingWidth } from '../method-api/profile';
import { stopGradient } from '../method-api/stop-gradient';
import { siteKey, toyTargetSites } from '../method-api/toy-sites';
import type { AppliedMethod, PeftExport } from '../method-api/types';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF, ToyModel } from '../model/transformer';
import { LORA_OPTIONS, type LoraLikeConfig, loraExport, loraProfile } from './lora';

/*
 * DoRA (Liu et al., 2024, arXiv 2402.09353, Eq. 5): each targeted weight is split into a magnitude
 * and a direction, W = m · W/‖W‖, and only the direction gets LoRA's low-rank update:
 *
 *   W' = m · (W + s·AB) / ‖W + s·AB‖,   s = α/r,
 *
 * with one norm and one magnitude per output feature. The paper writes ‖·‖_c, "the vector-wise
 * norm across each column" of W ∈ R^{d×k}; the authors' code (NVlabs/DoRA, commit 7e2f10a,
 * commonsense_reasoning/peft/src/peft/tuners/dora.py) and HF PEFT both take
 * `torch.linalg.norm(weight, dim=1)` of PyTorch's [out, in] weight: the norm of every output
 * feature's weights over the inputs. In our [in, out] layout that is the norm of each column.
 *
 * Followed here: HF PEFT at commit 5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40,
 * src/peft/tuners/lora/dora.py (DoraLinearLayer, DoraEmbeddingLayer) and
 * src/peft/tuners/lora/variants.py (DoraLinearVariant, DoraEmbeddingVariant), LoraConfig(use_dora=True):
 * - m starts at ‖W + s·AB‖ with B = 0, i.e. at ‖W‖, so training starts from the pretrained function;
 *   A and B are initialised as LoRA's (A uniform in ±1/√in, B zero);
 * - the norm is detached from the gradient (the paper's §4.3: it saves the memory of its gradient
 *   graph; HF's `weight_norm.detach()`): it follows AB's values but passes no gradient to A or B;
 * - forward: HF adds (c − 1)·xW + c·s·xAB to the base output, c = m/‖W + s·AB‖ per output feature,
 *   with xW the base output less its bias; we compute exactly that, so the bias is not rescaled;
 * - merge: W ← c·(W + s·AB); nothing remains at inference.
 * Counting: LoRA's tensors plus one magnitude vector per wrapped module, `lora_magnitude_vector`:
 * out_features values on a Linear (the LM head included: the vocabulary size); on the token
 * embedding (DoraEmbeddingLayer, fan_in_fan_out=True) the norm runs over the vocabulary, so one
 * value per embedding dimension.
 */

/** The magnitude vectors DoRA adds on the modules `targets` wrap: one value per output feature. */
export function doraMagnitudes(arch: Architecture, targets: readonly string[]): TensorGroup[] {
  const groups: TensorGroup[] = [];
  for (const s of arch.stacks) for (const l of matchingLinears(s, targets)) groups.push({ shape: [l.outFeatures], count: s.layers });
  if (arch.moduleNames && targetsOutside(arch, targets, 'embedding')) groups.push({ shape: [embeddingWidth(arch)], count: 1 });
  if (arch.moduleNames && targetsOutside(arch, targets, 'lmHead')) groups.push({ shape: [arch.vocabSize], count: 1 });
  return groups;
}

export function doraProfile(arch: Architecture, config: LoraLikeConfig): MethodProfile {
  const lora = loraProfile(arch, config);
  return {
    ...lora,
    tensors: [...lora.tensors, ...doraMagnitudes(arch, config.targets)],
    // Besides LoRA's x·A: the gradient of m needs, per token and targeted map, both terms that c
    // multiplies, xW and s·xAB (out values each), which LoRA's backward does not keep. Our reading
    // of PyTorch's autograd on HF's forward; the detached norm keeps nothing per token.
    extraActivationValues: (stack) =>
      lora.extraActivationValues(stack) + matchingLinears(stack, config.targets).reduce((n, l) => n + 2 * l.outFeatures, 0),
  };
}

/** LoraConfig(use_dora=True) with LoRA's other arguments. */
export function doraExport(config: LoraLikeConfig, arch: Architecture): PeftExport {
  const lora = loraExport(config, arch);
  return { ...lora, args: { ...lora.args, use_dora: true } };
}

export function doraAnatomy(arch: Architecture, { r, targets, bias, rankPattern }: LoraLikeConfig): Attachment[] {
  const update = rankPattern ? 'low-rank update BA' : `rank-${r} update BA`;
  return [...attachAll(targetParts(arch, targets), 'added', `magnitude m and a ${update} of the direction`), ...biasAttachments(arch, bias, targets)];
}

export const dora = defineMethod({
  id: 'dora',
  name: 'DoRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the direction update AB.', kind: 'int', min: 1, max: 1024, default: 8 },
    // HF PEFT's LoraConfig default (lora_alpha = 8).
    { key: 'alpha', label: 'Alpha α', help: 'The direction update is scaled by α/r.', kind: 'number', min: 0.01, max: 4096, default: 8 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get a magnitude vector and a low-rank direction update, by their paths or names in the model (on real models also the embedding or the LM head).',
      kind: 'modules',
      // LoraConfig's defaults, as LoRA: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      outside: ['embedding', 'lmHead'],
    },
    ...LORA_OPTIONS,
  ],
  // LoRA's toy settings (r = 8, α = 16, learning rate 5e-3), so the two compare directly.
  toyConfig: { alpha: 16 },
  toyLearningRate: 5e-3,
  rankParam: 'r',
  traits: {
    backpropThroughBackbone: true,
    inference: 'mergeable',
    // HF PEFT's DoraLinearLayer.forward (src/peft/tuners/lora/dora.py at 5d602fd) forms B·A and the norm every call.
    atInference: 'Unmerged, every forward pass also forms s·AB and the norm of W + s·AB for each targeted map, as HF PEFT’s DoRA layer does, so it costs more than unmerged LoRA; merged, the magnitude and direction are one weight again.',
  },
  lineage: [{ id: 'lora', how: 'splits the weight into magnitude and direction, and updates the direction with LoRA', where: 'abstract' }],
  anatomy: doraAnatomy,
  profile: doraProfile,
  peft: doraExport,
  apply: applyDora,
});

/** The norm of every output feature's weights: columns of an [in, out] matrix. */
export function columnNorms(tf: TF, w: tfTypes.Tensor2D): tfTypes.Tensor1D {
  return tf.sqrt(tf.sum(tf.square(w), 0)) as tfTypes.Tensor1D;
}

/** DoRA on the toy's linear maps (the toy has no named embedding or head to target). */
export function applyDora(model: ToyModel, { r, alpha, targets, bias, rankPattern, alphaPattern }: LoraLikeConfig, { seed = 0 }: { seed?: number } = {}): AppliedMethod {
  const tf = model.tf;
  const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
  const rng = createRng(seed);
  const sites = toyTargetSites(model, targets);
  const weightOf = (name: string) => model.weight(name) as tfTypes.Variable<tfTypes.Rank.R2>;
  const parts = new Map(
    sites.map((site) => {
      const rr = patternValue(ranks, site.path, r);
      const a = uniformVariable(tf, rng, [site.inFeatures, rr], 1 / Math.sqrt(site.inFeatures));
      const b = zerosVariable(tf, [rr, site.outFeatures]);
      const m = tf.tidy(() => tf.variable(columnNorms(tf, weightOf(site.weightName)), true));
      const scale = patternValue(alphas, site.path, alpha) / rr;
      return [site.key, { site, a, b, m, scale }] as const;
    }),
  );
  const created = [...parts.values()].flatMap(({ a, b, m }) => [a, b, m]);
  // c = m / ‖W + s·AB‖ for the current A, B, with the norm held constant for the gradient.
  const factor = ({ site, a, b, m, scale }: NonNullable<ReturnType<typeof parts.get>>) => {
    const direction = tf.add(weightOf(site.weightName), tf.mul(tf.matMul(a, b), scale));
    return tf.div(m, stopGradient(tf, columnNorms(tf, direction as tfTypes.Tensor2D)));
  };
  const backup = weightBackup(
    model,
    sites.map((s) => s.weightName),
  );
  return {
    trainable: [...created, ...toyTrainedBiases(model, bias, targets)],
    hooks: {
      linear(site, x, base) {
        const part = parts.get(siteKey(site.layer, site.name));
        if (!part || backup.taken) return base;
        const c = factor(part);
        const xw = tf.sub(base, model.weight(`h.${site.layer}.${site.name}.bias`));
        const update = tf.mul(tf.matMul(tf.matMul(x, part.a), part.b), part.scale);
        // HF's DoRA output: base + (c − 1)·xW + c·s·xAB = bias + c·(xW + s·xAB).
        return tf.add(base, tf.add(tf.mul(tf.sub(c, 1), xw), tf.mul(c, update)));
      },
    },
    // W ← c·(W + s·AB), written directly; the saved W comes back bit for bit on unmerge.
    merge() {
      if (backup.taken) return;
      backup.take();
      for (const part of parts.values()) {
        const w = weightOf(part.site.weightName);
        tf.tidy(() => w.assign(tf.mul(tf.add(w, tf.mul(tf.matMul(part.a, part.b), part.scale)), factor(part))));
      }
    },
    unmerge: () => backup.restore(),
    dispose: () => {
      backup.dispose();
      disposeAll(created);
    },
  };
}
