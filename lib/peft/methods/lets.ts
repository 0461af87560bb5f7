import type * as tfTypes from '@tensorflow/tfjs';
import type { Attachment } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import type { TensorGroup } from '../method-api/profile';
import { stopGradient } from '../method-api/stop-gradient';
import { disposeAll, uniformVariable, zerosVariable } from '../model/params';
import { createRng } from '../model/random';

/**
 * LeTS, Learn-to-Share (Fu, Huang, Chen, Tian & Zhao, ICML 2021): a fixed pretrained transformer
 * shared by every task, plus learnable additive components per task that reuse the fixed model's
 * intermediate activations, so a task's extra computation does not depend on (or change) the
 * shared forward pass. Which activations feed the added components is chosen per task by a
 * differentiable architecture search, and the components are pruned early in fine-tuning.
 *
 * Only the abstract and the ICML and Meta Research summaries could be read here; the paper's full
 * text was not in the search corpora. What follows is our smallest reading of those summaries, not
 * the paper's exact architecture:
 * - one candidate component per layer of a stack: a bottleneck FFN cⱼ(x) = W↑ ReLU(W↓ x + b↓) + b↑
 *   (width r) on the frozen output hⱼ of layer j, read without gradient;
 * - architecture weights α (one per candidate): for the first `searchSteps` steps the side output
 *   Σⱼ softmax(α)ⱼ cⱼ(hⱼ) is trained jointly with the components (as DARTS trains its mixture);
 * - then the search ends early: the `keep` candidates with the largest α stay, the others are
 *   pruned (no longer computed or trained) and α is frozen; the kept components train on.
 * The side output joins the final hidden state before the frozen final norm and head; W↑ starts
 * at zero, so training starts exactly at the base model. The paper's early pruning makes the
 * components' weights sparse (a mask set at the start of fine-tuning); here whole candidates are
 * pruned instead.
 *
 * Counted from this reading (there is no reference implementation): every candidate and α are
 * trained during the search; the checkpoint keeps the `keep` chosen components of each stack.
 */

/** Parameters of one candidate component: W↓, b↓, W↑, b↑. */
const componentSize = (d: number, r: number) => 2 * d * r + r + d;

export const lets = defineMethod({
  id: 'lets',
  name: 'LeTS (Learn-to-Share)',
  hyperparams: [
    { key: 'rank', label: 'Component width r', help: 'Bottleneck width of each added component (a down- and an up-projection on a layer’s output).', kind: 'int', min: 1, max: 4096, default: 64 },
    { key: 'keep', label: 'Components kept', help: 'Candidates per stack that survive the search (those with the largest architecture weight); the rest are pruned. A stack with fewer layers keeps them all.', kind: 'int', min: 1, max: 256, default: 4 },
    {
      key: 'searchSteps',
      label: 'Search steps',
      help: 'Steps during which every candidate and the architecture weights train together, before the pruning.',
      kind: 'int',
      min: 1,
      max: 2000,
      default: 30,
      toyOnly: true,
    },
  ],
  toyLearningRate: 3e-2,
  toyConfig: { rank: 32, keep: 1 },
  traits: { backpropThroughBackbone: false, inference: 'extra-modules' },
  lineage: [],
  anatomy: (arch, { rank, keep }): Attachment[] => [
    { part: 'final', kind: 'added', note: `${Math.min(keep, arch.stacks[0]?.layers ?? keep)} width-${rank} components on layer outputs, chosen by search` },
  ],
  profile(arch, { rank: r, keep }) {
    const d = arch.hiddenSize;
    const tensors: TensorGroup[] = [];
    const saved: TensorGroup[] = [];
    for (const s of arch.stacks) {
      tensors.push({ shape: [d, r], count: 2 * s.layers }, { shape: [r], count: s.layers }, { shape: [d], count: s.layers }, { shape: [s.layers], count: 1 });
      const kept = Math.min(keep, s.layers);
      saved.push({ shape: [d, r], count: 2 * kept }, { shape: [r], count: kept }, { shape: [d], count: kept });
    }
    const candidates = arch.stacks.reduce((n, s) => n + s.layers, 0);
    const kept = arch.stacks.reduce((n, s) => n + Math.min(keep, s.layers), 0);
    return {
      tensors,
      saved,
      addedMatmul: 2 * d * r * candidates,
      inferenceMatmul: 2 * d * r * kept,
      // During the search every candidate keeps its input (d, for W↓'s gradient) and its hidden
      // units before and after the ReLU (2r) per token.
      extraActivationValues: () => d + 2 * r,
    };
  },
  apply(model, { rank: r, keep, searchSteps }, { seed = 0 } = {}) {
    const tf = model.tf;
    const d = model.dims.hiddenSize;
    const layers = model.dims.layers;
    // More kept than candidates keeps them all, as the profile counts it.
    keep = Math.min(keep, layers);
    const rng = createRng(seed);
    const components = Array.from({ length: layers }, () => ({
      down: uniformVariable(tf, rng, [d, r], 1 / Math.sqrt(d)),
      downBias: zerosVariable(tf, [r]),
      up: zerosVariable(tf, [r, d]),
      upBias: zerosVariable(tf, [d]),
    }));
    const alpha = zerosVariable(tf, [layers]);
    const all = [...components.flatMap((c) => [c.down, c.downBias, c.up, c.upBias]), alpha];
    // After the search: the candidates kept, and masks that stop every pruned tensor (and α).
    let kept: number[] | null = null;
    const masks = new Map<tfTypes.Variable, tfTypes.Tensor>();
    const frozen = tf.scalar(0);
    let inputs: tfTypes.Tensor2D[] = [];

    return {
      trainable: all,
      gradientMasks: masks,
      hooks: {
        blockOutput(layer, h) {
          if (layer === 0) inputs = [];
          inputs.push(stopGradient(tf, h));
          return h;
        },
        finalHidden(h) {
          const weights = tf.softmax(alpha);
          let side: tfTypes.Tensor2D | null = null;
          for (const j of kept ?? components.map((_, i) => i)) {
            const c = components[j]!;
            const x = inputs[j];
            if (!x) throw new Error('LeTS: a layer output was not seen');
            const hidden = tf.relu(tf.add(tf.matMul(x, c.down), c.downBias)) as tfTypes.Tensor2D;
            const out = tf.mul(tf.add(tf.matMul(hidden, c.up), c.upBias), tf.slice(weights, [j], [1])) as tfTypes.Tensor2D;
            side = side ? (tf.add(side, out) as tfTypes.Tensor2D) : out;
          }
          inputs = [];
          return side ? tf.add(h, side) : h;
        },
      },
      onStep({ step }) {
        if (kept || step < searchSteps) return;
        const a = alpha.dataSync();
        kept = [...a.keys()].sort((i, j) => (a[j] as number) - (a[i] as number) || i - j).slice(0, keep).sort((i, j) => i - j);
        const pruned = components.filter((_, i) => !kept!.includes(i)).flatMap((c) => [c.down, c.downBias, c.up, c.upBias]);
        for (const v of [...pruned, alpha]) masks.set(v, frozen);
        return { resetOptimizer: [...pruned, alpha] };
      },
      dispose: () => {
        disposeAll(all);
        frozen.dispose();
      },
    };
  },
});

/** Which candidates a LeTS run kept, for tests: read from its gradient masks. */
export function keptCandidates(applied: { trainable: readonly tfTypes.Variable[]; gradientMasks?: ReadonlyMap<tfTypes.Variable, tfTypes.Tensor> }, layers: number): number[] {
  return Array.from({ length: layers }, (_, i) => i).filter((i) => !applied.gradientMasks?.has(applied.trainable[4 * i] as tfTypes.Variable));
}
