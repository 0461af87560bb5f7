import type * as tfTypes from '@tensorflow/tfjs';
import { type Architecture, matchingLinears, totalLayers } from '../arch';
import { type Attachment, attachAll, targetParts } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { MethodProfile, TensorGroup } from '../method-api/profile';
import { siteKey, toyTargetSites } from '../method-api/toy-sites';
import type { AppliedMethod } from '../method-api/types';
import type { ForwardContext } from '../model/hooks';
import { disposeAll, normalVariable, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF, ToyModel } from '../model/transformer';
import { bottleneckTensors } from './adapters';
import { type LoraLikeConfig, loraProfile } from './lora';
import { prefixModules, prefixTuning } from './prefix-tuning';

/**
 * UniPELT (Mao et al., ACL 2022): LoRA on W_q and W_v, prefix tuning on every attention layer's
 * keys and values, and a sequential bottleneck adapter after every feed-forward block, in one model,
 * each behind a learned gate. Read from the reference code, morningmoni/UniPELT at commit 53d3c35
 * (`lora_layers.py`, `transformers/models/bert/modeling_bert.py`, `transformers/adapters/modeling.py`),
 * and AdapterHub's `UniPELTConfig` (adapter-hub/adapters at commit 88f18eb,
 * `src/adapters/configuration/adapter_config.py`, `methods/lora.py`, `methods/prefix_tuning.py`,
 * `methods/modeling.py`), which agree on every gate:
 *
 * - Each gate is a Linear(width → 1) with a bias, then a sigmoid, averaged over the sequence: one
 *   number in (0, 1) per sequence, so different inputs can switch the parts on and off.
 * - G_L, one per LoRA-wrapped map (q and v have separate gates), reads that map's input and
 *   multiplies x·A·B. It replaces LoRA's α/r: with the gate on, both codes never apply α (the
 *   reference's `self.scaling = sigmoid(...)`; AdapterHub's `hidden_states * gate`), so UniPELT has
 *   no α setting here. The update can therefore not be merged into W: the gate depends on the input.
 * - G_P, one per attention layer that has a prefix, reads the attention's input and multiplies
 *   that layer's prefix keys and values (AdapterHub's default `shared_gating`: one gate for both).
 * - G_A, one per adapter, reads the adapter's input and multiplies the adapter's output before it
 *   is added back.
 *
 * Counting follows AdapterHub's layout, which the survey authors ran (xw-yao/peft_comparison:
 * `lora[r=8,use_gating]|prefix_tuning[prefix_length=10,use_gating,kv_size]|seq_bn[reduction_factor=16,use_gating]`):
 * LoRA as `loraProfile` counts it, prefix tuning with its MLP as `prefixTuning` counts it (one
 * module per attention kind), one adapter of width ⌊d/16⌋ per feed-forward block, and
 * (in + 1) scalars per LoRA gate and (d + 1) per prefix or adapter gate. On T5-Large that is
 * 2,359,296 + 144·1025 + 77,250,048 + 72·1025 + 48·(132,160 + 1025) = 86,223,624, the count the
 * survey authors measured. On BERT, the reference code's model, the two layouts coincide.
 *
 * Defaults are both codes' own: r = 8 (run_glue.py `lora_r`; `LoRAConfig(r=8)`), prefix length 10
 * with an MLP of width 512 (`prefix_len`, `mid_dim`; `PrefixTuningConfig(prefix_length=10)` with
 * its default `bottleneck_size=512`), adapter reduction factor 16 (the Pfeiffer adapter config;
 * `SeqBnConfig(reduction_factor=16)`).
 *
 * On the toy (a pre-LayerNorm decoder):
 * - The adapter reads the residual stream after the feed-forward block's residual add and adds
 *   g·up(ReLU(down(h))) to it: what AdapterHub's `seq_bn` does on T5 (adapter input = FFN output +
 *   residual, `original_ln_before` without a norm), and the pre-norm reading of the reference's
 *   BERT adapter, which reads LN(FFN output + residual). ReLU as both codes use.
 * - Initialisation follows the reference code: every gate's weight N(0, 0.02²) and bias 0 (BERT's
 *   `_init_weights`, the adapter's `init_bert_weights`), so each gate starts near 0.5; the adapter's
 *   weights N(0, 0.02²) with zero biases; LoRA's A uniform in ±1/√in (kaiming_uniform with a = √5)
 *   and B zero. The prefix part is our `prefixTuning` unchanged, whose MLP starts at PyTorch's
 *   defaults as AdapterHub's does (the reference's BERT code draws it N(0, 0.02²)).
 * - The average over the sequence runs over each sequence's prompt tokens (`promptLengths`; the
 *   whole sequence when they are unknown). In the reference's encoders the gate averages the whole
 *   input; in a causal decoder averaging the answer too would let later answer tokens steer the
 *   gates of earlier positions while training, which generation cannot repeat. The prompt is known
 *   before the first answer token, so training and generation see the same gates.
 * - The prefix gate reads the attention's input, which the model hands to the q projection just
 *   before it asks for the prefix; the `linear` hook computes it there and `keyValuePrefix` applies
 *   it as a per-sequence `scale`.
 */

/** The config UniPELT's profile and apply read. */
export interface UniPeltConfig {
  r: number;
  targets: readonly string[];
  tokens: number;
  prefixBottleneck: number;
  reduction: number;
}

/** The adapter's bottleneck width on an architecture: hidden size over the reduction factor,
 * rounded down as AdapterHub's `hidden_size // reduction_factor`; at least 1 here. */
export function unipeltAdapterWidth(arch: Pick<Architecture, 'hiddenSize'>, reduction: number): number {
  return Math.max(1, Math.floor(arch.hiddenSize / reduction));
}

const loraPart = ({ r, targets }: UniPeltConfig): LoraLikeConfig => ({ r, alpha: r, targets, bias: 'none', rankPattern: '', alphaPattern: '' });
const prefixPart = ({ tokens, prefixBottleneck }: UniPeltConfig) => ({ tokens, projection: 'mlp', bottleneck: prefixBottleneck });

/** A gate Linear(width → 1) with its bias, `count` times. */
const gateTensors = (width: number, count: number): TensorGroup[] => [
  { shape: [width, 1], count },
  { shape: [1], count },
];

/** How many gates of each kind an architecture gets, and their tensors. */
export function unipeltGates(arch: Architecture, { targets }: Pick<UniPeltConfig, 'targets'>) {
  const h = arch.hiddenSize;
  const loraMaps = arch.stacks.flatMap((s) => matchingLinears(s, targets).map((l) => ({ inFeatures: l.inFeatures, count: s.layers })));
  const prefixed = prefixModules(arch).reduce((n, m) => n + m.layers, 0);
  const blocks = totalLayers(arch);
  return {
    lora: loraMaps.flatMap((l) => gateTensors(l.inFeatures, l.count)),
    prefix: gateTensors(h, prefixed),
    adapter: gateTensors(h, blocks),
  };
}

function unipeltProfile(arch: Architecture, config: UniPeltConfig): MethodProfile {
  const h = arch.hiddenSize;
  const m = unipeltAdapterWidth(arch, config.reduction);
  const blocks = totalLayers(arch);
  const lora = loraProfile(arch, loraPart(config));
  const prefix = prefixTuning.profile(arch, prefixPart(config));
  const gates = unipeltGates(arch, config);
  const adapter = bottleneckTensors(h, m, blocks);
  const gateInputs = [...gates.lora, ...gates.prefix, ...gates.adapter].reduce((n, g) => n + (g.shape.length === 2 ? (g.shape[0] as number) * g.count : 0), 0);
  return {
    tensors: [...lora.tensors, ...gates.lora, ...prefix.tensors, ...gates.prefix, ...adapter, ...gates.adapter],
    // Prefix tuning keeps its prefixes, not its MLP; everything else is kept as trained.
    saved: [...lora.tensors, ...gates.lora, ...(prefix.saved ?? prefix.tensors), ...gates.prefix, ...adapter, ...gates.adapter],
    // LoRA's factors, the adapters' two maps and every gate's weight multiply each token; the prefix
    // MLP runs once per batch (see prefix-tuning.ts). Nothing merges: the LoRA gate depends on the input.
    addedMatmul: lora.addedMatmul + blocks * 2 * h * m + gateInputs,
    // Per layer: LoRA's x·A, plus its gated output x·A·B and gate value (the gate's gradient reads
    // them); the adapter's input, bottleneck before and after ReLU, and up output and gate value;
    // one prefix gate value per attention with a prefix. (Our derivation.)
    extraActivationValues: (stack) =>
      lora.extraActivationValues(stack) +
      matchingLinears(stack, config.targets).reduce((n, l) => n + l.outFeatures + 1, 0) +
      (stack.crossAttention ? 2 : 1) +
      (h + 2 * m) +
      (h + 1),
  };
}

export interface Gate {
  w: tfTypes.Variable;
  b: tfTypes.Variable;
}

/** One gate value read in a forward pass: `[batch, 1]`, for tests and inspection. */
export interface GateReading {
  part: 'lora' | 'prefix' | 'adapter';
  layer: number;
  /** The LoRA-wrapped map's leaf name (`q_proj`), for LoRA gates. */
  site?: string;
  gate: tfTypes.Tensor2D;
}

/** UniPELT applied to the toy, with its parts' variables exposed for tests and inspection. */
export interface UniPeltToy {
  applied: AppliedMethod;
  /** LoRA's factors and gate, by site key (`0.q_proj`). */
  lora: ReadonlyMap<string, { a: tfTypes.Variable; b: tfTypes.Variable; gate: Gate }>;
  /** Prefix tuning's own variables: E, W1, b1, W2, b2. */
  prefix: readonly tfTypes.Variable[];
  /** The prefix gate of each layer. */
  prefixGates: readonly Gate[];
  /** The adapter of each layer and its gate. */
  adapters: readonly { down: tfTypes.Variable; downBias: tfTypes.Variable; up: tfTypes.Variable; upBias: tfTypes.Variable; gate: Gate }[];
}

/** sigmoid(x·w + b) averaged over each sequence's prompt rows: `[batch, 1]` (see the file comment). */
function gateValue(tf: TF, gate: Gate, x: tfTypes.Tensor2D, ctx: ForwardContext): tfTypes.Tensor2D {
  const { batch, seq, prefixLength } = ctx;
  const weights = new Float32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const n = Math.min(Math.max(ctx.promptLengths?.[b] ?? ctx.positions.length, 1), ctx.positions.length);
    for (let t = 0; t < n; t++) weights[b * seq + prefixLength + t] = 1 / n;
  }
  const scores = tf.reshape(tf.sigmoid(tf.add(tf.matMul(x, gate.w), gate.b)), [batch, seq]);
  return tf.sum(tf.mul(scores, tf.tensor2d(weights, [batch, seq])), 1, true) as tfTypes.Tensor2D;
}

/** Rows `[batch·seq, f]` of each sequence multiplied by that sequence's gate `[batch, 1]`. */
function gateRows(tf: TF, rows: tfTypes.Tensor2D, gate: tfTypes.Tensor2D, ctx: ForwardContext): tfTypes.Tensor2D {
  const f = rows.shape[1];
  const scaled = tf.mul(tf.reshape(rows, [ctx.batch, ctx.seq, f]), tf.reshape(gate, [ctx.batch, 1, 1]));
  return tf.reshape(scaled, [ctx.batch * ctx.seq, f]) as tfTypes.Tensor2D;
}

/** UniPELT on the toy, with its gates exposed (the method's `apply` returns `applied`). */
export function applyUnipelt(model: ToyModel, config: UniPeltConfig, { seed = 0, observe }: { seed?: number; observe?: (reading: GateReading) => void } = {}): UniPeltToy {
  const tf = model.tf;
  const d = model.dims.hiddenSize;
  const m = unipeltAdapterWidth(model.arch, config.reduction);
  const rng = createRng(seed + 1);
  const own: tfTypes.Variable[] = [];
  const make = (v: tfTypes.Variable) => (own.push(v), v);
  const newGate = (width: number): Gate => ({ w: make(normalVariable(tf, rng, [width, 1], 0.02)), b: make(zerosVariable(tf, [1])) });

  const prefix = prefixTuning.apply(model, prefixPart(config), { seed });
  const lora = new Map(
    toyTargetSites(model, config.targets).map((site) => [
      site.key,
      {
        a: make(uniformVariable(tf, rng, [site.inFeatures, config.r], 1 / Math.sqrt(site.inFeatures))),
        b: make(zerosVariable(tf, [config.r, site.outFeatures])),
        gate: newGate(site.inFeatures),
      },
    ]),
  );
  const prefixGates = Array.from({ length: model.dims.layers }, () => newGate(d));
  const adapters = Array.from({ length: model.dims.layers }, () => ({
    down: make(normalVariable(tf, rng, [d, m], 0.02)),
    downBias: make(zerosVariable(tf, [m])),
    up: make(normalVariable(tf, rng, [m, d], 0.02)),
    upBias: make(zerosVariable(tf, [d])),
    gate: newGate(d),
  }));
  // The prefix gate of each layer, computed from the attention's input when the q projection reads it.
  const pendingPrefixGate = new Map<number, tfTypes.Tensor2D>();

  const applied: AppliedMethod = {
    trainable: [...prefix.trainable, ...own],
    hooks: {
      linear(site, x, base, ctx) {
        if (site.role === 'attn.q' || site.role === 'attn.qkv') {
          const g = gateValue(tf, prefixGates[site.layer]!, x, ctx);
          pendingPrefixGate.set(site.layer, g);
          observe?.({ part: 'prefix', layer: site.layer, gate: g });
        }
        const l = lora.get(siteKey(site.layer, site.name));
        if (!l) return base;
        const g = gateValue(tf, l.gate, x, ctx);
        observe?.({ part: 'lora', layer: site.layer, site: site.name, gate: g });
        return tf.add(base, gateRows(tf, tf.matMul(tf.matMul(x, l.a), l.b), g, ctx));
      },
      keyValuePrefix(layer, ctx) {
        const kv = prefix.hooks.keyValuePrefix?.(layer, ctx) ?? null;
        const g = pendingPrefixGate.get(layer);
        if (!kv || !g) throw new Error(`UniPELT's prefix gate of layer ${layer} was not computed before its prefix was asked for`);
        pendingPrefixGate.delete(layer);
        return { key: kv.key, value: kv.value, scale: tf.reshape(g, [ctx.batch]) as tfTypes.Tensor1D };
      },
      blockOutput(layer, h, ctx) {
        const a = adapters[layer]!;
        const z = tf.relu(tf.add(tf.matMul(h, a.down), a.downBias));
        const out = tf.add(tf.matMul(z, a.up), a.upBias) as tfTypes.Tensor2D;
        const g = gateValue(tf, a.gate, h, ctx);
        observe?.({ part: 'adapter', layer, gate: g });
        return tf.add(h, gateRows(tf, out, g, ctx));
      },
    },
    dispose: () => {
      prefix.dispose();
      disposeAll(own);
    },
  };
  return { applied, lora, prefix: prefix.trainable, prefixGates, adapters };
}

export const unipelt = defineMethod({
  id: 'unipelt',
  name: 'UniPELT',
  hyperparams: [
    { key: 'r', label: 'LoRA rank r', help: 'Inner dimension of the gated LoRA update AB (no α: the gate is its scale).', kind: 'int', min: 1, max: 1024, default: 8 },
    {
      key: 'targets',
      label: 'LoRA target modules',
      help: 'Linear maps that get a gated LoRA update: W_q and W_v in the paper, or the fused qkv map where attention has one.',
      kind: 'modules',
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
    },
    { key: 'tokens', label: 'Prefix length l', help: 'Gated trained keys and values placed before each attention layer’s own.', kind: 'int', min: 1, max: 512, default: 10 },
    { key: 'prefixBottleneck', label: 'Prefix MLP width', help: 'Hidden width of the MLP that produces the prefixes while training (dropped afterwards).', kind: 'int', min: 1, max: 8192, default: 512 },
    {
      key: 'reduction',
      label: 'Adapter reduction factor',
      help: 'The adapter’s bottleneck is the hidden size divided by this, rounded down (at least 1).',
      kind: 'int',
      min: 1,
      max: 8192,
      default: 16,
    },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { tokens: 8, prefixBottleneck: 16, reduction: 4 },
  // Prefix tuning widens every attention layer by l keys; nothing merges, as the LoRA update is gated.
  traits: { backpropThroughBackbone: true, inference: 'longer-input', addedKeyValues: (c) => c.tokens },
  // UniPELT §3: the three parts it gates are existing methods, taken unchanged as submodules.
  lineage: [
    { id: 'adapters', how: 'a sequential adapter after the FFN, one of the three submodules it gates', where: '§3' },
    { id: 'prefix-tuning', how: 'prefix tuning on keys and values, one of the three submodules it gates', where: '§3' },
    { id: 'lora', how: 'LoRA on W_q and W_v, one of the three submodules it gates, the gate replacing α/r', where: '§3' },
  ],
  anatomy: (arch, { r, targets, tokens }): Attachment[] => [
    ...attachAll(targetParts(arch, targets), 'added', `gated rank-${r} update BA`),
    { part: 'attn.kv-prefix', kind: 'added', note: `${tokens} gated trained keys and values per layer` },
    { part: 'block.output', kind: 'added', note: 'gated bottleneck adapter after the FFN' },
  ],
  profile: unipeltProfile,
  apply: (model, config, { seed = 0 } = {}) => applyUnipelt(model, config, { seed }).applied,
});
