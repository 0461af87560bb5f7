import { type Architecture, totalLayers } from '../arch';
import { compose } from '../method-api/compose';
import { adapters } from './adapters';
import { bitfit } from './bitfit';
import { lora } from './lora';
import { prefixTuning } from './prefix-tuning';

/**
 * S4 (Chen, Zhang, Shi, Li, Smola and Yang, ICLR 2023, "Parameter-Efficient Fine-Tuning Design
 * Spaces", arXiv 2301.01821): the method their design-space search ends with. Its abstract gives the
 * four patterns: the layers are split into groups of consecutive layers in a spindle pattern,
 * trainable parameters are spread over the layers uniformly, every group is tuned, and each group
 * gets its own mix of strategies. The survey (Lialin et al., v1 §11.5) names the mix: G1 adapters +
 * LoRA, G2 adapters + prefix, G3 adapters + prefix + BitFit, G4 prefix + BitFit + LoRA, found on
 * T5-Base at 0.5% trainable parameters. Built here from our four methods, each restricted to the
 * layers of the groups that use it (compose's per-part layer selection), so its counts are theirs.
 *
 * What we could not check, and the reading we chose (the paper's body could not be retrieved: only
 * its abstract; the released code, amazon-science/peft-design-spaces at e3e8cee, builds no S4: its
 * `PEFT` config is Mao et al.'s UniPELT mix, prefix length 10 + a Pfeiffer adapter with reduction
 * factor 16 + LoRA r = 8, each gated, on every layer, and it has no BitFit and no layer groups):
 * - group sizes: n₁ < n₂ = n₃ > n₄, the outer groups a sixth of the layers each (rounded to the
 *   nearest, halves down), the inner two the rest, halved (`spindleGroups`): 2-4-4-2 on 12 layers;
 * - an encoder–decoder model's layers are grouped as one sequence, encoder first, the way the
 *   AdapterHub library the authors built on numbers them (T5-Base: 4-8-8-4 over 24 layers, so
 *   G1–G2 are the encoder and G3–G4 the decoder);
 * - uniform allocation: each strategy has the same size in every layer it reaches (one bottleneck,
 *   one prefix length, one rank), set directly rather than solved from a budget;
 * - prefixes are trained directly (no MLP): with AdapterHub's MLP of width 512 the prefix part alone
 *   would train 26,419,200 parameters on T5-Base, 11.9% of the model against the 0.5% budget;
 * - the adapter is Houlsby's (after attention and after the FFN), LoRA keeps HF PEFT's q/v targets;
 * - BitFit trains the biases of its groups' layers; T5 and LLaMA have none, so there it adds nothing.
 *
 * Defaults (ours): bottleneck 8, prefix length 10, rank 8. T5-Base: adapters 20 layers × 26,128 +
 * prefixes 491,520 + LoRA 294,912 = 1,308,992, 0.59% of its 222,903,552 parameters.
 */

/** Layers per group, n₁…n₄, of a stack of `layers` layers in the spindle pattern. */
export function spindleGroups(layers: number): [number, number, number, number] {
  const outer = Math.floor((layers + 2) / 6);
  const inner = layers - 2 * outer;
  return [outer, Math.ceil(inner / 2), Math.floor(inner / 2), outer];
}

/** The layers of each group G1…G4 on an architecture, numbered through its stacks (encoder first). */
export function s4Groups(arch: Architecture): number[][] {
  let next = 0;
  return spindleGroups(totalLayers(arch)).map((n) => Array.from({ length: n }, () => next++));
}

/** The groups (0-based) each strategy is assigned to (survey v1 §11.5). */
export const S4_ASSIGNMENT = { adapter: [0, 1, 2], prefix: [1, 2, 3], bitfit: [2, 3], lora: [0, 3] } as const;

const inGroups = (groups: readonly number[]) => (arch: Architecture) => {
  const all = s4Groups(arch);
  return groups.flatMap((g) => all[g] ?? []);
};

export const s4 = compose({
  id: 's4',
  name: 'S4 (PEFT design spaces)',
  parts: [
    { prefix: 'adapter', method: adapters, fixed: { placement: 'both' }, layers: inGroups(S4_ASSIGNMENT.adapter), where: 'groups 1–3' },
    { prefix: 'prefix', method: prefixTuning, defaults: { tokens: 10, projection: 'none' }, layers: inGroups(S4_ASSIGNMENT.prefix), where: 'groups 2–4' },
    { prefix: 'bitfit', method: bitfit, layers: inGroups(S4_ASSIGNMENT.bitfit), where: 'groups 3–4' },
    {
      prefix: 'lora',
      method: lora,
      // BitFit is a strategy of its own here, so LoRA trains no biases.
      fixed: { bias: 'none', rankPattern: '', alphaPattern: '' },
      layers: inGroups(S4_ASSIGNMENT.lora),
      where: 'groups 1 and 4',
    },
  ],
  toyLearningRate: 1e-2,
  toyConfig: { 'prefix.tokens': 4, 'adapter.bottleneck': 8 },
  // Abstract: the design spaces are built over Adapters, prefix tuning, BitFit and LoRA, which
  // the discovered patterns assign to groups of layers.
  lineage: [
    { id: 'adapters', how: 'adapters, one of the four strategies its design spaces assign to groups of layers', where: 'abstract' },
    { id: 'prefix-tuning', how: 'prefix tuning, one of the four strategies its design spaces assign to groups of layers', where: 'abstract' },
    { id: 'bitfit', how: 'BitFit, one of the four strategies its design spaces assign to groups of layers', where: 'abstract' },
    { id: 'lora', how: 'LoRA, one of the four strategies its design spaces assign to groups of layers', where: 'abstract' },
  ],
});
