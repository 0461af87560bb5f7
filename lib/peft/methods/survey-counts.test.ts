import { describe, expect, it } from 'vitest';
import survey from '@/content/data/survey-v2-experiments.json';
import { findModel } from '../models';
import { findPeftMethod } from '../registry';
import { resolveConfig } from './config';
import type { HyperValue } from './types';

/**
 * The survey's v2 experiments measured the trainable parameters of each configuration on
 * T5-Large, T5-3B and T5-11B (content/data/survey-v2-experiments.json). Every configuration of
 * an implemented method must come out exactly.
 */
const CONFIGS: Record<string, { method: string; hyper: Record<string, HyperValue> } | null> = {
  full_tuning: { method: 'full-fine-tuning', hyper: {} },
  // AdapterHub reduction factor 16 on d_model = 1024: a bottleneck of 64.
  houlsby: { method: 'adapters', hyper: { bottleneck: 64, placement: 'both' } },
  pfeiffer: { method: 'adapters', hyper: { bottleneck: 64, placement: 'mlp' } },
  'lora (q,v)': { method: 'lora', hyper: { r: 8, alpha: 8, targets: ['q', 'v'] } },
  'hf_lora (q,v)': { method: 'lora', hyper: { r: 8, alpha: 8, targets: ['q', 'v'] } },
  hf_lora_all: { method: 'lora', hyper: { r: 8, alpha: 8, targets: ['q', 'k', 'v', 'o', 'wi', 'wo'] } },
  // Methods not implemented yet: each must be mapped here when its file lands.
  scaled_parallel: null,
  ln_tuning: null,
  hf_krona: null,
  compacter: null,
  'compacter++': null,
  ia3: null,
  mam: null,
  prefix_tuning: null,
  prefix_tuning_flat: null,
  unipelt: null,
};

const MODELS = ['t5-large', 't5-3b', 't5-11b'] as const;

describe("the survey's measured trainable-parameter counts", () => {
  it('lists every configuration of the dataset', () => {
    expect(Object.keys(CONFIGS).sort()).toEqual(survey.trainable_params.map((r) => r.config).sort());
  });

  const cases = survey.trainable_params.flatMap((row) => {
    const mapped = CONFIGS[row.config];
    if (!mapped) return [];
    return MODELS.flatMap((model) => {
      const measured = row[model];
      return typeof measured === 'number' ? [[row.config, model, mapped, measured] as const] : [];
    });
  });

  it.each(cases)('%s on %s', (_config, modelId, { method: methodId, hyper }, measured) => {
    const model = findModel(modelId);
    const method = findPeftMethod(methodId);
    expect(method.trainableParams(model.arch, resolveConfig(method, model.arch, hyper))).toBe(measured);
  });

  it('covers at least 15 measured counts', () => expect(cases.length).toBeGreaterThanOrEqual(15));
});

describe('public examples', () => {
  it('HF PEFT: Llama-2-7B, LoRA r = 8 on q_proj and v_proj trains 4,194,304 parameters', () => {
    const model = findModel('meta-llama/Llama-2-7b-hf');
    const lora = findPeftMethod('lora');
    expect(lora.trainableParams(model.arch, resolveConfig(lora, model.arch, { r: 8, targets: ['q_proj', 'v_proj'] }))).toBe(4_194_304);
  });

  it('prompt tuning on an encoder–decoder model trains a prompt for each stack (HF PEFT convention)', () => {
    const pt = findPeftMethod('prompt-tuning');
    const t5 = findModel('t5-large');
    const llama = findModel('meta-llama/Llama-2-7b-hf');
    expect(pt.trainableParams(t5.arch, resolveConfig(pt, t5.arch, { tokens: 20 }))).toBe(2 * 20 * 1024);
    expect(pt.trainableParams(llama.arch, resolveConfig(pt, llama.arch, { tokens: 20 }))).toBe(20 * 4096);
  });

  it('LoRA defaults to q and v, or to the fused qkv map where attention has one', () => {
    const lora = findPeftMethod('lora');
    expect(resolveConfig(lora, findModel('meta-llama/Llama-2-7b-hf').arch).targets).toEqual(['q_proj', 'v_proj']);
    expect(resolveConfig(lora, findModel('gpt2').arch).targets).toEqual(['c_attn']);
    expect(resolveConfig(lora, findModel('bigscience/bloom-560m').arch).targets).toEqual(['query_key_value']);
  });

  it('BitFit finds nothing to train in a model without biases', () => {
    const bitfit = findPeftMethod('bitfit');
    expect(bitfit.trainableParams(findModel('meta-llama/Llama-2-7b-hf').arch, {})).toBe(0);
    expect(bitfit.trainableParams(findModel('t5-large').arch, {})).toBe(0);
  });
});
