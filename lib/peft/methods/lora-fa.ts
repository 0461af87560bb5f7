import { type Stack, matchingLinears } from '../arch';
import { trainedBiases } from '../method-api/bias';
import { defineMethod } from '../method-api/define';
import { targetsOutside } from '../method-api/outside';
import { patternValue, readPattern } from '../method-api/pattern';
import type { TensorGroup } from '../method-api/profile';
import { LORA_OPTIONS, applyLora, loraAnatomy, loraExport, loraProfile } from './lora';

/**
 * LoRA-FA (Zhang et al., 2023, arXiv 2308.03303): LoRA, h = x·W + (α/r)·x·A·B, with A frozen at its
 * random initialisation and only B trained. B's gradient needs x·A (r values per token), not x;
 * with W and A frozen, x itself is needed by no gradient, so the layer need not keep it.
 *
 * Follows HF PEFT as of huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40, where LoRA-FA is
 * a LoraConfig plus `create_lorafa_optimizer` (src/peft/optimizers/lorafa.py): it sets
 * requires_grad = False on every parameter named `lora_A`, so print_trainable_parameters counts B
 * (and the biases) only; the adapter's state dict still holds A and B, so both are saved. The
 * optimizer also corrects B's gradient, g ← (1/s²)·g·(AAᵀ)⁻¹ with s = α/r (the revised paper's
 * gradient correction); our toy trains B with plain AdamW, as the first version of the paper
 * describes. The toy's initialisation is LoRA's (A uniform in ±1/√in, B zero).
 *
 * Targets: the linear maps and the LM head, not the token embedding: HF's lora.Embedding names its
 * factor `lora_embedding_A`, which `create_lorafa_optimizer` does not freeze (it stays trainable
 * and counted, while the optimizer's pairing never updates it), so an embedding target is no
 * LoRA-FA there.
 */
export const loraFa = defineMethod({
  id: 'lora-fa',
  name: 'LoRA-FA',
  hyperparams: [
    { key: 'r', label: 'Rank r', help: 'Inner dimension of the update AB; A (in × r) stays at its random start.', kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r.', kind: 'number', min: 0.01, max: 4096, default: 16 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model.',
      kind: 'modules',
      // LoRA's (HF PEFT's) defaults: q and v, or the fused qkv map.
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      outside: ['lmHead'],
    },
    ...LORA_OPTIONS,
  ],
  rankParam: 'r',
  toyLearningRate: 5e-3,
  // Every map: with A frozen, B alone has to carry the update.
  toyConfig: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] },
  traits: { backpropThroughBackbone: true, inference: 'mergeable' },
  lineage: [{ id: 'lora', how: 'freezes LoRA\'s projection-down matrix A at its random start and trains only B', where: 'abstract' }],
  anatomy: loraAnatomy,
  profile(arch, config) {
    const lora = loraProfile(arch, config);
    const ranks = readPattern(config.rankPattern);
    const rankOf = (name: string) => patternValue(ranks, name, config.r);
    const [trainedB, frozenA]: [TensorGroup[], TensorGroup[]] = [[], []];
    for (const s of arch.stacks) {
      for (const l of matchingLinears(s, config.targets)) {
        const r = rankOf(l.path);
        frozenA.push({ shape: [l.inFeatures, r], count: s.layers });
        trainedB.push({ shape: [r, l.outFeatures], count: s.layers });
      }
    }
    if (arch.moduleNames && targetsOutside(arch, config.targets, 'lmHead')) {
      const r = rankOf(arch.moduleNames.lmHead);
      frozenA.push({ shape: [arch.embeddingSize ?? arch.hiddenSize, r], count: 1 });
      trainedB.push({ shape: [r, arch.vocabSize], count: 1 });
    }
    const biases = trainedBiases(arch, config.bias, config.targets);
    return {
      ...lora,
      tensors: [...trainedB, ...biases],
      frozen: frozenA,
      // HF saves lora_A with lora_B: the checkpoint is LoRA's.
      saved: lora.tensors,
      releasedActivationValues: (stack: Stack) => releasedInputs(stack, config.targets),
    };
  },
  peft(config, arch) {
    const lora = loraExport(config, arch);
    const how = 'LoRA-FA is this LoraConfig trained with create_lorafa_optimizer(model, r, lora_alpha, lr) from peft.optimizers: it freezes every lora_A (so the trainable count is B only, while the checkpoint keeps A and B) and corrects B\'s gradient.';
    return { ...lora, note: lora.note ? `${how} ${lora.note}` : how };
  },
  apply: (model, config, { seed = 0 } = {}) => applyLora(model, config, { seed, freezeA: true }),
});

/**
 * Activation values per token of the base layer's count (lib/peft/cost/activations.ts) that a
 * layer of `stack` need not keep when `targets` carry LoRA-FA. The count keeps the input of every
 * linear map, as full training needs it for the weight's gradient. The cost model's convention is
 * that a frozen map still keeps it; under LoRA-FA a targeted map's weight and A are both frozen,
 * so its input is needed only to form x·A, which is kept instead. A tensor is released only when
 * every map reading it is targeted (an untargeted map keeps it, by the same convention):
 * - the attention input (h), read by q, k and v (or the fused qkv map), once;
 * - the MLP input (h), read by the first map(s) (up, gate, a router);
 * - the second MLP map's input (f, the activation's output, or gate·up in a gated MLP): the
 *   activation's own backward reads its input, not its output;
 * - a cross-attention's query input (h), read by its q map.
 * The output projection's input stays: it is the attention kernel's output, which the backward of
 * SDPA/FlashAttention reads (Dao et al., 2022), and these values do not know the kernel.
 */
export function releasedInputs(stack: Stack, targets: readonly string[]): number {
  const targeted = new Set(matchingLinears(stack, targets));
  const readers = (roles: readonly string[]) => stack.linears.filter((l) => roles.includes(l.role));
  const releasable = (maps: readonly Stack['linears'][number][]) => maps.length > 0 && maps.every((l) => targeted.has(l));
  let values = 0;
  const attention = readers(['attn.q', 'attn.k', 'attn.v', 'attn.qkv']);
  if (releasable(attention)) values += attention[0]!.inFeatures;
  const cross = readers(['cross.q']);
  if (releasable(cross)) values += cross[0]!.inFeatures;
  const mlpIn = readers(['mlp.in', 'mlp.gate', 'mlp.router']);
  if (releasable(mlpIn)) values += mlpIn[0]!.inFeatures;
  // The second map's input, as activations.ts counts it: each expert's width times its share of tokens.
  const mlpOut = readers(['mlp.out']);
  if (releasable(mlpOut)) values += mlpOut.reduce((n, l) => n + l.inFeatures * (l.activeShare ?? 1), 0);
  return values;
}
