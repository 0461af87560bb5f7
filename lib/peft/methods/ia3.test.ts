import type { Tensor2D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract, trainerFor } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { ia3 } from './ia3';

type Ia3Config = Parameters<typeof ia3.apply>[1];

methodContract(ia3, {
  configs: [
    { targets: ['q_proj', 'o_proj', 'fc1', 'fc2'], feedforward: ['fc1'] },
    { targets: ['self_attn.v_proj', 'mlp.fc2'], feedforward: ['o_proj'] },
  ],
});

beforeAll(useTestBackend);

describe('(IA)³ on the toy', () => {
  it('defaults to keys, values and the input of fc2, one vector each of 64, 64 and 256 on the toy', () => {
    const model = ToyModel.init(undefined, 1);
    const config: Ia3Config = resolveConfig(ia3, model.arch);
    expect(config.targets).toEqual(['k_proj', 'v_proj', 'fc2']);
    expect(config.feedforward).toEqual(['fc2']);
    const applied = ia3.apply(model, config);
    expect(applied.trainable.map((v) => v.shape)).toEqual([[64], [64], [256], [64], [64], [256]]);
    expect(ia3.trainableParams(model.arch, config)).toBe(2 * (64 + 64 + 256));
    applied.dispose();
    model.dispose();
  });

  it('computes exactly the base model at initialisation, for output- and input-scaled maps', () => {
    const model = ToyModel.init(TINY_DIMS, 7);
    const base = logitsOf(model);
    for (const input of [{}, { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2'], feedforward: ['fc1', 'o_proj'] }]) {
      const applied = ia3.apply(model, resolveConfig(ia3, model.arch, input));
      expect(maxAbsDiff(logitsOf(model, applied.hooks), base)).toBe(0);
      applied.dispose();
    }
    model.dispose();
  });

  it('scales the whole output of an output-scaled map, bias included, and the input of a feed-forward one', () => {
    const model = ToyModel.init(TINY_DIMS, 3);
    const tf = model.tf;
    const applied = ia3.apply(model, resolveConfig(ia3, model.arch, { targets: ['k_proj', 'fc2'], feedforward: ['fc2'] }));
    const [lk, lff] = applied.trainable;
    tf.tidy(() => {
      lk!.assign(tf.fill([TINY_DIMS.hiddenSize], 2));
      lff!.assign(tf.fill([TINY_DIMS.ffnSize], 3));
    });
    const x = tf.randomNormal([5, TINY_DIMS.hiddenSize]) as Tensor2D;
    const k = (w: string) => model.weight(`h.0.k_proj.${w}`);
    const base = tf.add(tf.matMul(x, k('weight') as Tensor2D), k('bias')) as Tensor2D;
    const ctx = { batch: 1, seq: 5, prefixLength: 0, positions: [0, 1, 2, 3, 4], mode: 'eval' as const, step: 0 };
    const out = applied.hooks.linear!({ layer: 0, name: 'k_proj', path: 'self_attn.k_proj', role: 'attn.k' }, x, base, ctx);
    expect(maxAbsDiff(out.dataSync() as Float32Array, tf.mul(base, 2).dataSync() as Float32Array)).toBe(0);
    const h = tf.randomNormal([5, TINY_DIMS.ffnSize]) as Tensor2D;
    const f = (w: string) => model.weight(`h.0.fc2.${w}`);
    const fBase = tf.add(tf.matMul(h, f('weight') as Tensor2D), f('bias')) as Tensor2D;
    const fOut = applied.hooks.linear!({ layer: 0, name: 'fc2', path: 'mlp.fc2', role: 'mlp.out' }, h, fBase, ctx);
    const expected = tf.add(tf.matMul(tf.mul(h, 3), f('weight') as Tensor2D), f('bias'));
    expect(maxAbsDiff(fOut.dataSync() as Float32Array, expected.dataSync() as Float32Array)).toBeLessThan(1e-5);
    tf.dispose([x, base, out, h, fBase, fOut, expected]);
    applied.dispose();
    model.dispose();
  });

  it('gives the same outputs merged and unmerged (biases of output-scaled maps included), and unmerging restores every weight', () => {
    const model = ToyModel.init(TINY_DIMS, 8);
    // The toy starts with zero biases; give them values so that scaling them matters.
    const tf = model.tf;
    for (const [name, v] of model.weights) if (name.endsWith('.bias')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 5)));
    const applied = ia3.apply(model, resolveConfig(ia3, model.arch, { targets: ['q_proj', 'k_proj', 'v_proj', 'fc1', 'fc2'], feedforward: ['fc2', 'fc1'] }));
    const trainer = trainerFor(model, applied, { steps: 10, learningRate: 5e-2, warmupSteps: 1 });
    for (let i = 0; i < 10; i++) trainer.step(fixedBatch(i));
    const original = model.snapshot();
    const unmerged = logitsOf(model, applied.hooks);
    expect(maxAbsDiff(unmerged, logitsOf(model))).toBeGreaterThan(1e-3); // the vectors moved
    applied.merge!();
    expect(maxAbsDiff(logitsOf(model), unmerged)).toBeLessThan(1e-5); // merged weights need no hooks
    expect(maxAbsDiff(logitsOf(model, applied.hooks), unmerged)).toBeLessThan(1e-5);
    expect(maxAbsDiff(model.weight('h.0.q_proj.bias').dataSync() as Float32Array, original.get('h.0.q_proj.bias')!)).toBeGreaterThan(0);
    applied.unmerge!();
    for (const [name, values] of model.snapshot()) expect(maxAbsDiff(values, original.get(name)!), name).toBe(0);
    trainer.dispose();
    applied.dispose();
    model.dispose();
  });
});

describe('(IA)³ on real models', () => {
  // The survey's config: (IA)³ on k, v and the FFN intermediate activation, i.e. HF's T5 defaults.
  it.each(surveyCounts('ia3'))("reproduces the survey's count on %s with the T5 defaults: %i", (model, count) => {
    const arch = findModel(model).arch;
    const config: Ia3Config = resolveConfig(ia3, arch);
    expect([config.targets, config.feedforward]).toEqual([
      ['k', 'v', 'wo'],
      ['wo'],
    ]);
    expect(ia3.trainableParams(arch, config)).toBe(count);
  });

  it('T5-Large by hand: 72 attention modules × (1024 + 1024) + 48 FFN blocks × 4096 = 344,064', () => {
    expect(72 * 2 * 1024 + 48 * 4096).toBe(344_064);
    expect(ia3.trainableParams(findModel('t5-large').arch, resolveConfig(ia3, findModel('t5-large').arch))).toBe(344_064);
  });

  it('HF PEFT: IA3Config(task_type="SEQ_2_SEQ_LM") on bigscience/mt0-large prints "trainable params: 282,624 || all params: 1,229,863,936"', () => {
    // huggingface/peft docs/source/task_guides/ia3.md at commit 5a6e03ff88e32b7726672b51a87006251c3c7d00.
    const arch = findModel('bigscience/mt0-large').arch;
    const trainable = ia3.trainableParams(arch, resolveConfig(ia3, arch));
    expect(trainable).toBe(282_624);
    expect(totalParams(arch) + trainable).toBe(1_229_863_936);
  });

  it("uses HF PEFT's per-family defaults, and counts feed-forward targets by their input width", () => {
    const llama = findModel('meta-llama/Llama-2-7b-hf').arch;
    expect(resolveConfig(ia3, llama).targets).toEqual(['k_proj', 'v_proj', 'down_proj']);
    expect(ia3.trainableParams(llama, resolveConfig(ia3, llama))).toBe(32 * (4096 + 4096 + 11008));
    const gpt2 = findModel('gpt2').arch;
    expect(resolveConfig(ia3, gpt2)).toEqual({ targets: ['c_attn', 'mlp.c_proj'], feedforward: ['mlp.c_proj'] });
    expect(ia3.trainableParams(gpt2, resolveConfig(ia3, gpt2))).toBe(12 * (3 * 768 + 3072));
    // BERT: `output.dense` is a dotted suffix of `attention.output.dense` too, so HF PEFT scales the
    // input of both maps (768 and 3072) besides the key and value outputs.
    const bert = findModel('bert-base-uncased').arch;
    expect(ia3.trainableParams(bert, resolveConfig(ia3, bert))).toBe(12 * (768 + 768 + 768 + 3072));
    // Qwen2.5-0.5B: grouped-query attention, q_proj 896 wide, v_proj 128; down_proj reads 4864.
    const qwen = findModel('Qwen/Qwen2.5-0.5B').arch;
    expect(resolveConfig(ia3, qwen).targets).toEqual(['q_proj', 'v_proj', 'down_proj']);
    expect(ia3.trainableParams(qwen, resolveConfig(ia3, qwen))).toBe(24 * (896 + 128 + 4864));
    // Without feed-forward targets the same maps are scaled at their output.
    expect(ia3.trainableParams(llama, resolveConfig(ia3, llama, { feedforward: ['q_proj'] }))).toBe(32 * (4096 + 4096 + 4096));
  });

  it('rejects ambiguous or missing targets through resolveTargets', () => {
    const gpt2 = findModel('gpt2').arch;
    expect(() => resolveConfig(ia3, gpt2, { targets: ['c_attn', 'c_proj'] })).toThrow(/"c_proj" is ambiguous .*attn\.c_proj, mlp\.c_proj/);
    expect(() => resolveConfig(ia3, gpt2, { feedforward: ['c_proj'] })).toThrow(/"c_proj" is ambiguous/);
    expect(() => resolveConfig(ia3, gpt2, { targets: ['k_proj'] })).toThrow(/no linear map matching "k_proj"/);
    expect(() => resolveConfig(ia3, gpt2, { targets: [] })).toThrow(/Target modules needs at least one module/);
  });
});
