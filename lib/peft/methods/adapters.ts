import type * as tfTypes from '@tensorflow/tfjs';
import { totalLayers } from '../arch';
import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { TensorGroup } from '../method-api/profile';
import { disposeAll, normalVariable, zerosVariable } from '../model/params';
import type { Sublayer } from '../model/hooks';
import { createRng, type Rng } from '../model/random';
import type { TF, ToyModel } from '../model/transformer';

const PLACEMENTS: Record<string, readonly Sublayer[]> = {
  both: ['attention', 'mlp'],
  attention: ['attention'],
  mlp: ['mlp'],
};
/** The sublayers a placement puts an adapter after ('both', 'attention', 'mlp'); none for an unknown one. */
export const sitesOf = (placement: string): readonly Sublayer[] => PLACEMENTS[placement] ?? [];

/** The tensors of `count` bottleneck adapters of width m on hidden size h: down map and bias, up
 * map and bias. */
export function bottleneckTensors(h: number, m: number, count: number): TensorGroup[] {
  return [
    { shape: [h, m], count },
    { shape: [m], count },
    { shape: [m, h], count },
    { shape: [h], count },
  ];
}

/** One bottleneck adapter on the toy: down map and bias, up map and bias. */
export interface BottleneckAdapter {
  down: tfTypes.Variable;
  downBias: tfTypes.Variable;
  up: tfTypes.Variable;
  upBias: tfTypes.Variable;
}

/** The adapters of every layer at the placement's sublayers, keyed `layer.sublayer`, made as
 * `adapters.apply` makes them: weights normal with std 1e-3 drawn from `rng` (down then up, layer
 * by layer), biases zero. */
export function bottleneckAdapters(model: ToyModel, m: number, placement: string, rng: Rng): Map<string, BottleneckAdapter> {
  const tf = model.tf;
  const d = model.dims.hiddenSize;
  const modules = new Map<string, BottleneckAdapter>();
  for (let layer = 0; layer < model.dims.layers; layer++) {
    for (const site of sitesOf(placement)) {
      modules.set(`${layer}.${site}`, {
        down: normalVariable(tf, rng, [d, m], 1e-3),
        downBias: zerosVariable(tf, [m]),
        up: normalVariable(tf, rng, [m, d], 1e-3),
        upBias: zerosVariable(tf, [d]),
      });
    }
  }
  return modules;
}

/** h + up(swish(down(h))), the forward pass of `adapters.apply`'s hook on a sublayer's output.
 * `down` and `up` may be tensors computed from the variables (a pruned adapter's masked weights). */
export function bottleneckForward(
  tf: TF,
  a: { down: tfTypes.Tensor; downBias: tfTypes.Tensor; up: tfTypes.Tensor; upBias: tfTypes.Tensor },
  output: tfTypes.Tensor2D,
): tfTypes.Tensor2D {
  const z = tf.add(tf.matMul(output, a.down as tfTypes.Tensor2D), a.downBias);
  const act = tf.mul(z, tf.sigmoid(z));
  return tf.add(output, tf.add(tf.matMul(act as tfTypes.Tensor2D, a.up as tfTypes.Tensor2D), a.upBias));
}

/**
 * Houlsby adapters (Houlsby et al., 2019): after a sublayer's output projection and before the
 * residual add, h ← h + up(swish(down(h))), with a bottleneck of m ≪ d units. Weights start
 * near zero (std 1e-3, the scale of the authors’ code), so each adapter starts close to the identity. Counting follows the
 * AdapterHub library the survey's experiments used: adapter weights and biases only (the
 * original paper also tuned LayerNorms), after self-attention and the feed-forward block of
 * every layer, none after cross-attention.
 */
export const adapters = defineMethod({
  id: 'adapters',
  name: 'Adapters (Houlsby)',
  hyperparams: [
    { key: 'bottleneck', label: 'Bottleneck m', help: 'Width of the adapter’s hidden layer.', kind: 'int', min: 1, max: 8192, default: 8 },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter.',
      kind: 'choice',
      options: [
        { value: 'both', label: 'After attention and MLP (Houlsby)' },
        { value: 'mlp', label: 'After the MLP only (Pfeiffer-style)' },
        { value: 'attention', label: 'After attention only' },
      ],
      default: 'both',
    },
  ],
  toyLearningRate: 2e-2,
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  lineage: [],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'bottleneck adapter, sequential'),
  profile(arch, { bottleneck: m, placement }) {
    const sites = sitesOf(placement).length;
    const h = arch.hiddenSize;
    const count = totalLayers(arch) * sites;
    return {
      tensors: bottleneckTensors(h, m, count),
      addedMatmul: count * 2 * h * m,
      // Per adapter: its input (h values, the sublayer output), the bottleneck before the
      // nonlinearity and after it (m each).
      extraActivationValues: () => sites * (h + 2 * m),
    };
  },
  apply(model, { bottleneck: m, placement }, { seed = 0 } = {}) {
    const tf = model.tf;
    const modules = bottleneckAdapters(model, m, placement, createRng(seed));
    const all = [...modules.values()].flatMap((a) => [a.down, a.downBias, a.up, a.upBias]);
    return {
      trainable: all,
      hooks: {
        sublayerOutput(layer, sublayer, output) {
          const a = modules.get(`${layer}.${sublayer}`);
          if (!a) return output;
          const z = tf.add(tf.matMul(output, a.down), a.downBias);
          const act = tf.mul(z, tf.sigmoid(z));
          return tf.add(output, tf.add(tf.matMul(act, a.up), a.upBias));
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});
