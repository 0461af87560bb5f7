import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { lora } from './lora';

methodContract(lora, { configs: [{ r: 2, alpha: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'] }, { r: 5, targets: ['mlp.fc2'] }] });

beforeAll(useTestBackend);

describe('LoRA on the toy', () => {
  it('leaves the outputs unchanged while B is zero', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { targets: ['q_proj', 'v_proj', 'fc1'] }));
    expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
  });

  it('gives the same outputs merged and unmerged, and unmerging restores W', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    const applied = lora.apply(model, resolveConfig(lora, model.arch, { r: 4, targets: ['q_proj', 'v_proj', 'fc2'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 1e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-4); // the update is not trivial
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
  });
});

describe('LoRA on real models', () => {
  it.each([...surveyCounts('lora (q,v)'), ...surveyCounts('hf_lora (q,v)')])("reproduces the survey's q,v count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, alpha: 8, targets: ['q', 'v'] }))).toBe(count);
  });

  it.each(surveyCounts('hf_lora_all'))("reproduces the survey's all-maps count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, alpha: 8, targets: ['q', 'k', 'v', 'o', 'wi', 'wo'] }))).toBe(count);
  });

  it('HF PEFT: Llama-2-7B, r = 8 on q_proj and v_proj trains 4,194,304 parameters', () => {
    const arch = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 8, targets: ['q_proj', 'v_proj'] }))).toBe(4_194_304);
  });

  it('defaults to q and v, or to the fused qkv map where attention has one', () => {
    expect(resolveConfig(lora, findModel('meta-llama/Llama-2-7b-hf').arch).targets).toEqual(['q_proj', 'v_proj']);
    expect(resolveConfig(lora, findModel('gpt2').arch).targets).toEqual(['c_attn']);
    expect(resolveConfig(lora, findModel('bigscience/bloom-560m').arch).targets).toEqual(['query_key_value']);
  });

  it('rejects impossible settings with a message naming them', () => {
    const arch = findModel('gpt2').arch;
    expect(() => resolveConfig(lora, arch, { r: 0 })).toThrow(/Rank r must be between 1/);
    expect(() => resolveConfig(lora, arch, { targets: ['q_proj'] })).toThrow(/no linear map matching "q_proj"/);
    expect(() => resolveConfig(lora, arch, { targets: ['c_proj'] })).toThrow(/"c_proj" is ambiguous .*attn\.c_proj, mlp\.c_proj/);
    expect(lora.trainableParams(arch, resolveConfig(lora, arch, { r: 4, targets: ['mlp.c_proj'] }))).toBe(12 * 4 * (3072 + 768));
  });
});
