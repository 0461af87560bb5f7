import { beforeAll, describe, expect, it } from 'vitest';
import type { Architecture } from '../arch';
import { peftSnippetParts } from '../export';
import { checkApplies, resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lnTuning } from './ln-tuning';

methodContract(lnTuning, { configs: [{ norms: 'hf' }, { norms: 'all' }] });

beforeAll(useTestBackend);

type LnConfig = Parameters<typeof lnTuning.apply>[1];
const count = (id: string, norms = 'hf') => {
  const { arch } = findModel(id);
  return lnTuning.trainableParams(arch, resolveConfig<LnConfig>(lnTuning, arch, { norms }));
};
const exportArgs = (id: string, norms = 'hf') => {
  const model = findModel(id);
  return peftSnippetParts(model, lnTuning, resolveConfig<LnConfig>(lnTuning, model.arch, { norms }))!.args;
};

describe('LN Tuning on the toy', () => {
  it('trains the gain and the bias of every LayerNorm (ln_1, ln_2 per layer, ln_f) and nothing else', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const applied = lnTuning.apply(model, resolveConfig<LnConfig>(lnTuning, model.arch));
    const names = [...model.weights].filter(([, v]) => applied.trainable.includes(v)).map(([n]) => n).sort();
    const expected = ['h.0.ln_1', 'h.0.ln_2', 'h.1.ln_1', 'h.1.ln_2', 'ln_f'].flatMap((n) => [`${n}.bias`, `${n}.weight`]).sort();
    expect(names).toEqual(expected);
    // 5 norms × (gain + bias) × hidden 16.
    expect(lnTuning.trainableParams(model.arch, resolveConfig<LnConfig>(lnTuning, model.arch))).toBe(5 * 2 * 16);

    // After training, exactly these tensors moved; every other weight is bit-identical.
    const before = model.snapshot();
    const trainer = trainerFor(model, applied, { steps: 5, learningRate: lnTuning.toyLearningRate, warmupSteps: 1 });
    for (let i = 0; i < 5; i++) trainer.step(fixedBatch(i));
    const changed = [...model.snapshot()].filter(([n, v]) => v.some((x, i) => x !== before.get(n)![i])).map(([n]) => n).sort();
    expect(changed).toEqual(expected);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('LN Tuning on real models: HF PEFT LNTuningConfig (5d602fd) defaults per family', () => {
  it('Llama 2 7B: input_layernorm and post_attention_layernorm of 32 layers and the final norm, RMSNorm scales only', () => {
    expect(count('meta-llama/Llama-2-7b-hf')).toBe((32 * 2 + 1) * 4096);
    expect(count('meta-llama/Llama-2-7b-hf')).toBe(266_240);
    // HF PEFT has a llama default: the export leaves target_modules to it.
    expect(exportArgs('meta-llama/Llama-2-7b-hf').target_modules).toBeUndefined();
  });

  it('T5: every layer_norm (2 per encoder block, 3 per decoder block) and both final_layer_norms, scales only', () => {
    expect(count('t5-base')).toBe((12 * 2 + 12 * 3 + 2) * 768);
    expect(count('t5-base')).toBe(47_616);
    // The survey authors' experiment code (xw-yao/peft_comparison, ln_tuning: names containing
    // layer_norm) measured 124,928 on T5-Large, 3B and 11B (d_model 1024 in all three, 24 + 24 layers).
    for (const [model, measured] of surveyCounts('ln_tuning')) expect(count(model), model).toBe(measured);
    expect(surveyCounts('ln_tuning').map(([m]) => m)).toEqual(['t5-large', 't5-3b', 't5-11b']);
    expect(count('t5-large')).toBe((24 * 2 + 24 * 3 + 2) * 1024);
  });

  it('GPT-2: ln_1, ln_2 of 12 layers and ln_f, gain and bias', () => {
    expect(count('gpt2')).toBe((12 * 2 + 1) * 2 * 768);
    expect(count('gpt2')).toBe(38_400);
  });

  it("BLOOMZ-560m: 100,352, the count in HF PEFT's LN-tuning example notebook; its embedding LayerNorm is not in HF's default", () => {
    // examples/causal_language_modeling/peft_ln_tuning_clm.ipynb at 5d602fd: LNTuningConfig(task_type=CAUSAL_LM)
    // prints "trainable params: 100,352 || all params: 559,314,944". All params include the trained
    // copies of the norms: 559,214,592 (the model) + 100,352.
    expect(count('bigscience/bloomz-560m')).toBe((24 * 2 + 1) * 2 * 1024);
    expect(count('bigscience/bloomz-560m')).toBe(100_352);
    expect(findModel('bigscience/bloomz-560m').publishedTotal + 100_352).toBe(559_314_944);
    // Every norm, word_embeddings_layernorm included (the paper's reading): one more gain and bias.
    expect(count('bigscience/bloomz-560m', 'all')).toBe(100_352 + 2 * 1024);
  });

  it('BERT has no HF default: every LayerNorm of the encoder and the embeddings, named in target_modules', () => {
    expect(count('bert-base-uncased')).toBe((12 * 2 + 1) * 2 * 768);
    expect(exportArgs('bert-base-uncased').target_modules).toEqual(['attention.output.LayerNorm', 'output.LayerNorm', 'embeddings.LayerNorm']);
  });

  it("Qwen2 and Qwen3: HF PEFT's default is post_attention_layernorm alone; 'all' adds the rest, Qwen3's per-head norms included", () => {
    expect(count('Qwen/Qwen2.5-0.5B')).toBe(24 * 896);
    expect(count('Qwen/Qwen2.5-0.5B', 'all')).toBe((24 * 2 + 1) * 896);
    expect(exportArgs('Qwen/Qwen2.5-0.5B', 'all').target_modules).toEqual(['input_layernorm', 'post_attention_layernorm', 'norm']);
    expect(count('Qwen/Qwen3-8B')).toBe(36 * 4096);
    // q_norm and k_norm normalise each 128-wide head.
    expect(count('Qwen/Qwen3-8B', 'all')).toBe(36 * (2 * 4096 + 2 * 128) + 4096);
  });

  it('says so instead of a count of 0 where the family default selects no norm of the model', () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    const stack = llama.stacks[0]!;
    // A Qwen2-family model whose norms carry other names: HF's post_attention_layernorm matches none.
    const odd: Architecture = { ...llama, name: 'Odd', family: 'qwen2', stacks: [{ ...stack, norms: stack.norms.map((n) => ({ ...n, name: `x_${n.name}` })), finalNorm: null }] };
    const config = resolveConfig<LnConfig>(lnTuning, odd);
    expect(lnTuning.notApplicable!(odd, config)).toBe('LN Tuning trains the norms HF PEFT targets for Odd, and it has none of them.');
    expect(() => checkApplies(lnTuning, odd, config)).toThrow(RangeError);
    expect(lnTuning.trainableParams(odd, resolveConfig<LnConfig>(lnTuning, odd, { norms: 'all' }))).toBe(32 * 2 * 4096);
  });
});
