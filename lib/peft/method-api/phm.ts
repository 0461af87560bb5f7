import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, totalLayers } from '../arch';
import type { Sublayer } from '../model/hooks';
import { disposeAll, normalVariable, uniformVariable, zerosVariable } from '../model/params';
import { createRng, type Rng } from '../model/random';
import type { TF, ToyModel } from '../model/transformer';
import type { MethodProfile, TensorGroup } from './profile';
import type { AppliedMethod } from './types';

/**
 * Parameterized hypercomplex multiplication (PHM) layers (Zhang et al., ICLR 2021, arXiv
 * 2102.08597) as the adapters of PHM Adapter and Compacter use them (Karimi Mahabadi, Henderson and
 * Ruder, NeurIPS 2021, arXiv 2106.04647, §3). A PHM layer is a linear map y = x·W + b whose
 * in × out weight is a sum of n Kronecker products,
 *
 *   W = Σᵢ Aᵢ ⊗ Bᵢ,   Aᵢ: n × n (the "rule"),   Bᵢ: (in/n) × (out/n),
 *
 * so it holds n³ + in·out/n scalars instead of in·out. Compacter shares one rule {Aᵢ} between
 * every PHM layer of the model and writes each Bᵢ as a rank-r product sᵢ·tᵢ (rank one in the
 * paper), which brings an adapter down to 2r(d + m) weights plus biases.
 *
 * Layout, counts and defaults follow the adapters library (adapter-hub/adapters at commit
 * 88f18eb, `src/adapters/methods/modeling.py`: `PHMLayer`, `init_shared_parameters`; its
 * `BnConfig` phm_* options) and the authors' code it was adapted from (rabeehk/compacter at
 * e123daa, `seq2seq/hypercomplex/layers.py`), which agree: the rule is `phm_rule` [n, n, n], the
 * blocks `W` [n, in/n, out/n] (or `W_left` [n, in/n, r] and `W_right` [n, r, out/n] with
 * `factorized_phm_W`), a bias of `out` (`phm_bias`, on by default), and
 * H = kronecker_product(phm_rule, W).sum(0), y = x @ H + b: our row-vector x·W layout. With
 * `shared_phm_rule` one `phm_rule` lives in the model's `shared_parameters` for the adapter,
 * used by every PHM layer (down and up projections, every layer, encoder and decoder alike), and
 * counted once. Both codes assert that n divides in and out.
 *
 * Helpers that build tensors follow linalg.ts's rules: the tfjs namespace comes first, no gather,
 * no addN, nothing above 4-D, and they are called inside a tidy (or a gradient function).
 */

/**
 * W = Σᵢ Aᵢ ⊗ Bᵢ for rules A [n, p, q] and blocks B [n, a, b] → [p·a, q·b], with
 * (Aᵢ ⊗ Bᵢ)[x·a + k, y·b + l] = Aᵢ[x, y]·Bᵢ[k, l]. The sum over i is one matMul,
 * P[(x, y), (k, l)] = Σᵢ Aᵢ[x, y]·Bᵢ[k, l], and a 4-D transpose puts the indices in Kronecker
 * order: [p, q, a, b] → [p, a, q, b]. Differentiable in both factors.
 */
export function phmWeight(tf: TF, rule: tfTypes.Tensor3D, blocks: tfTypes.Tensor3D): tfTypes.Tensor2D {
  const [n, p, q] = rule.shape;
  const [n2, a, b] = blocks.shape;
  if (n !== n2) throw new RangeError(`phmWeight: ${n} rules but ${n2} blocks`);
  const sum = tf.matMul(tf.reshape(rule, [n, p * q]), tf.reshape(blocks, [n, a * b]), true, false); // [p·q, a·b]
  return tf.reshape(tf.transpose(tf.reshape(sum, [p, q, a, b]), [0, 2, 1, 3]), [p * a, q * b]);
}

/**
 * The adapter's bottleneck width: ⌊hidden / reduction⌋ (at least 1), as the adapters library
 * computes `down_sample`, then rounded up to a multiple of n. The libraries refuse a width n does
 * not divide; rounding up is our choice so that a setting meant for a large model still runs on
 * the toy. It never acts on the reference models' defaults (hidden/32 is a multiple of 4 there).
 */
export function phmBottleneck(hidden: number, reductionFactor: number, n: number): number {
  const m = Math.max(1, Math.floor(hidden / reductionFactor));
  return Math.ceil(m / n) * n;
}

/** Why PHM layers of dimension n cannot be built on `arch`, or null: n must divide the hidden size. */
export function phmProblem(arch: Architecture, n: number): string | null {
  return arch.hiddenSize % n === 0
    ? null
    : `PHM layers split both widths into n blocks, and ${arch.name}'s hidden size ${arch.hiddenSize} is not a multiple of n = ${n}.`;
}

/** How an adapter's two PHM layers are built. */
export interface PhmAdapterConfig {
  /** The PHM dimension n: n Kronecker products, each rule Aᵢ n × n. */
  n: number;
  reductionFactor: number;
  /** Rank r of each Bᵢ = sᵢ·tᵢ (Compacter's `factorized_phm_W`), or null for full Bᵢ. */
  rank: number | null;
  /** One rule shared by every PHM layer of the model (`shared_phm_rule`), else one per layer. */
  sharedRule: boolean;
  /** The sublayers of every block whose output gets an adapter. */
  sites: readonly Sublayer[];
}

/** The trained tensors of `count` PHM layers in → out (a shared rule is counted by the caller). */
function layerTensors(inFeatures: number, outFeatures: number, count: number, { n, rank, sharedRule }: PhmAdapterConfig): TensorGroup[] {
  const [a, b] = [inFeatures / n, outFeatures / n];
  return [
    ...(sharedRule ? [] : [{ shape: [n, n, n], count }]),
    ...(rank === null ? [{ shape: [n, a, b], count }] : [{ shape: [n, a, rank], count }, { shape: [n, rank, b], count }]),
    { shape: [outFeatures], count },
  ];
}

/**
 * The profile of sequential PHM adapters after `sites` in every layer of every stack (T5: encoder
 * and decoder, none after cross-attention, as the adapters library's Houlsby placement): per
 * adapter a down PHM layer d → m and an up PHM layer m → d, each with its bias; a shared rule once.
 */
export function phmAdapterProfile(arch: Architecture, config: PhmAdapterConfig): MethodProfile {
  if (phmProblem(arch, config.n)) return { tensors: [] }; // notApplicable says why
  const d = arch.hiddenSize;
  const m = phmBottleneck(d, config.reductionFactor, config.n);
  const count = totalLayers(arch) * config.sites.length;
  return {
    tensors: [
      ...(config.sharedRule ? [{ shape: [config.n, config.n, config.n], count: 1 }] : []),
      ...layerTensors(d, m, count, config),
      ...layerTensors(m, d, count, config),
    ],
    // Per token, x·H for both PHM layers; forming H = Σ Aᵢ ⊗ Bᵢ is once per step, not per token.
    addedMatmul: count * 2 * d * m,
    // Per adapter: its input (the sublayer output, d values), the bottleneck before and after GELU
    // (m each), as for a plain adapter.
    extraActivationValues: () => config.sites.length * (d + 2 * m),
  };
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU in its tanh form: the toy's own, and the authors' `gelu_new` (the adapters library's
 * Compacter configs name "gelu", HF's exact erf form). */
export function gelu(tf: TF, x: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** One PHM layer on the toy: its own variables (the rule only when it is not shared). */
interface PhmLayerVars {
  rule: tfTypes.Variable<tfTypes.Rank.R3>;
  blocks?: tfTypes.Variable<tfTypes.Rank.R3>;
  left?: tfTypes.Variable<tfTypes.Rank.R3>;
  right?: tfTypes.Variable<tfTypes.Rank.R3>;
  bias: tfTypes.Variable<tfTypes.Rank.R1>;
}

/** Glorot-uniform with gain √2 on each 2-D slice [rows, cols] of an [n, rows, cols] tensor, as the
 * authors' `glorot_uniform` (xavier_uniform_, gain √2) draws each Bᵢ (or sᵢ, tᵢ): bound √2·√(6/(rows + cols)). */
function glorotSlices(tf: TF, rng: Rng, shape: [number, number, number]): tfTypes.Variable<tfTypes.Rank.R3> {
  return uniformVariable(tf, rng, shape, Math.sqrt(2) * Math.sqrt(6 / (shape[1] + shape[2]))) as tfTypes.Variable<tfTypes.Rank.R3>;
}

/** The weight H = Σᵢ Aᵢ ⊗ Bᵢ of one PHM layer, with Bᵢ = sᵢ·tᵢ when factorized (a batched matMul). */
export function phmLayerWeight(tf: TF, layer: Pick<PhmLayerVars, 'rule' | 'blocks' | 'left' | 'right'>): tfTypes.Tensor2D {
  const blocks = layer.blocks ?? (tf.matMul(layer.left!, layer.right!) as tfTypes.Tensor3D);
  return phmWeight(tf, layer.rule, blocks);
}

/** The variables of an applied PHM adapter set, for tests: the rule(s), and each adapter's layers by `layer.site`. */
export interface PhmAdapterParts {
  /** The shared rule, when there is one. */
  sharedRule: tfTypes.Variable | null;
  adapters: ReadonlyMap<string, { down: PhmLayerVars; up: PhmLayerVars }>;
}

/**
 * PHM adapters on the toy: after each chosen sublayer's output and before the residual add,
 * h ← h + GELU(h·H_down + b_down)·H_up + b_up, with each H = Σᵢ Aᵢ ⊗ Bᵢ formed from its factors in
 * every forward pass (as the reference codes do). Initialisation follows the authors' configs
 * (rabeehk/compacter at e123daa: `compacter.json`, `phm_adapters.json`, with
 * `hypercomplex_nonlinearity: glorot-uniform`, `phm_c_init: normal`, `phm_init_range: 1e-4`):
 * the blocks (or sᵢ and tᵢ) glorot-uniform with gain √2, a shared rule normal with std 1e-4
 * (modeling_t5.py), a per-layer rule normal with std 0.01 (`PHMLinear.reset_parameters`), biases 0.
 */
export function applyPhmAdapters(model: ToyModel, config: PhmAdapterConfig, seed: number): AppliedMethod & { parts: PhmAdapterParts } {
  const problem = phmProblem(model.arch, config.n);
  if (problem) throw new RangeError(problem);
  const tf = model.tf;
  const { n, rank } = config;
  const d = model.dims.hiddenSize;
  const m = phmBottleneck(d, config.reductionFactor, n);
  const rng = createRng(seed);
  const all: tfTypes.Variable[] = [];
  const track = <V extends tfTypes.Variable>(v: V): V => {
    all.push(v);
    return v;
  };
  const sharedRule = config.sharedRule ? track(normalVariable(tf, rng, [n, n, n], 1e-4) as tfTypes.Variable<tfTypes.Rank.R3>) : null;
  const phmLayer = (inFeatures: number, outFeatures: number): PhmLayerVars => {
    const [a, b] = [inFeatures / n, outFeatures / n];
    const rule = sharedRule ?? track(normalVariable(tf, rng, [n, n, n], 0.01) as tfTypes.Variable<tfTypes.Rank.R3>);
    const factors = rank === null ? { blocks: track(glorotSlices(tf, rng, [n, a, b])) } : { left: track(glorotSlices(tf, rng, [n, a, rank])), right: track(glorotSlices(tf, rng, [n, rank, b])) };
    return { rule, ...factors, bias: track(zerosVariable(tf, [outFeatures]) as tfTypes.Variable<tfTypes.Rank.R1>) };
  };
  const adapters = new Map<string, { down: PhmLayerVars; up: PhmLayerVars }>();
  for (let layer = 0; layer < model.dims.layers; layer++) {
    for (const site of config.sites) adapters.set(`${layer}.${site}`, { down: phmLayer(d, m), up: phmLayer(m, d) });
  }
  return {
    trainable: all,
    parts: { sharedRule, adapters },
    hooks: {
      sublayerOutput(layer, sublayer, output) {
        const adapter = adapters.get(`${layer}.${sublayer}`);
        if (!adapter) return output;
        const z = gelu(tf, tf.add(tf.matMul(output, phmLayerWeight(tf, adapter.down)), adapter.down.bias));
        return tf.add(output, tf.add(tf.matMul(z, phmLayerWeight(tf, adapter.up)), adapter.up.bias));
      },
    },
    dispose: () => disposeAll(all),
  };
}
