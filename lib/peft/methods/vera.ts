import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { biasAttachments, toyTrainedBiases, trainedBiases } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { deltaWeights } from '../method-api/delta-weight';
import { targetsOutside } from '../method-api/outside';
import { peftTargetModules } from '../method-api/peft-export';
import { type TensorGroup, embeddingWidth, groupsSize } from '../method-api/profile';
import { toyTargetSites } from '../method-api/toy-sites';
import type { AppliedMethod, ApplyOptions, PeftExport } from '../method-api/types';
import { disposeAll } from '../model/params';
import { createRng } from '../model/random';
import type { ToyModel } from '../model/transformer';

/**
 * VeRA, Vector-based Random Matrix Adaptation (Kopiczko et al., ICLR 2024): one pair of frozen
 * random matrices A (r × in) and B (out × r) is shared by every targeted map, and each map trains
 * only two scaling vectors, λ_d (r values) and λ_b (out values): ΔW = Λ_b B Λ_d A.
 *
 * Follows HF PEFT's VeRA as of huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40
 * (src/peft/tuners/vera/config.py, layer.py, model.py):
 * - The shared pair is sized by the largest in and the largest out among all targeted maps
 *   (`_find_dim`, over every stack), and each map uses its leading slice: A[:, :in], B[:out, :].
 * - Both are Kaiming-uniform with fan-in, bound √(6 / fan_in) (`_kaiming_init`): fan-in is the
 *   largest in for A and r for B, drawn A first from the generator seeded with
 *   `projection_prng_key`. λ_b = 0 (so ΔW = 0 at start) and λ_d = d_initial (`reset_vera_parameters`).
 * - Counting: the pair is a buffer, so it is not trained and not in the model's parameters. With
 *   `save_projection=True` (HF's default) the checkpoint also stores it; with False it stores the
 *   key and the pair is regenerated on load. Our `saveProjection` defaults to no, the paper's point.
 * - Defaults: r = 256, d_initial = 0.1, targets HF's VeRA table (a copy of LoRA's: q and v, or the
 *   fused qkv map). Only linear maps (and GPT-2's Conv1D) can be wrapped: an `nn.Linear` LM head
 *   can, the embedding cannot. `bias` as LoRA's, its third value called `vera_only`.
 * - HF validates r > 0 only; r larger than a map's width is accepted (the update's rank is then
 *   at most that width), so nothing more is refused here.
 * On the toy the seed of the run plays the PRNG key's part: our generator is not torch's, so the
 * matrices are not HF's for the same key.
 */

export const VERA_BIAS = {
  key: 'bias',
  label: 'Bias',
  help: 'Biases trained with the vectors (HF PEFT bias): none, every bias of the model, or only those of the targeted maps.',
  kind: 'choice',
  options: [
    { value: 'none', label: 'none' },
    { value: 'all', label: 'all' },
    { value: 'vera_only', label: 'vera_only (targeted maps)' },
  ],
  default: 'none',
} as const;

/** The bias helpers name HF's "only the wrapped modules" mode after LoRA's. */
const biasMode = (bias: string): string => (bias === 'vera_only' ? 'lora_only' : bias);

// A type, not an interface, so it fits resolveConfig's Record constraint.
export type VeraConfig = {
  readonly r: number;
  readonly dInitial: number;
  readonly targets: readonly string[];
  readonly saveProjection: string;
  readonly bias: string;
};

/** One targeted map's shape and how many layers hold it. */
interface VeraTarget {
  inFeatures: number;
  outFeatures: number;
  count: number;
}

function veraTargets(arch: Architecture, targets: readonly string[]): VeraTarget[] {
  const maps: VeraTarget[] = arch.stacks.flatMap((s) => matchingLinears(s, targets).map((l) => ({ inFeatures: l.inFeatures, outFeatures: l.outFeatures, count: s.layers })));
  // The LM head is an nn.Linear(width → vocab) in HF models, so VeRA can wrap it.
  if (arch.moduleNames && targetsOutside(arch, targets, 'lmHead')) maps.push({ inFeatures: embeddingWidth(arch), outFeatures: arch.vocabSize, count: 1 });
  return maps;
}

/** The shared pair's shapes in HF's layout: A [r, largest in], B [largest out, r]. */
export function sharedShapes(arch: Architecture, { r, targets }: Pick<VeraConfig, 'r' | 'targets'>): { a: [number, number]; b: [number, number] } {
  const maps = veraTargets(arch, targets);
  const maxIn = Math.max(0, ...maps.map((m) => m.inFeatures));
  const maxOut = Math.max(0, ...maps.map((m) => m.outFeatures));
  return { a: [r, maxIn], b: [maxOut, r] };
}

/**
 * What VeRA trains: λ_d (r) and λ_b (out) per targeted map and layer. The shared pair is frozen
 * and held in memory (`frozen`); the checkpoint stores it only with saveProjection.
 */
export function veraProfile(arch: Architecture, config: VeraConfig) {
  const { r, targets, bias, saveProjection } = config;
  const maps = veraTargets(arch, targets);
  const vectors: TensorGroup[] = maps.flatMap((m) => [
    { shape: [r], count: m.count },
    { shape: [m.outFeatures], count: m.count },
  ]);
  const shared = sharedShapes(arch, config);
  const frozen: TensorGroup[] = [
    { shape: shared.a, count: 1 },
    { shape: shared.b, count: 1 },
  ];
  const biases = trainedBiases(arch, biasMode(bias), targets);
  const tensors = [...vectors, ...biases];
  return {
    tensors,
    frozen,
    ...(saveProjection === 'true' ? { saved: [...tensors, ...frozen] } : {}),
    trainableInBase: groupsSize(biases),
    // Each map multiplies its tokens by its slices of A and B: r·(in + out) per map and layer.
    addedMatmul: maps.reduce((n, m) => n + m.count * r * (m.inFeatures + m.outFeatures), 0),
    // For the vectors' gradients autograd keeps x·A (r values, for λ_d) and the scaled product
    // before λ_b (out values, for λ_b) per map and token. (The head's values are outside the layers.)
    extraActivationValues: (stack: Architecture['stacks'][number]) => matchingLinears(stack, targets).reduce((n, l) => n + r + l.outFeatures, 0),
  };
}

export function veraExport(c: VeraConfig, arch: Architecture): PeftExport {
  const shared = sharedShapes(arch, c);
  const pair = shared.a[0] * shared.a[1] + shared.b[0] * shared.b[1];
  return {
    configClass: 'VeraConfig',
    args: {
      r: c.r,
      target_modules: peftTargetModules(arch, c.targets),
      d_initial: c.dInitial,
      // Written out either way: HF's default is True, ours is False.
      save_projection: c.saveProjection === 'true',
      bias: c.bias,
    },
    note:
      c.saveProjection === 'true'
        ? `With save_projection=True (HF's default) the checkpoint also stores the shared pair vera_A and vera_B: ${pair.toLocaleString('en-US')} values, counted here as saved, not trained.`
        : `HF's default is save_projection=True, which also stores the shared pair vera_A and vera_B (${pair.toLocaleString('en-US')} values); with False, as here, it stores the vectors and regenerates the pair from projection_prng_key, which HF warns may differ across systems.`,
  };
}

export function veraAnatomy(arch: Architecture, { r, targets, bias }: VeraConfig): Attachment[] {
  return [...attachAll(targetParts(arch, targets), 'added', `vectors scaling a shared rank-${r} pair`), ...biasAttachments(arch, biasMode(bias), targets)];
}

/** VeRA on the toy, with the shared pair exposed for tests. */
export interface AppliedVera extends AppliedMethod {
  /** The one frozen pair every targeted map slices: A [r, largest in], B [largest out, r]. */
  shared: { a: tfTypes.Tensor2D; b: tfTypes.Tensor2D };
  /** Per targeted site (`${layer}.${name}`), its λ_d [r] and λ_b [out]. */
  vectors: ReadonlyMap<string, { d: tfTypes.Variable; b: tfTypes.Variable }>;
}

/** Kaiming-uniform with fan-in (HF's `_kaiming_init`): U(±√(6 / fan_in)), fan_in = columns. */
function kaimingUniform(rng: () => number, rows: number, cols: number): Float32Array {
  const bound = Math.sqrt(6 / cols);
  return Float32Array.from({ length: rows * cols }, () => (2 * rng() - 1) * bound);
}

export function applyVera(model: ToyModel, config: VeraConfig, { seed = 0 }: ApplyOptions = {}): AppliedVera {
  const tf = model.tf;
  const { r, dInitial, targets, bias } = config;
  const sites = toyTargetSites(model, targets);
  const maxIn = Math.max(...sites.map((s) => s.inFeatures));
  const maxOut = Math.max(...sites.map((s) => s.outFeatures));
  const rng = createRng(seed);
  // Created once and shared: constants, not variables, so no optimizer ever sees them.
  const a = tf.tensor2d(kaimingUniform(rng, r, maxIn), [r, maxIn]);
  const b = tf.tensor2d(kaimingUniform(rng, maxOut, r), [maxOut, r]);
  const vectors = new Map<string, { d: tfTypes.Variable; b: tfTypes.Variable }>();
  const trainable: tfTypes.Variable[] = [];
  const delta = deltaWeights(model, sites, (site) => {
    const lambdaD = tf.tidy(() => tf.variable(tf.fill([r], dInitial), true));
    const lambdaB = tf.tidy(() => tf.variable(tf.zeros([site.outFeatures]), true));
    vectors.set(site.key, { d: lambdaD, b: lambdaB });
    trainable.push(lambdaD, lambdaB);
    // This map's leading slices of the shared pair (made inside the forward's tidy).
    const sliceA = () => tf.slice(a, [0, 0], [r, site.inFeatures]);
    const sliceB = () => tf.slice(b, [0, 0], [site.outFeatures, r]);
    return {
      // ΔW in our [in, out] layout is (Λ_b B Λ_d A)ᵀ = Aᵀ Λ_d Bᵀ Λ_b.
      matrix: () => tf.mul(tf.matMul(tf.mul(sliceA(), tf.reshape(lambdaD, [r, 1])), sliceB(), true, true), lambdaB) as tfTypes.Tensor2D,
      forward: (x) => tf.mul(tf.matMul(tf.mul(tf.matMul(x, sliceA(), false, true), lambdaD), sliceB(), false, true), lambdaB) as tfTypes.Tensor2D,
    };
  });
  return {
    trainable: [...trainable, ...toyTrainedBiases(model, biasMode(bias), targets)],
    hooks: delta.hooks,
    merge: delta.merge,
    unmerge: delta.unmerge,
    shared: { a, b },
    vectors,
    dispose: () => {
      delta.dispose();
      disposeAll(trainable);
      tf.dispose([a, b]);
    },
  };
}

export const vera = defineMethod({
  id: 'vera',
  name: 'VeRA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the shared random pair (HF PEFT r); each targeted map trains r + out values, so VeRA takes larger r than LoRA.', kind: 'int', min: 1, max: 8192, default: 256 },
    { key: 'dInitial', label: 'Initial λ_d', help: 'Starting value of every entry of λ_d (HF PEFT d_initial); λ_b starts at 0.', kind: 'number', min: 0.0001, max: 10, default: 0.1 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model; all share one random pair.',
      kind: 'modules',
      // HF PEFT's VeRA defaults copy LoRA's: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      outside: ['lmHead'],
    },
    {
      key: 'saveProjection',
      label: 'Save the shared pair',
      help: 'Whether the checkpoint stores the frozen random pair (HF PEFT save_projection, True by default there) or only the vectors and the seed that regenerates it.',
      kind: 'choice',
      options: [
        { value: 'false', label: 'no: vectors and seed only' },
        { value: 'true', label: 'yes (HF default)' },
      ],
      default: 'false',
    },
    VERA_BIAS,
  ],
  // Vectors this small need a large step (on topic, 300 steps: 64% exact match at 5e-2 against 38% at 2e-2).
  toyLearningRate: 5e-2,
  // r = 256 is wider than the toy's 64-wide maps; 64 costs about LoRA's step time on q and v.
  toyConfig: { r: 64 },
  rankParam: 'r',
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  // VeRA abstract: it keeps LoRA's low-rank update but shares one frozen random pair across layers.
  lineage: [{ id: 'lora', how: 'shares one frozen random pair of low-rank matrices across layers and trains only scaling vectors', where: 'abstract' }],
  anatomy: veraAnatomy,
  profile: veraProfile,
  peft: veraExport,
  apply: applyVera,
});
