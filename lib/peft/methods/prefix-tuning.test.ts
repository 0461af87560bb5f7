import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferenceOverhead } from '../cost/memory';
import { resolveConfig } from '../method-api/config';
import { findModel } from '../models';
import { toyArchitecture } from '../model/toy-arch';
import { ToyModel } from '../model/transformer';
import { fixedBatch, logitsOf, maxAbsDiff, methodContract } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { TINY_DIMS, useTestBackend } from '../testing/tf-test';
import { maskedCrossEntropy } from '../train/loss';
import { prefixModules, prefixTuning } from './prefix-tuning';

type PrefixConfig = Parameters<typeof prefixTuning.trainableParams>[1];

methodContract(prefixTuning, { configs: [{ tokens: 3, projection: 'none' }, { tokens: 5, bottleneck: 7 }] });

beforeAll(useTestBackend);

describe('Prefix-Tuning on the toy', () => {
  it('changes the outputs through the prefixes alone', () => {
    const model = ToyModel.init(TINY_DIMS, 11);
    for (const projection of ['mlp', 'none']) {
      const applied = prefixTuning.apply(model, resolveConfig(prefixTuning, model.arch, { tokens: 4, bottleneck: 8, projection }));
      expect(maxAbsDiff(logitsOf(model, applied.hooks), logitsOf(model)), projection).toBeGreaterThan(1e-4);
      applied.dispose();
    }
    model.dispose();
  });

  it('has one prefix module on the decoder-only toy; with the MLP it trains 64l + 321m + 256 and saves 256l', () => {
    const arch = toyArchitecture();
    expect(prefixModules(arch)).toEqual([{ kind: 'self', layers: 2, width: 64 }]);
    const mlp: PrefixConfig = resolveConfig(prefixTuning, arch, { tokens: 8, bottleneck: 16 });
    expect(prefixTuning.trainableParams(arch, mlp)).toBe(64 * 8 + 321 * 16 + 256);
    expect(prefixTuning.savedParams(arch, mlp)).toBe(256 * 8);
    const flat: PrefixConfig = resolveConfig(prefixTuning, arch, { tokens: 8, projection: 'none' });
    expect(prefixTuning.trainableParams(arch, flat)).toBe(256 * 8);
    expect(prefixTuning.savedParams(arch, flat)).toBe(256 * 8);
  });

  it('passes the gradient through the prefixes to the embedding and both layers of the MLP', () => {
    const model = ToyModel.init(TINY_DIMS, 12);
    const applied = prefixTuning.apply(model, resolveConfig(prefixTuning, model.arch, { tokens: 4, bottleneck: 8 }));
    expect(applied.trainable).toHaveLength(5); // E, W1, b1, W2, b2
    const batch = fixedBatch(3);
    const inputs = tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32');
    const { grads, value } = tf.variableGrads(() => maskedCrossEntropy(model.forward(inputs, applied.hooks, { mode: 'train', step: 0 }), batch), applied.trainable);
    for (const v of applied.trainable) {
      const norm = tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!);
      expect(norm, v.name).toBeGreaterThan(0);
    }
    tf.dispose([inputs, value, ...Object.values(grads)]);
    applied.dispose();
    model.dispose();
  });
});

describe('Prefix-Tuning on real models', () => {
  // AdapterHub PrefixTuning as the survey ran it on T5: three prefix modules (encoder self-,
  // decoder self-, cross-attention) of 24 layers each; E and Linear 1 are d_model = 1024 wide,
  // Linear 2 outputs 2·24·heads·d_kv (1024 on T5-Large, 4096 on T5-3B, 16384 on T5-11B).
  it.each(surveyCounts('prefix_tuning'))("reproduces the survey's count with the MLP on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: 30, bottleneck: 512 }))).toBe(count);
  });

  it.each(surveyCounts('prefix_tuning_flat'))("reproduces the survey's flat count on %s: %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: 30, projection: 'none' }))).toBe(count);
  });

  it.each(surveyCounts('prefix_tuning_flat'))('saves only the prefixes after training with the MLP, the flat count, on %s: %i', (model, count) => {
    const arch = findModel(model).arch;
    expect(prefixTuning.savedParams(arch, resolveConfig(prefixTuning, arch, { tokens: 30, bottleneck: 512 }))).toBe(count);
  });

  it('decomposes the T5-Large count into three modules of 25,770,496', () => {
    const arch = findModel('t5-large').arch;
    expect(prefixModules(arch)).toEqual([
      { kind: 'self', layers: 24, width: 1024 },
      { kind: 'self', layers: 24, width: 1024 },
      { kind: 'cross', layers: 24, width: 1024 },
    ]);
    const perModule = 30 * 1024 + (1024 * 512 + 512) + (512 * 2 * 24 * 1024 + 2 * 24 * 1024);
    expect(perModule).toBe(25_770_496);
    expect(prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch))).toBe(3 * perModule);
  });

  it('HF PEFT: bloomz-560m, 30 virtual tokens without projection trains 1,474,560 parameters', () => {
    // examples/causal_language_modeling/peft_prefix_tuning_clm.ipynb (huggingface/peft),
    // print_trainable_parameters; bloom-560m has the same architecture.
    const arch = findModel('bigscience/bloom-560m').arch;
    expect(prefixTuning.trainableParams(arch, resolveConfig(prefixTuning, arch, { tokens: 30, projection: 'none' }))).toBe(1_474_560);
  });

  it('widens the attention of every layer by l keys, cross-attention included, and adds no matrix products', () => {
    const arch = findModel('t5-large').arch;
    const config: PrefixConfig = resolveConfig(prefixTuning, arch);
    expect(prefixTuning.traits.addedKeyValues?.(config)).toBe(30);
    // 4 FLOPs per extra key, query width and attention: 24 encoder + 24 decoder + 24 cross.
    expect(inferenceOverhead(arch, prefixTuning, config).extraFlopsPerToken).toBe(4 * 30 * 1024 * 72);
    expect(prefixTuning.profile(arch, config).addedMatmul).toBe(0);
  });
});
