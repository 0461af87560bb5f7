import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { logitsOf, maxAbsDiff, methodContract } from '../testing/contract';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { promptTuning } from './prompt-tuning';

methodContract(promptTuning, { configs: [{ tokens: 3 }] });

beforeAll(useTestBackend);

describe('Prompt tuning', () => {
  it('changes the outputs through the prompt alone', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    const applied = promptTuning.apply(model, resolveConfig(promptTuning, model.arch, { tokens: 4 }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model))).toBeGreaterThan(1e-4);
  });

  it('trains a prompt for each stack of an encoder–decoder model (HF PEFT convention)', () => {
    const t5 = findModel('t5-large').arch;
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(promptTuning.trainableParams(t5, resolveConfig(promptTuning, t5, { tokens: 20 }))).toBe(2 * 20 * 1024);
    expect(promptTuning.trainableParams(llama, resolveConfig(promptTuning, llama, { tokens: 20 }))).toBe(20 * 4096);
  });

  it('rejects a fractional prompt length', () => {
    expect(() => resolveConfig(promptTuning, findModel('gpt2').arch, { tokens: 2.5 })).toThrow(/whole number/);
  });
});
