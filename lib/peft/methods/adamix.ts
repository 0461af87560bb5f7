import type * as tfTypes from '@tensorflow/tfjs';
import { totalLayers } from '../arch';
import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { stopGradient } from '../method-api/stop-gradient';
import type { AppliedMethod, TrainingPass } from '../method-api/types';
import type { Sublayer } from '../model/hooks';
import { disposeAll, normalVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';
import { bottleneckTensors } from './adapters';

const PLACEMENTS: Record<string, readonly Sublayer[]> = {
  mlp: ['mlp'],
  both: ['attention', 'mlp'],
  attention: ['attention'],
};
const sitesOf = (placement: string): readonly Sublayer[] => PLACEMENTS[placement] ?? [];

/** How many down- and up-projections one adapter site holds with `experts` experts. */
function projectionCounts(experts: number, sharing: string): { downs: number; ups: number } {
  return { downs: sharing === 'down' ? 1 : experts, ups: sharing === 'up' ? 1 : experts };
}

/** One projection of an adapter: a weight and its bias (one nn.Linear in the authors' code). */
interface Projection {
  weight: tfTypes.Variable;
  bias: tfTypes.Variable;
}

/** The experts of one adapter site: M down-projections, M up-projections, or one of them shared. */
export interface ExpertSite {
  downs: readonly Projection[];
  ups: readonly Projection[];
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, the adapters' nonlinearity in the authors' code; the tanh approximation the toy uses. */
function gelu(tf: TF, x: tfTypes.Tensor): tfTypes.Tensor {
  const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** The mean of a list of tensors, summed two at a time (no addN: WebGPU binds few buffers). */
function mean(tf: TF, xs: readonly tfTypes.Tensor[]): tfTypes.Tensor {
  if (xs.length === 1) return xs[0] as tfTypes.Tensor;
  return tf.div(xs.reduce((s, x) => tf.add(s, x)), xs.length);
}

/** Each site's experts, for the test that compares evaluation with one averaged adapter. */
const EXPERTS = new WeakMap<AppliedMethod, ReadonlyMap<string, ExpertSite>>();
export const expertsOf = (applied: AppliedMethod): ReadonlyMap<string, ExpertSite> | undefined => EXPERTS.get(applied);

/**
 * AdaMix (Wang et al., 2022) over Houlsby-style bottleneck adapters, as the authors' code
 * (microsoft/AdaMix, `ExpertSoup`) builds it: each adapter site holds M down-projections and one
 * shared up-projection (its default `--sharing_up 1`; the paper's ablation "w/o sharing" keeps four
 * of each). In training, every forward pass picks one down- and one up-projection at random at
 * every site, for the whole batch; the loss adds a symmetric KL between the outputs of two such
 * passes over the same batch (the second pass comes from the trainer's `rerun`). In evaluation the
 * experts are averaged into one adapter ("adaptation merging"), so inference costs one adapter.
 * Counting follows the authors' code: adapter weights and biases only, one adapter after the
 * feed-forward block of every layer; the paper's #Param column is the averaged adapter (`saved`).
 */
export const adamix = defineMethod({
  id: 'adamix',
  name: 'AdaMix',
  hyperparams: [
    { key: 'bottleneck', label: 'Bottleneck m', help: 'Width of each adapter’s hidden layer (the authors use 16 on RoBERTa-large, 48 on BERT-base).', kind: 'int', min: 1, max: 8192, default: 16 },
    { key: 'experts', label: 'Experts M', help: 'Adaptation modules per adapter site, mixed by random routing in training.', kind: 'int', min: 1, max: 32, default: 4 },
    {
      key: 'sharing',
      label: 'Shared projection',
      help: 'Which projection all experts of a site share.',
      kind: 'choice',
      options: [
        { value: 'up', label: 'Up-projection shared (authors’ default)' },
        { value: 'none', label: 'None: M down and M up' },
        { value: 'down', label: 'Down-projection shared' },
      ],
      default: 'up',
    },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter mixture.',
      kind: 'choice',
      options: [
        { value: 'mlp', label: 'After the feed-forward block (authors’ code)' },
        { value: 'both', label: 'After attention and feed-forward' },
        { value: 'attention', label: 'After attention only' },
      ],
      default: 'mlp',
    },
    { key: 'consistency', label: 'Consistency weight', help: 'Weight of the symmetric KL between two stochastic passes (0 turns it off; the authors add it with weight 1).', kind: 'number', min: 0, max: 10, default: 1 },
  ],
  toyLearningRate: 2e-2,
  toyConfig: { bottleneck: 8 },
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  lineage: [
    { id: 'adapters', how: 'trains several bottleneck adapters per layer with random routing and averages them into one', where: 'abstract' },
    { id: 'lora', how: 'the same mixture over LoRA modules', where: 'abstract' },
  ],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'mixture of bottleneck adapters, averaged for inference'),
  profile(arch, { bottleneck: m, experts, sharing, placement }) {
    const sites = sitesOf(placement).length;
    const h = arch.hiddenSize;
    const count = totalLayers(arch) * sites;
    const { downs, ups } = projectionCounts(experts, sharing);
    return {
      tensors: [
        { shape: [h, m], count: count * downs },
        { shape: [m], count: count * downs },
        { shape: [m, h], count: count * ups },
        { shape: [h], count: count * ups },
      ],
      // After training the experts are averaged: one adapter per site is kept and served.
      saved: bottleneckTensors(h, m, count),
      // One route per pass: a single down- and up-projection multiply activations, in training
      // as after merging. (The consistency term's second forward pass is not counted here.)
      addedMatmul: count * 2 * h * m,
      extraActivationValues: () => sites * (h + 2 * m),
    };
  },
  apply(model, { bottleneck: m, experts, sharing, placement, consistency }, { seed = 0 } = {}) {
    const tf = model.tf;
    const d = model.dims.hiddenSize;
    const rng = createRng(seed);
    const { downs, ups } = projectionCounts(experts, sharing);
    // The authors' MixtureSoup deep-copies one initialised module M times: the experts start equal
    // and drift apart only through the routes they are trained on. Initial scale as our adapters.
    const copies = (count: number, shape: [number, number]): Projection[] => {
      const first = { weight: normalVariable(tf, rng, shape, 1e-3), bias: zerosVariable(tf, [shape[1]]) };
      const copy = (v: tfTypes.Variable) => tf.tidy(() => tf.variable(v.clone(), true));
      const rest = Array.from({ length: count - 1 }, () => ({ weight: copy(first.weight), bias: copy(first.bias) }));
      return [first, ...rest];
    };
    const sites = new Map<string, ExpertSite>();
    for (let layer = 0; layer < model.dims.layers; layer++) {
      for (const site of sitesOf(placement)) sites.set(`${layer}.${site}`, { downs: copies(downs, [d, m]), ups: copies(ups, [m, d]) });
    }
    const all = [...sites.values()].flatMap((s) => [...s.downs, ...s.ups].flatMap((p) => [p.weight, p.bias]));
    const pick = (ps: readonly Projection[]): Projection => ps[Math.floor(rng() * ps.length)] as Projection;
    const merged = (ps: readonly Projection[]) => ({ weight: mean(tf, ps.map((p) => p.weight)), bias: mean(tf, ps.map((p) => p.bias)) });
    // KL(q‖p) with q held fixed, as the authors' loss detaches the target distribution of each term.
    // x − logsumexp(x): the WASM backend's logSoftmax kernel fails its memory check under a tape.
    const logProbabilities = (x: tfTypes.Tensor) => tf.sub(x, tf.logSumExp(x, -1, true));
    const klFromFixed = (logQ: tfTypes.Tensor, logP: tfTypes.Tensor) => {
      const fixed = stopGradient(tf, logQ);
      return tf.sum(tf.mul(tf.exp(fixed), tf.sub(fixed, logP)), -1);
    };
    const applied: AppliedMethod = {
      trainable: all,
      hooks: {
        sublayerOutput(layer, sublayer, output, _input, ctx) {
          const s = sites.get(`${layer}.${sublayer}`);
          if (!s) return output;
          // Training: a random route per pass (down first, then up); evaluation: the averaged adapter.
          const [down, up] = ctx.mode === 'train' ? [pick(s.downs), pick(s.ups)] : [merged(s.downs), merged(s.ups)];
          const z = gelu(tf, tf.add(tf.matMul(output, down.weight as tfTypes.Tensor2D), down.bias));
          return tf.add(output, tf.add(tf.matMul(z as tfTypes.Tensor2D, up.weight as tfTypes.Tensor2D), up.bias)) as tfTypes.Tensor2D;
        },
      },
      // Symmetric KL, ½(KL(P₂‖P₁) + KL(P₁‖P₂)), between the training pass and a second pass over
      // the same batch on other random routes, averaged over the positions the task loss scores.
      regularizer(pass?: TrainingPass) {
        if (!pass || consistency === 0) return tf.scalar(0);
        const first = logProbabilities(pass.scores);
        const second = logProbabilities(pass.rerun());
        const perPosition = tf.mul(0.5, tf.add(klFromFixed(second, first), klFromFixed(first, second)));
        if (perPosition.rank === 1) return tf.mul(consistency, tf.mean(perPosition)) as tfTypes.Scalar;
        const mask = tf.reshape(tf.tensor1d(pass.batch.mask), perPosition.shape);
        return tf.mul(consistency, tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1))) as tfTypes.Scalar;
      },
      dispose: () => disposeAll(all),
    };
    EXPERTS.set(applied, sites);
    return applied;
  },
});
