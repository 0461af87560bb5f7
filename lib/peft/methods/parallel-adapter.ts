import type * as tfTypes from '@tensorflow/tfjs';
import { totalLayers } from '../arch';
import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { TensorGroup } from '../method-api/profile';
import type { Sublayer } from '../model/hooks';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

const PLACEMENTS: Record<string, readonly Sublayer[]> = {
  mlp: ['mlp'],
  attention: ['attention'],
  both: ['attention', 'mlp'],
};
const sitesOf = (placement: string): readonly Sublayer[] => PLACEMENTS[placement] ?? [];

/**
 * Parallel adapter (He et al., 2022, "Towards a Unified View of Parameter-Efficient Transfer
 * Learning"): a bottleneck module reads the sublayer's INPUT and its output is added to the
 * sublayer's output, scaled: out ← out + s·up(ReLU(down(x))). The "scaled parallel adapter" on
 * the FFN with s = 4 and m = 512 is the paper's best adapter variant. Initialisation follows the
 * authors' code (jxhe/unify-parameter-efficient-tuning, `ffn_adapter_init_option="lora"`, as
 * AdapterHub's `init_weights="mam_adapter"`): down uniform in ±1/√d (PyTorch's kaiming_uniform
 * with a = √5), up and both biases zero, so the model starts exactly as the pretrained one.
 * On the toy the adapter reads the sublayer's normed input (pre-LN blocks), what the sublayer reads.
 *
 * Counting follows AdapterHub's ParBnConfig the survey's experiments used: down and up with
 * biases in every layer of every stack at the chosen sublayers (self-attention, never
 * cross-attention), and with `scaling: 'learned'` (its "scaled_parallel" config) one trained
 * scalar per adapter. T5-Large, m = 512 (reduction factor 2 on d = 1024), FFN: 48 adapters ×
 * (1024·512 + 512 + 512·1024 + 1024 + 1) = 50,405,424, the same on T5-3B and T5-11B (d = 1024).
 */
export const parallelAdapter = defineMethod({
  id: 'parallel-adapter',
  name: 'Parallel Adapter',
  hyperparams: [
    { key: 'bottleneck', label: 'Bottleneck m', help: 'Width of the adapter’s hidden layer.', kind: 'int', min: 1, max: 16384, default: 512 },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter beside them.',
      kind: 'choice',
      options: [
        { value: 'mlp', label: 'Beside the FFN (He et al.)' },
        { value: 'attention', label: 'Beside attention' },
        { value: 'both', label: 'Beside attention and the FFN' },
      ],
      default: 'mlp',
    },
    { key: 'scale', label: 'Scale s', help: 'The adapter’s output is multiplied by s (the paper’s scaled parallel adapter: 4); with a learned scale, its starting value.', kind: 'number', min: 0.01, max: 100, default: 4 },
    {
      key: 'scaling',
      label: 'Scale kind',
      help: 'Keep s fixed, or train it from s: one scalar per adapter (AdapterHub’s scaling="learned" starts it at 1).',
      kind: 'choice',
      options: [
        { value: 'fixed', label: 'Fixed s (He et al.)' },
        { value: 'learned', label: 'Learned, one scalar per adapter' },
      ],
      default: 'fixed',
    },
  ],
  toyLearningRate: 5e-3,
  toyConfig: { bottleneck: 16 },
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  // He et al. §3.3: the parallel adapter carries over to adapters the parallel insertion that
  // prefix tuning amounts to in their unified view (item 1), and its scaled form LoRA's scaling (item 3).
  lineage: [
    { id: 'adapters', how: 'places the bottleneck adapter beside the sublayer, reading its input', where: '§3.3' },
    { id: 'prefix-tuning', how: 'takes the parallel insertion that prefix tuning amounts to', where: '§3.3' },
    { id: 'lora', how: 'scales the adapter’s output by s, as LoRA scales its update', where: '§3.3' },
  ],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'bottleneck adapter, parallel'),
  profile(arch, { bottleneck: m, placement, scaling }) {
    const sites = sitesOf(placement).length;
    const h = arch.hiddenSize;
    const count = totalLayers(arch) * sites;
    const learned = scaling === 'learned';
    const tensors: TensorGroup[] = [
      { shape: [h, m], count },
      { shape: [m], count },
      { shape: [m, h], count },
      { shape: [h], count },
    ];
    if (learned) tensors.push({ shape: [1], count });
    return {
      tensors,
      addedMatmul: count * 2 * h * m,
      // Per adapter and token: the ReLU's output (its own backward needs no more) for the gradient
      // of `up`; with a learned scale also the unscaled output, for the scalar's gradient. The
      // input is already kept by the sublayer that reads it.
      extraActivationValues: () => sites * (m + (learned ? h : 0)),
    };
  },
  apply(model, { bottleneck: m, placement, scale, scaling }, { seed = 0 } = {}) {
    const tf = model.tf;
    const d = model.dims.hiddenSize;
    const rng = createRng(seed);
    interface Module {
      down: tfTypes.Variable;
      downBias: tfTypes.Variable;
      up: tfTypes.Variable;
      upBias: tfTypes.Variable;
      scale: tfTypes.Variable | number;
    }
    const modules = new Map<string, Module>();
    const all: tfTypes.Variable[] = [];
    for (let layer = 0; layer < model.dims.layers; layer++) {
      for (const site of sitesOf(placement)) {
        const mod: Module = {
          down: uniformVariable(tf, rng, [d, m], 1 / Math.sqrt(d)),
          downBias: zerosVariable(tf, [m]),
          up: zerosVariable(tf, [m, d]),
          upBias: zerosVariable(tf, [d]),
          scale: scaling === 'learned' ? tf.tidy(() => tf.variable(tf.fill([1], scale), true)) : scale,
        };
        all.push(mod.down, mod.downBias, mod.up, mod.upBias);
        if (typeof mod.scale !== 'number') all.push(mod.scale);
        modules.set(`${layer}.${site}`, mod);
      }
    }
    return {
      trainable: all,
      hooks: {
        sublayerOutput(layer, sublayer, output, input) {
          const a = modules.get(`${layer}.${sublayer}`);
          if (!a) return output;
          const hidden = tf.relu(tf.add(tf.matMul(input, a.down), a.downBias));
          return tf.add(output, tf.mul(tf.add(tf.matMul(hidden, a.up), a.upBias), a.scale));
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});
