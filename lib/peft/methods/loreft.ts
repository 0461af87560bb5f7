import type * as tfTypes from '@tensorflow/tfjs';
import type { Architecture, Stack } from '../arch';
import { DEFAULT_SETUP } from '../cost/setup';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { ForwardContext } from '../model/hooks';
import { disposeAll, normalVariable, uniformVariable } from '../model/params';
import { createRng } from '../model/random';
import type { TF } from '../model/transformer';

/**
 * LoReFT (Wu et al., 2024, "ReFT: Representation Finetuning for Language Models", §3.2, eq. 2):
 * the model stays frozen; at chosen layers, the hidden state h of chosen prompt positions (the
 * residual stream after the block) is replaced by
 *   Φ(h) = h + Rᵀ(W h + b − R h),
 * with R (r × d) of orthonormal rows, W (r × d) and b (r) trained: inside the r-dimensional
 * subspace spanned by R's rows, h takes the values W h + b; outside it, h is untouched.
 *
 * Positions follow the authors' library (stanfordnlp/pyreft, `pyreft/dataset.py`,
 * `get_intervention_locations`, commit dafd099): "f<p>+l<s>" intervenes on the first p and the last
 * s tokens of the prompt, each cut to ⌊n/2⌋ for a prompt of n tokens (the paper's §4.1 says ⌈n/2⌉ for
 * s; the code floors both, and so do we). Generated and answer tokens are never edited. Tied
 * (`--share_weights`): one intervention per layer for all those positions; untied: one for the
 * first p and another for the last s positions (train.py doubles the layer list when the position
 * string has a "+"). The paper's §4.1 defines untied as one intervention per position, but its
 * parameter counts (Table 3: 0.0039% of Llama-2 7B) are the code's per-group count.
 *
 * Counting follows pyreft (`LoreftIntervention` in `pyreft/interventions.py`: R is the d × r
 * weight of `LowRankRotateLayer` under torch's orthogonal parametrisation, W and b an
 * `nn.Linear(d, r)`; `print_trainable_parameters` counts each intervention once): per intervention
 * 2·r·d + r, times the intervened layers, times 2 when untied with both p and s. Checked in the
 * test against pyreft's README (32,772 on Llama-2 7B) and the paper's Tables 1, 3 and 4.
 * HF PEFT has no ReFT (its PR #1657 was closed unmerged), so there is no `peft` export.
 *
 * On the toy:
 * - R is kept orthonormal by a product of r Householder reflections, R = E·H₁⋯H_r with
 *   Hᵢ = I − 2vᵢvᵢᵀ/‖vᵢ‖² and E the first r rows of the identity: r·d trained scalars, the same
 *   count as pyreft's d × r base, orthonormal to rounding error at every step (torch's
 *   parametrisation, a matrix exponential, is not available in tfjs; a Cayley transform with a
 *   truncated inverse would drift from orthonormal as training moves away from the identity).
 *   Every r-frame is reachable up to the signs of its rows, which W and b absorb.
 * - Initialisation as pyreft: R random with orthonormal rows (torch's `orthogonal_`; here random
 *   normal Householder vectors), W and b PyTorch's default for a linear map, uniform ±1/√d. So Φ
 *   is not the identity at the start (it is when W = R and b = 0).
 * - Prompt positions come from `ForwardContext.promptLengths`. Without them (a plain
 *   `model.forward`), every real token counts as prompt. Virtual tokens of another method's input
 *   prefix are never edited.
 * - In an encoder–decoder model the prompt is read by the encoder, so the interventions sit in the
 *   encoder's layers (our reading; the paper's experiments use decoder-only and encoder-only models).
 */

/** The stack that reads the prompt: the encoder of an encoder–decoder model, else the only stack. */
export function promptStack(arch: Architecture): Stack {
  const stack = arch.stacks.find((s) => s.kind === 'encoder') ?? arch.stacks[0];
  if (!stack) throw new Error(`${arch.name} has no layers`);
  return stack;
}

/**
 * The layers intervened on, of a stack of `layers`: all of them; four spread over the depth,
 * ⌊L/16⌋ + ⌊k·L/4⌋ for k = 0…3 (2, 10, 18, 26 on 32 layers: pyreft's train.py default `-l 2;10;18;26`),
 * fewer where the stack is too shallow for four distinct ones; or one, ⌊L/2⌋ − 1 (15 of 32, the
 * layer of pyreft's README example).
 */
export function interventionLayers(layers: number, which: string): number[] {
  if (which === 'all') return Array.from({ length: layers }, (_, i) => i);
  if (which === 'one') return [Math.max(0, Math.floor(layers / 2) - 1)];
  return [...new Set([0, 1, 2, 3].map((k) => Math.floor(layers / 16) + Math.floor((k * layers) / 4)))].filter((l) => l < layers);
}

/** Interventions per intervened layer: two when untied with both first and last positions. */
export function groupsPerLayer(tie: string, first: number, last: number): number {
  return tie === 'untied' && first > 0 && last > 0 ? 2 : 1;
}

/**
 * The token positions of an n-token prompt that are edited, as pyreft picks them: the first
 * min(p, ⌊n/2⌋) and the last min(s, ⌊n/2⌋), which never overlap.
 */
export function interventionPositions(n: number, p: number, s: number): { first: number[]; last: number[] } {
  const half = Math.floor(n / 2);
  const f = Math.min(p, half);
  const l = Math.min(s, half);
  return { first: Array.from({ length: f }, (_, i) => i), last: Array.from({ length: l }, (_, i) => n - l + i) };
}

/**
 * R (r × d) with orthonormal rows from r Householder vectors `v` (r × d): R = E·H₁⋯H_r, one
 * reflection at a time, X ← X − 2(X vᵢᵀ)vᵢ/‖vᵢ‖². Only matMul, sum, div, sub: differentiable on
 * every backend. Call inside tidy.
 */
export function orthonormalRows(tf: TF, v: tfTypes.Tensor2D): tfTypes.Tensor2D {
  const [r, d] = v.shape;
  let x = tf.eye(r, d) as tfTypes.Tensor2D;
  for (let i = 0; i < r; i++) {
    const vi = tf.slice(v, [i, 0], [1, d]);
    const scale = tf.div(2, tf.sum(tf.square(vi)));
    x = tf.sub(x, tf.mul(tf.matMul(tf.matMul(x, vi, false, true), vi), scale));
  }
  return x;
}

interface Intervention {
  householder: tfTypes.Variable;
  w: tfTypes.Variable;
  b: tfTypes.Variable;
}

/** 0/1 row masks `[batch·seq, 1]` of the positions each intervention of a layer edits. */
function positionMasks(ctx: ForwardContext, p: number, s: number, groups: number): Float32Array[] {
  const masks = Array.from({ length: groups }, () => new Float32Array(ctx.batch * ctx.seq));
  for (let b = 0; b < ctx.batch; b++) {
    // Without prompt lengths every real token is prompt (see the file comment).
    const n = ctx.promptLengths?.[b] ?? ctx.positions.length;
    const { first, last } = interventionPositions(n, p, s);
    const row = (t: number) => b * ctx.seq + ctx.prefixLength + t;
    for (const t of first) masks[0]![row(t)] = 1;
    for (const t of last) masks[groups - 1]![row(t)] = 1;
  }
  return masks;
}

export const loreft = defineMethod({
  id: 'loreft',
  name: 'LoReFT',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Dimension of the subspace the intervention edits: the rows of R, W and b.', kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'first', label: 'First positions p', help: 'Edit the first p tokens of each prompt (at most half of it).', kind: 'int', min: 0, max: 64, default: 7 },
    { key: 'last', label: 'Last positions s', help: 'Edit the last s tokens of each prompt (at most half of it).', kind: 'int', min: 0, max: 64, default: 7 },
    {
      key: 'layers',
      label: 'Layers',
      help: 'Which layers’ outputs are edited: every layer, four spread over the depth, or one in the middle.',
      kind: 'choice',
      options: [
        { value: 'all', label: 'All layers (the paper’s reasoning and GLUE runs)' },
        { value: 'four', label: 'Four layers (2, 10, 18, 26 of 32: pyreft’s default)' },
        { value: 'one', label: 'One layer in the middle (15 of 32: pyreft’s README)' },
      ],
      default: 'all',
    },
    {
      key: 'tie',
      label: 'Weights across positions',
      help: 'One intervention per layer for all edited positions, or separate ones for the first p and the last s.',
      kind: 'choice',
      options: [
        { value: 'tied', label: 'Tied: one per layer' },
        { value: 'untied', label: 'Untied: first and last apart' },
      ],
      default: 'tied',
    },
  ],
  toyLearningRate: 5e-2,
  // The toy's prompts are at most 28 tokens long (BOS included): p = s = 16, each cut to half the
  // prompt, edit every prompt token (all but the middle one of an odd-length prompt). The edit reaches answer tokens only through the attention of the layer
  // above it, which a copying task ("first") uses best.
  toyConfig: { first: 16, last: 16 },
  toyTask: 'first',
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  lineage: [],
  anatomy: (_arch, { r, first, last }): Attachment[] => [
    { part: 'block.output', kind: 'added', note: `rank-${r} edit of the first ${first}, last ${last} prompt tokens` },
  ],
  notApplicable(arch, { r, first, last }) {
    if (first === 0 && last === 0) return 'With no first and no last positions, LoReFT edits no token.';
    const d = arch.hiddenSize;
    return r > d ? `R has r orthonormal rows of width ${d} on ${arch.name}, so the rank can be at most ${d}.` : null;
  },
  profile(arch, { r, first, last, layers: which, tie }) {
    const stack = promptStack(arch);
    const d = arch.hiddenSize;
    const layers = interventionLayers(stack.layers, which).length;
    const count = layers * groupsPerLayer(tie, first, last);
    // Each edited position costs R h, W h and Rᵀ(…): 3·r·d multiply-adds, at p + s positions of a
    // sequence rather than at every token; spread over the cost model's reference length.
    const perSequence = layers * Math.min(first + last, DEFAULT_SETUP.sequenceLength) * 3 * r * d;
    return {
      tensors: [
        { shape: [r, d], count }, // R
        { shape: [r, d], count }, // W
        { shape: [r], count }, // b
      ],
      addedMatmul: perSequence / DEFAULT_SETUP.sequenceLength,
      // R h and W h + b (r values each) at the edited positions of the intervened layers.
      extraActivationValues: (s, tokens) =>
        s === stack && tokens > 0 ? ((layers / s.layers) * Math.min(first + last, tokens) * 2 * r) / tokens : 0,
    };
  },
  apply(model, { r, first: p, last: s, layers: which, tie }, { seed = 0 } = {}) {
    const tf = model.tf;
    const d = model.dims.hiddenSize;
    if (r > d) throw new RangeError(`LoReFT's rank can be at most the hidden size ${d}, got ${r}`);
    const rng = createRng(seed);
    const groups = groupsPerLayer(tie, p, s);
    const bound = 1 / Math.sqrt(d);
    const all: tfTypes.Variable[] = [];
    const make = (v: tfTypes.Variable) => (all.push(v), v);
    const interventions = new Map<number, Intervention[]>();
    for (const layer of interventionLayers(model.dims.layers, which)) {
      interventions.set(
        layer,
        Array.from({ length: groups }, () => ({
          householder: make(normalVariable(tf, rng, [r, d], 1)),
          w: make(uniformVariable(tf, rng, [r, d], bound)),
          b: make(uniformVariable(tf, rng, [r], bound)),
        })),
      );
    }
    return {
      trainable: all,
      hooks: {
        blockOutput(layer, h, ctx) {
          const list = interventions.get(layer);
          if (!list) return h;
          const masks = positionMasks(ctx, p, s, groups);
          let out = h;
          list.forEach(({ householder, w, b }, g) => {
            const mask = masks[g]!;
            if (!mask.includes(1)) return;
            const rows = orthonormalRows(tf, householder as tfTypes.Tensor2D);
            // (W h + b − R h) in subspace coordinates, mapped back by Rᵀ; h is [rows, d], so Rᵀ is on the right.
            const target = tf.sub(tf.add(tf.matMul(h, w as tfTypes.Tensor2D, false, true), b), tf.matMul(h, rows, false, true));
            const edit = tf.mul(tf.matMul(target, rows), tf.tensor2d(mask, [mask.length, 1]));
            out = tf.add(out, edit);
          });
          return out;
        },
      },
      dispose: () => disposeAll(all),
    };
  },
});
