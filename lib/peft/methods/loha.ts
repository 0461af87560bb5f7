import type * as tfTypes from '@tensorflow/tfjs';
import { attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { appliedDelta, deltaWeights } from '../method-api/delta-weight';
import { lycorisExport, lycorisHyperparams, lycorisRefusal, lycorisSites } from '../method-api/lycoris';
import { patternValue, readPattern } from '../method-api/pattern';
import type { TensorGroup } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import { uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

/**
 * LoHa, the low-rank Hadamard product of FedPara (Hyeon-Woo et al., ICLR 2022), as the LyCORIS
 * library and HF PEFT apply it to fine-tuning: a frozen linear map W gains
 *
 *   ΔW = (W1a·W1b) ⊙ (W2a·W2b) · α/r,   W1a, W2a: out × r;  W1b, W2b: r × in,
 *
 * two rank-r products multiplied element by element, so rank ΔW ≤ r² for 2r(in + out) trained
 * numbers (LoRA's r(in + out) reach rank r). After training ΔW can be added into W.
 *
 * Follows HF PEFT at huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40
 * (src/peft/tuners/loha/config.py, layer.py, model.py; lycoris_utils.py):
 * - LoHaConfig defaults: r = 8, alpha = 8 (scale α/r per module, with rank_pattern/alpha_pattern),
 *   targets LoRA's table (q and v).
 * - Counting: a Linear gets hada_w1_a, hada_w2_a (out × r) and hada_w1_b, hada_w2_b (r × in). HF
 *   also wraps nn.Conv1d and nn.Conv2d (flattened kernels, or the CP form with hada_t1/t2 when
 *   use_effective_conv2d), which transformer blocks do not have; it refuses anything else,
 *   transformers' Conv1D (GPT-2) included, so that is refused here too.
 * - Init (init_weights = True): Kaiming-uniform (a = √5, so U(±1/√fan_in)) for hada_w1_a, hada_w1_b
 *   and hada_w2_a, zeros for hada_w2_b: ΔW = 0 at the start.
 * - The forward pass forms ΔW and adds x·ΔWᵀ (HF's `F.linear(x, delta_weight)`), as the toy does.
 * In our x·W layout (W is in × out) every factor is stored transposed.
 */
export const loha = defineMethod({
  id: 'loha',
  name: 'LoHa',
  hyperparams: lycorisHyperparams('Rank of each of the two products whose element-wise product is the update (up to rank r²).'),
  rankParam: 'r',
  // Every map of the toy, at 4e-2: the zero-initialised factor learns through the product with the
  // other one, so the update grows more slowly than LoRA's at LoRA's rate.
  toyLearningRate: 4e-2,
  toyConfig: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // FedPara is a federated-learning paper: it builds on no fine-tuning method of the taxonomy.
  lineage: [],
  anatomy: (arch, { r, targets }) => attachAll(targetParts(arch, targets), 'added', `Hadamard product of two rank-${r} products`),
  notApplicable: (arch, { targets }) => lycorisRefusal('LoHa', arch, targets),
  profile(arch, config) {
    const tensors: TensorGroup[] = [];
    let addedMatmul = 0;
    for (const s of lycorisSites(arch, config)) {
      // hada_w1_a, hada_w2_a [out, r]; hada_w1_b, hada_w2_b [r, in].
      tensors.push({ shape: [s.outFeatures, s.r], count: 2 * s.count }, { shape: [s.r, s.inFeatures], count: 2 * s.count });
      // HF multiplies each token by the formed ΔW (in × out), not by the factors.
      addedMatmul += s.count * s.inFeatures * s.outFeatures;
    }
    // ΔW's gradient needs x, which the frozen map keeps already. (HF also holds each formed ΔW until
    // the backward pass: in × out values per map and step, not per token; the memory model has no
    // term for it.)
    return { tensors, addedMatmul };
  },
  peft: (c, arch) => lycorisExport('LoHaConfig', 'LoHa', c, arch),
  apply(model, { r, alpha, targets, rankPattern, alphaPattern }, { seed = 0 } = {}) {
    const tf = model.tf;
    const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
    const rng = createRng(seed);
    const factors: tfTypes.Variable[] = [];
    const delta = deltaWeights(model, toyTargetSites(model, targets), (site) => {
      const rr = patternValue(ranks, site.path, r);
      const scale = patternValue(alphas, site.path, alpha) / rr;
      // Transposes of HF's factors; each bound is 1/√(fan_in of HF's tensor).
      const w1a = uniformVariable(tf, rng, [rr, site.outFeatures], 1 / Math.sqrt(rr));
      const w1b = uniformVariable(tf, rng, [site.inFeatures, rr], 1 / Math.sqrt(site.inFeatures));
      const w2a = uniformVariable(tf, rng, [rr, site.outFeatures], 1 / Math.sqrt(rr));
      const w2b = zerosVariable(tf, [site.inFeatures, rr]);
      factors.push(w1a, w1b, w2a, w2b);
      return {
        matrix: () => tf.mul(tf.mul(tf.matMul(w1b, w1a), tf.matMul(w2b, w2a)), scale) as tfTypes.Tensor2D,
      };
    });
    return appliedDelta(model, delta, factors);
  },
});
