import { beforeAll, describe, expect, it } from 'vitest';
import { checkApplies, resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, methodContract, trainerFor } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { attentionNormIndices, attentionTuning } from './attention-tuning';

methodContract(attentionTuning, { configs: [{ norm: 'no' }, { attention: 'both', embeddings: 'trained' }] });

beforeAll(useTestBackend);

type AttnConfig = Parameters<typeof attentionTuning.apply>[1];
const configOf = (arch: ToyModel['arch'], input: Record<string, string> = {}) => resolveConfig<AttnConfig>(attentionTuning, arch, input);
const count = (id: string, input: Record<string, string> = {}) => {
  const { arch } = findModel(id);
  return attentionTuning.trainableParams(arch, configOf(arch, input));
};

/** Trains a few steps and returns the names of the trainable weights and of the weights that changed. */
function trainedAndChanged(input: Record<string, string>): { trainable: string[]; changed: string[] } {
  const model = ToyModel.init(TINY_DIMS, 4);
  const applied = attentionTuning.apply(model, configOf(model.arch, input));
  const trainable = [...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n).sort();
  const before = model.snapshot();
  const trainer = trainerFor(model, applied, { steps: 5, learningRate: attentionTuning.toyLearningRate, warmupSteps: 1 });
  for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i));
  const changed = [...model.snapshot()].filter(([n, v]) => v.some((x, i) => x !== before.get(n)![i])).map(([n]) => n).sort();
  trainer.dispose();
  applied.dispose();
  model.dispose();
  return { trainable, changed };
}

const layerNames = (leaves: readonly string[]) => [0, 1].flatMap((i) => leaves.flatMap((l) => [`h.${i}.${l}.weight`, `h.${i}.${l}.bias`]));

describe('Attention Tuning on the toy (decoder-only: no cross-attention, so its self-attention)', () => {
  it('trains q, k, v and o with their biases and the attention norm ln_1, and every other weight stays bit-identical', () => {
    const { trainable, changed } = trainedAndChanged({});
    const expected = layerNames(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'ln_1']).sort();
    expect(trainable).toEqual(expected);
    expect(changed).toEqual(expected);
  });

  it('leaves ln_1 frozen with norm "no", and adds the token and position tables with embeddings "trained"', () => {
    const maps = layerNames(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
    expect(trainedAndChanged({ norm: 'no' })).toEqual({ trainable: [...maps].sort(), changed: [...maps].sort() });
    const withEmbeddings = [...layerNames(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'ln_1']), 'wte', 'wpe'].sort();
    expect(trainedAndChanged({ embeddings: 'trained' })).toEqual({ trainable: withEmbeddings, changed: withEmbeddings });
  });

  it('counts the toy exactly: 2 layers × (4 maps of 16 × 16 + 16, plus the gain and bias of ln_1)', () => {
    const arch = ToyModel.init(TINY_DIMS, 1);
    expect(attentionTuning.trainableParams(arch.arch, configOf(arch.arch))).toBe(2 * (4 * (16 * 16 + 16) + 2 * 16));
    arch.dispose();
  });

  it('refuses the cross-attention setting on a model without cross-attention, with a sentence', () => {
    const gpt2 = findModel('gpt2').arch;
    const config = configOf(gpt2, { attention: 'cross' });
    expect(attentionTuning.notApplicable!(gpt2, config)).toBe("Attention Tuning's cross-attention setting needs an encoder–decoder model, and GPT-2 (124M) has no cross-attention.");
    expect(() => checkApplies(attentionTuning, gpt2, config)).toThrow(RangeError);
    expect(attentionTuning.notApplicable!(findModel('t5-base').arch, configOf(findModel('t5-base').arch, { attention: 'cross' }))).toBeNull();
  });
});

describe('Attention Tuning on real models (our derivation from the shapes in models.json)', () => {
  it('T5-base: the decoder cross-attention (EncDecAttention q, k, v, o; no biases) and its layer.1.layer_norm', () => {
    const cross = 12 * 4 * 768 * 768;
    expect(count('t5-base', { norm: 'no' })).toBe(cross);
    expect(count('t5-base')).toBe(cross + 12 * 768);
    expect(count('t5-base')).toBe(28_320_768);
    expect(count('t5-base', { attention: 'cross' })).toBe(28_320_768);
    // The paper's new-language setting: the shared 32,128 × 768 table as well (tied to the LM head).
    expect(count('t5-base', { embeddings: 'trained' })).toBe(28_320_768 + 32_128 * 768);
    // Self-attention of both stacks (24 layers) and its layer.0.layer_norm; both adds the cross-attention.
    expect(count('t5-base', { attention: 'self' })).toBe(24 * (4 * 768 * 768 + 768));
    expect(count('t5-base', { attention: 'both' })).toBe(24 * (4 * 768 * 768 + 768) + 28_320_768);
    const decoder = findModel('t5-base').arch.stacks.find((s) => s.kind === 'decoder')!;
    expect(attentionNormIndices(decoder, ['cross']).map((i) => decoder.norms[i]!.name)).toEqual(['layer.1.layer_norm']);
  });

  it('BERT-base (no cross-attention): self-attention query, key, value and output dense with biases, and attention.output.LayerNorm', () => {
    expect(count('bert-base-uncased')).toBe(12 * 4 * (768 * 768 + 768) + 12 * 2 * 768);
    expect(count('bert-base-uncased')).toBe(28_366_848);
    // The embedding layer: 30,522 tokens, 512 positions, 2 token types, and its LayerNorm.
    expect(count('bert-base-uncased', { embeddings: 'trained' })).toBe(28_366_848 + (30_522 + 512 + 2) * 768 + 2 * 768);
  });

  it('GPT-2: the fused c_attn (768 → 2,304) and attn.c_proj with biases, and ln_1', () => {
    expect(count('gpt2')).toBe(12 * (768 * 2304 + 2304 + 768 * 768 + 768) + 12 * 2 * 768);
    expect(count('gpt2')).toBe(28_366_848);
  });

  it('Llama 2 7B: q, k, v, o (no biases) of 32 layers and input_layernorm (scale only); the untied LM head stays frozen', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(32 * 4 * 4096 * 4096 + 32 * 4096);
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(2_147_614_720);
    expect(count('meta-llama/Llama-2-7b-hf', { embeddings: 'trained' })).toBe(2_147_614_720 + 32_000 * 4096);
  });
});
